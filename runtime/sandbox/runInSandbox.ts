import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { SandboxIsolation } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { isRoot, lendTree, processesWithMarker, releaseUid, allocateUid, signalUid } from './identity';
import {
	bubblewrapLaunch,
	findTool,
	limitsFor,
	nodePermissionArgs,
	prefixToBind,
	prlimitArgs,
	probeBubblewrap,
	resolveCommand,
	sandboxEnv,
	uidCanReach,
	type Bind,
	type Launch,
	type SandboxLimits,
} from './isolation';
import { OutputCap } from './outputCap';

/**
 * "auto" (default): bubblewrap when it works on this machine, else the process sandbox.
 * "bubblewrap": bubblewrap or an error. "process": no bubblewrap; only `node` commands run (under
 * Node's permission model), anything else is refused. "process-unconfined": like "process", but
 * other commands (python, sh…) run too, as plain processes: the operator accepts that they are
 * not confined (see the README).
 */
export type SandboxChoice = 'auto' | 'bubblewrap' | 'process' | 'process-unconfined';

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
	sandbox?: SandboxChoice;
	/** Between SIGTERM and SIGKILL on timeout; default 2000 ms. */
	killGraceMs?: number;
	/** Folders or files the command may read besides the workspace (an interpreter's prefix, the runner's scripts). */
	readOnlyPaths?: string[];
	/** Folders it may write besides the workspace and its private HOME/TMPDIR (where the runner writes its report). */
	writablePaths?: string[];
	/** Per-process limits; see DEFAULT_LIMITS. null turns one off. */
	limits?: Partial<SandboxLimits>;
	/** Stops the run (the whole process group gets SIGTERM, SIGKILL after killGraceMs); runInSandbox then rejects with the signal's reason. */
	signal?: AbortSignal;
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

/** Why a run is not in bubblewrap, when it is not; set by resolveSandbox. */
export async function fallbackReason(sandbox: SandboxChoice = 'auto'): Promise<string | undefined> {
	if (sandbox === 'process' || sandbox === 'process-unconfined') return `the "${sandbox}" sandbox was asked for`;
	const bwrap = await probeBubblewrap();
	return bwrap.path ? undefined : bwrap.problem;
}

/** The sandbox a run with `sandbox` ("auto" by default) gets on this machine. */
export async function resolveSandbox(sandbox: SandboxChoice = 'auto'): Promise<'bubblewrap' | 'process'> {
	if (sandbox === 'process' || sandbox === 'process-unconfined') return 'process';
	const bwrap = await probeBubblewrap();
	if (bwrap.path) return 'bubblewrap';
	if (sandbox === 'bubblewrap') throw new Error(`bubblewrap was asked for, but ${bwrap.problem}`);
	return 'process';
}

/** The uid the tests of a run get, and everything that has to be undone or killed for it. */
interface Identity {
	/** As this machine sees it. */
	uid: number;
	/** A uid of the run's own (root only): spawn as it, sweep it at the end. */
	own: boolean;
}

/**
 * Runs a command on generated code, in its own process group, with a scrubbed environment, a
 * private HOME and TMPDIR, and per-process limits (memory, processes, CPU time, file size, open
 * files). As root it runs as a uid of its own (see identity.ts), and everything left running as
 * that uid is killed at the end.
 *
 * Under bubblewrap: a root holding only the system folders and the workspace, no network, no
 * writes outside the workspace, no host unix socket, own PID namespace. Without it, a `node`
 * command runs under Node's permission model (no reads or writes outside the workspace, no child
 * processes); anything else only with sandbox "process-unconfined", as a plain process.
 * `isolation` says what held.
 */
