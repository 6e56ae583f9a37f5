import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SandboxIsolation } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { bubblewrapArgs, nodePermissionArgs, probeBubblewrap, sandboxEnv } from './isolation';
import { OutputCap } from './outputCap';

export interface SandboxOptions {
	/** The workspace: the command runs here and may write only here (and in its private HOME/TMPDIR). */
	cwd: string;
	/** argv, no shell. "node" runs this process's own Node binary. */
	command: string[];
	/** Wall-clock limit; then the whole process group gets SIGTERM, and SIGKILL after killGraceMs. */
	timeoutMs: number;
	/** stdout and stderr together; past it the middle is dropped (head and tail kept). */
	maxOutputBytes: number;
	/** Added to the scrubbed environment; names that look secret (KEY, TOKEN, …) are dropped anyway. */
	env?: Record<string, string>;
	/** "auto" (default): bubblewrap when it works on this machine, else a plain process. */
	sandbox?: 'auto' | 'bubblewrap' | 'process';
	/** Between SIGTERM and SIGKILL on timeout; default 2000 ms. */
	killGraceMs?: number;
}

export interface SandboxResult {
	/** null when the process was killed by a signal. */
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	timedOut: boolean;
	/** stdout and stderr interleaved as they arrived. */
	output: string;
	outputTruncated: boolean;
	durationMs: number;
	isolation: SandboxIsolation;
}

/** The sandbox a run with `sandbox` ("auto" by default) gets on this machine. */
export async function resolveSandbox(sandbox: SandboxOptions['sandbox'] = 'auto'): Promise<'bubblewrap' | 'process'> {
	if (sandbox === 'process') return 'process';
	const bwrap = await probeBubblewrap();
	if (bwrap.path) return 'bubblewrap';
	if (sandbox === 'bubblewrap') throw new Error(`bubblewrap was asked for, but ${bwrap.problem}`);
	return 'process';
}

/**
 * Runs a command on generated code, in its own process group, with a scrubbed environment and a
 * private HOME and TMPDIR. Under bubblewrap: no network, no writes outside the workspace, the
 * operator's credential folders hidden. Without it, a `node` command runs under Node's permission
 * model (no reads or writes outside the workspace, no child processes); anything else runs as a
 * plain process. `isolation` says which held.
 */
export async function runInSandbox(options: SandboxOptions): Promise<SandboxResult> {
	const { command, timeoutMs, maxOutputBytes } = checkOptions(options);
	const kind = await resolveSandbox(options.sandbox);
	const workspace = await realpath(options.cwd).catch(() => options.cwd);
	if (!(await stat(workspace).catch(() => null))?.isDirectory()) throw new InvalidInputError('cwd', `"${options.cwd}" is not a folder`);
	const scratch = await mkdtemp(join(tmpdir(), 'ai-company-sandbox-'));
	try {
		const home = join(scratch, 'home');
		const tmp = join(scratch, 'tmp');
		await Promise.all([mkdir(home), mkdir(tmp)]);
		let argv = command[0] === 'node' ? [process.execPath, ...command.slice(1)] : command;
		let isolation: SandboxIsolation;
		if (kind === 'bubblewrap') {
			argv = [(await probeBubblewrap()).path!, ...bubblewrapArgs(workspace, scratch), '--', ...argv];
			isolation = { sandbox: 'bubblewrap', network: true, writesOutsideWorkspace: true };
		} else if (argv[0] === process.execPath) {
			argv = [argv[0], ...nodePermissionArgs([workspace, scratch]), ...argv.slice(1)];
			isolation = { sandbox: 'process', network: false, writesOutsideWorkspace: true };
		} else {
			isolation = { sandbox: 'process', network: false, writesOutsideWorkspace: false };
		}
		const env = sandboxEnv(home, tmp, options.env);
		const run = await runProcess(argv, { cwd: workspace, env, timeoutMs, maxOutputBytes, killGraceMs: options.killGraceMs ?? 2000 });
		return { ...run, isolation };
	} finally {
		await rm(scratch, { recursive: true, force: true });
	}
}

function checkOptions(options: SandboxOptions) {
	if (typeof options.cwd !== 'string' || !isAbsolute(options.cwd)) throw new InvalidInputError('cwd', `must be an absolute path, got ${JSON.stringify(options.cwd)}`);
	const { command, timeoutMs, maxOutputBytes } = options;
	if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== 'string') || command[0] === '') {
		throw new InvalidInputError('command', `must be a non-empty list of strings (argv, no shell), got ${JSON.stringify(command)}`);
	}
	if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new InvalidInputError('timeoutMs', `must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`);
	if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) throw new InvalidInputError('maxOutputBytes', `must be a whole number of bytes, got ${JSON.stringify(maxOutputBytes)}`);
	return { command, timeoutMs, maxOutputBytes };
}

interface ProcessOptions {
	cwd: string;
	env: Record<string, string>;
	timeoutMs: number;
	maxOutputBytes: number;
	killGraceMs: number;
}

function runProcess(argv: string[], options: ProcessOptions): Promise<Omit<SandboxResult, 'isolation'>> {
	const started = performance.now();
	const output = new OutputCap(options.maxOutputBytes);
	return new Promise((resolve, reject) => {
		// detached: its own process group (and session), so a timeout kills everything it started.
		const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const killGroup = (signal: NodeJS.Signals) => {
			try {
				if (child.pid !== undefined) process.kill(-child.pid, signal);
			} catch {
				// the group is gone already
			}
		};
		let timedOut = false;
		let killTimer: NodeJS.Timeout | undefined;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup('SIGTERM');
			killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs);
		}, options.timeoutMs);
		child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => output.push(chunk));

		let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
		let settled = false;
		const finish = () => {
			if (settled || !exit) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(killTimer);
			child.stdout.destroy();
			child.stderr.destroy();
			resolve({
				exitCode: exit.code,
				signal: exit.signal,
				timedOut,
				output: output.text(),
				outputTruncated: output.truncated,
				durationMs: Math.round(performance.now() - started),
			});
		};
		child.on('error', (error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			reject(new Error(`could not start ${JSON.stringify(argv[0])}: ${error.message}`, { cause: error }));
		});
		child.on('exit', (code, signal) => {
			exit = { code, signal };
			// Whatever it left running in its group goes too; a process that escaped the group and still
			// holds the pipes open must not keep us waiting.
			killGroup('SIGKILL');
			setTimeout(finish, 1000).unref();
		});
		child.on('close', finish);
	});
}