export async function runInSandbox(options: SandboxOptions): Promise<SandboxResult> {
	const { command, timeoutMs, maxOutputBytes } = checkOptions(options);
	const kind = await resolveSandbox(options.sandbox);
	const workspace = await realpath(options.cwd).catch(() => options.cwd);
	if (!(await stat(workspace).catch(() => null))?.isDirectory()) throw new InvalidInputError('cwd', `"${options.cwd}" is not a folder`);
	const limits = limitsFor(timeoutMs, options.limits);
	const readOnly = (options.readOnlyPaths ?? []).map((path) => realpathSync(path));
	const writable = (options.writablePaths ?? []).map((path) => realpathSync(path));
	const marker = `AI_COMPANY_SANDBOX_RUN=${randomBytes(12).toString('hex')}`;

	const scratch = await mkdtemp(join(tmpdir(), 'ai-company-sandbox-'));
	const undo: Array<() => Promise<void>> = [];
	let identity: Identity = { uid: process.getuid?.() ?? 0, own: false };
	try {
		const home = join(scratch, 'home');
		const tmp = join(scratch, 'tmp');
		await Promise.all([mkdir(home), mkdir(tmp)]);
		const env = { ...sandboxEnv(home, tmp, options.env), [marker.split('=')[0]]: marker.split('=')[1] };
		const argv = command[0] === 'node' ? [process.execPath, ...command.slice(1)] : [...command];
		const executable = resolveCommand(argv[0], env.PATH);
		const isNode = executable !== null && safeRealpath(executable) === safeRealpath(process.execPath);
		const reason = await fallbackReason(options.sandbox);

		let launch: Launch;
		let isolation: SandboxIsolation;
		const lend = async (uid: number) => {
			await chmod(scratch, 0o711);
			for (const path of [workspace, home, tmp, ...writable]) undo.push(await lendTree(path, uid));
		};

		if (kind === 'bubblewrap') {
			if (isRoot()) identity = { uid: await allocateUid(), own: true };
			if (identity.own) await lend(identity.uid);
			const inside = identity.own ? 65534 : identity.uid;
			const etc = join(scratch, 'etc');
			await mkdir(etc, { mode: 0o755 });
			await writeFile(join(etc, 'passwd'), `root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:${inside}:${inside}:sandbox:${home}:/bin/sh\n${inside === 65534 ? '' : 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'}`, { mode: 0o644 });
			await writeFile(join(etc, 'group'), `root:x:0:\nsandbox:x:${inside}:\n${inside === 65534 ? '' : 'nogroup:x:65534:\n'}`, { mode: 0o644 });
			const binds: Bind[] = [];
			const interpreter = executable ? prefixToBind(executable) : [];
			for (const path of new Set([...interpreter, ...readOnly])) binds.push({ source: path, dest: path, writable: false });
			binds.push({ source: workspace, dest: workspace, writable: true });
			if (await stat(join(workspace, '.git')).catch(() => null)) binds.push({ source: join(workspace, '.git'), dest: join(workspace, '.git'), writable: false });
			for (const path of [home, tmp, ...writable]) binds.push({ source: path, dest: path, writable: true });
			const staging = join(scratch, 'mnt');
			await mkdir(staging, { mode: 0o711 });
			const bwrap = await probeBubblewrap();
			const prlimit = await findTool('prlimit');
			// Inside the user namespace, RLIMIT_NPROC counts only the sandbox's own processes.
			const inner = prlimit ? [prlimit, ...prlimitArgs(limits), '--', ...argv] : argv;
			const layout = { cwd: workspace, binds, uid: inside, gid: inside, passwd: join(etc, 'passwd'), group: join(etc, 'group'), features: bwrap.features };
			launch = await bubblewrapLaunch(bwrap.path!, layout, inner, identity.own ? identity.uid : null, staging);
			isolation = {
				sandbox: 'bubblewrap',
				network: true,
				writesOutsideWorkspace: true,
				parentEnvironment: true,
				processTree: true,
				uid: identity.uid,
				limits: prlimit ? limits : noLimits(),
				...(identity.own ? {} : { fallbackReason: `not root: the tests run as this process's uid ${identity.uid} (inside bubblewrap)` }),
			};
		} else {
			if (!isNode && options.sandbox !== 'process-unconfined') {
				throw new Error(
					`refused to run ${JSON.stringify(argv[0])} in the process sandbox (${reason}): without bubblewrap only node runs confined (Node's permission model); ` +
						'set the sandbox to "process-unconfined" to run other commands as plain processes anyway',
				);
			}
			const notes = [reason];
			if (isRoot()) {
				// The run's uid owns the workspace and the writable folders once they are lent to it;
				// what is above them, the command and the read-only paths must be open to others.
				const checks: Array<[string, string, 'read' | 'exec']> = [
					[executable ?? argv[0], executable ?? argv[0], 'exec'],
					...readOnly.map((path): [string, string, 'read'] => [path, path, 'read']),
					...[workspace, ...writable].map((path): [string, string, 'read'] => [path, dirname(path), 'read']),
				];
				const unreachable = checks.find(([, path, need]) => !uidCanReach(path, -1, need))?.[0];
				if (unreachable === undefined) {
					identity = { uid: await allocateUid(), own: true };
					await lend(identity.uid);
				} else if (isNode) {
					notes.push(`${unreachable} cannot be reached by another uid, so the tests run as root (Node's permission model still confines them)`);
				} else {
					throw new Error(`cannot run ${JSON.stringify(argv[0])} as an unprivileged uid: ${unreachable} cannot be reached by other users (make it and the folders above it searchable, or install the interpreter system-wide, or use bubblewrap)`);
				}
			} else {
				notes.push(`not root: the tests run as this process's uid ${identity.uid}`);
			}
			const permission = isNode ? nodePermissionArgs([workspace, scratch, ...readOnly, ...writable], [workspace, scratch, ...writable]) : [];
			const runLimits: SandboxLimits = identity.own ? limits : { ...limits, processes: null };
			const [prlimit, setpriv] = await Promise.all([findTool('prlimit'), findTool('setpriv')]);
			const wrapped = [...(prlimit ? [prlimit, ...prlimitArgs(runLimits), '--'] : []), ...(identity.own && setpriv ? [setpriv, '--no-new-privs', '--'] : [])];
			launch = { argv: [...wrapped, argv[0], ...permission, ...argv.slice(1)], ...(identity.own ? { uid: identity.uid, gid: identity.uid } : {}) };
			isolation = {
				sandbox: 'process',
				network: false,
				writesOutsideWorkspace: isNode,
				parentEnvironment: isNode || identity.own,
				processTree: isNode || identity.own,
				uid: identity.uid,
				limits: prlimit ? runLimits : noLimits(),
				unconfined: !isNode,
				fallbackReason: notes.filter(Boolean).join('; '),
			};
		}

		// Stryker disable all: a mutant of the sweep signals processes that are not the run's (as root, every process on the machine).
		const kill = await findTool('kill');
		const own = identity.own ? identity.uid : null;
		const sweep = async (signal: 'TERM' | 'KILL') => {
			if (own !== null) return signalUid(own, signal, kill);
			for (const pid of processesWithMarker(marker)) {
				try {
					process.kill(pid, `SIG${signal}`);
				} catch {
					// gone meanwhile
				}
			}
		};
		// Stryker restore all
		options.signal?.throwIfAborted();
		const run = await runProcess(launch, { cwd: workspace, env, timeoutMs, maxOutputBytes, killGraceMs: options.killGraceMs ?? 2000, sweep, signal: options.signal });
		options.signal?.throwIfAborted();
		return { ...run, isolation };
	} finally {
		for (const restore of undo.reverse()) await restore().catch(() => undefined);
		if (identity.own) releaseUid(identity.uid);
		await rm(scratch, { recursive: true, force: true });
	}
}

function noLimits(): SandboxLimits {
	return { memoryBytes: null, processes: null, cpuSeconds: null, fileSizeBytes: null, openFiles: null };
}

function safeRealpath(path: string): string {
	try {
		return realpathSync(path);
	} catch {
		return path;
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
	const choices = ['auto', 'bubblewrap', 'process', 'process-unconfined'];
	if (options.sandbox !== undefined && !choices.includes(options.sandbox)) throw new InvalidInputError('sandbox', `must be one of ${choices.join(', ')}, got ${JSON.stringify(options.sandbox)}`);
	return { command, timeoutMs, maxOutputBytes };
}

interface ProcessOptions {
	cwd: string;
	env: Record<string, string>;
	timeoutMs: number;
	maxOutputBytes: number;
	killGraceMs: number;
	/** Signals what the run started outside its process group (by uid, or by the environment marker). */
	sweep: (signal: 'TERM' | 'KILL') => Promise<void>;
	signal?: AbortSignal;
}

// After the command exits and everything it left is killed, how long to wait for its output pipes
// to close before giving up on them (a process that could not be found still holds them).
const PIPE_GRACE_MS = 200;

function runProcess(launch: Launch, options: ProcessOptions): Promise<Omit<SandboxResult, 'isolation'>> {
	const started = performance.now();
	const output = new OutputCap(options.maxOutputBytes);
	const { argv } = launch;
	return new Promise((resolve, reject) => {
		// detached: its own process group (and session), so a timeout kills everything it started.
		const child = spawn(argv[0], argv.slice(1), {
			cwd: options.cwd,
			env: options.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
			...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
		});
		const killAll = (signal: 'TERM' | 'KILL') => {
			try {
				if (child.pid !== undefined) process.kill(-child.pid, `SIG${signal}`);
			} catch {
				// the group is gone already
			}
			return options.sweep(signal).catch(() => undefined);
		};
		let timedOut = false;
		let killTimer: NodeJS.Timeout | undefined;
		const stop = () => {
			if (killTimer) return;
			void killAll('TERM');
			killTimer = setTimeout(() => void killAll('KILL'), options.killGraceMs);
		};
		const timer = setTimeout(() => {
			timedOut = true;
			stop();
		}, options.timeoutMs);
		options.signal?.addEventListener('abort', stop, { once: true });
		child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => output.push(chunk));

		let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
		let swept = false;
		let closed = false;
		let settled = false;
		const finish = () => {
			if (settled || !exit || !swept || !closed) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(killTimer);
			options.signal?.removeEventListener('abort', stop);
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
			options.signal?.removeEventListener('abort', stop);
			void killAll('KILL');
			reject(new Error(`could not start ${JSON.stringify(argv[0])}: ${error.message}`, { cause: error }));
		});
		child.on('exit', (code, signal) => {
			exit = { code, signal };
			clearTimeout(timer);
			// Whatever it left running goes too, in its group or not (setsid); a process that still
			// holds the pipes open after that must not keep us waiting.
			void killAll('KILL').then(() => {
				swept = true;
				setTimeout(() => {
					closed = true;
					finish();
				}, PIPE_GRACE_MS).unref();
				finish();
			});
		});
		child.on('close', () => {
			closed = true;
			finish();
		});
	});
}
