import { execFile } from 'node:child_process';
import { cp, lstat, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { TestReport, TestStatus } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { resolveSandbox, runInSandbox, type SandboxOptions, type SandboxResult } from './runInSandbox';
import { parseNodeTap, parsePytest, parseUnittest, type ParsedTestOutput } from './testOutput';

export type RunnerName = 'node' | 'python';

export interface RunTestsOptions {
	/** The plan's techStack, e.g. ["Node.js", "Express"]; helps choose the runner. */
	techStack?: string[];
	/** The files of the project (paths are enough); default: the files in the workspace. */
	files?: Array<{ path: string }>;
	/**
	 * Run this instead of the chosen runner (argv, no shell). Its output is parsed as Node TAP, pytest
	 * or unittest when it looks like one; otherwise the exit code alone decides passed or error.
	 */
	command?: string[];
	timeoutMs: number;
	maxOutputBytes: number;
	sandbox?: SandboxOptions['sandbox'];
	env?: Record<string, string>;
}

const PYTHON_WORDS = /\b(python\d?|django|flask|fastapi|pytest|unittest)\b/i;
const NODE_WORDS = /\b(node(\.?js)?|javascript|typescript|express|nestjs|react|vue|angular|next\.?js|jest|mocha|vitest)\b/i;
const JS_FILE = /\.(c|m)?jsx?$/;
const TS_FILE = /(?<!\.d)\.(c|m)?tsx?$/;
const NODE_TEST_NAME = /(^test$|^test-|[.\-_](test|spec)$)/;
const TEST_FOLDERS = new Set(['test', 'tests', '__tests__']);

/**
 * Which runner fits: test files decide when they are all in one language, then the tech stack when
 * it names only one, then whichever language has more files. null when nothing points anywhere.
 */
export function chooseRunner(techStack: string[], files: Array<{ path: string }>): RunnerName | null {
	const paths = files.map((file) => file.path);
	const pythonTests = paths.filter(isPythonTestFile).length;
	const nodeTests = paths.filter(isNodeTestFile).length;
	if (pythonTests > 0 !== nodeTests > 0) return pythonTests > 0 ? 'python' : 'node';
	const saysPython = techStack.some((entry) => PYTHON_WORDS.test(entry));
	const saysNode = techStack.some((entry) => NODE_WORDS.test(entry));
	if (saysPython !== saysNode) return saysPython ? 'python' : 'node';
	const python = paths.filter((path) => path.endsWith('.py')).length;
	const node = paths.filter((path) => JS_FILE.test(path) || TS_FILE.test(path)).length;
	if (python === 0 && node === 0) return null;
	return python > node ? 'python' : 'node';
}

/** The files `node --test` would pick up by default (*.test.js, test-*.js, test/…), TypeScript included, plus *.spec.*. */
export function isNodeTestFile(path: string): boolean {
	if (!JS_FILE.test(path) && !TS_FILE.test(path)) return false;
	if (path.split('/').some((part) => part === 'node_modules')) return false;
	const name = posix.basename(path).replace(/\.[^.]+$/, '');
	return NODE_TEST_NAME.test(name) || path.split('/').slice(0, -1).some((folder) => TEST_FOLDERS.has(folder));
}

function isPythonTestFile(path: string): boolean {
	return /(^|\/)(test_[^/]*|[^/]*_test)\.py$/.test(path);
}

/**
 * Runs a project's tests in the sandbox and reports them. The tests run in a scratch copy of the
 * workspace (without .git), so nothing they do reaches the working copy or its repository.
 */
export async function runTests(workspaceDir: string, options: RunTestsOptions): Promise<TestReport> {
	if (options.command !== undefined && (!Array.isArray(options.command) || options.command.length === 0)) {
		throw new InvalidInputError('command', 'must be a non-empty list of strings (argv, no shell)');
	}
	const source = await realpath(workspaceDir).catch(() => null);
	if (!source || !(await lstat(source)).isDirectory()) throw new InvalidInputError('workspaceDir', `"${workspaceDir}" is not a folder`);
	const kind = await resolveSandbox(options.sandbox);
	const scratch = await mkdtemp(join(tmpdir(), 'ai-company-tests-'));
	const copy = join(scratch, 'work');
	const started = performance.now();
	try {
		await cp(source, copy, { recursive: true, filter: async (path) => basename(path) !== '.git' && !(await lstat(path)).isSymbolicLink() });
		const onDisk = await listFiles(copy);
		const plan = await planRun(onDisk, options, kind);
		if ('problem' in plan) return errorReport(plan.runner, plan.command ?? [], plan.problem, kind, started);
		let run: SandboxResult;
		try {
			run = await runInSandbox({ cwd: copy, command: plan.command, timeoutMs: options.timeoutMs, maxOutputBytes: options.maxOutputBytes, sandbox: options.sandbox, env: { COLUMNS: '300', ...options.env } });
		} catch (error) {
			if (error instanceof InvalidInputError) throw error;
			return errorReport(plan.runner, plan.command, (error as Error).message, kind, started);
		}
		const output = run.output.split(`${copy}/`).join('').split(copy).join('.').trim();
		const parsed = plan.parse(output);
		return {
			status: statusOf(run, parsed),
			passed: parsed.passed,
			failed: parsed.failed,
			durationMs: run.durationMs,
			output,
			failures: parsed.failures,
			runner: plan.runner,
			command: plan.command,
			isolation: run.isolation,
		};
	} finally {
		await rm(scratch, { recursive: true, force: true });
	}
}

function statusOf(run: SandboxResult, parsed: ParsedTestOutput): TestStatus {
	if (run.timedOut) return 'timeout';
	if (parsed.loadFailures.length > 0) return 'error';
	if (!parsed.recognised) return run.exitCode === 0 ? 'passed' : 'error';
	if (parsed.passed + parsed.failed === 0) return 'error'; // no tests found
	if (parsed.failed > 0) return 'failed';
	return run.exitCode === 0 ? 'passed' : 'error';
}

type RunPlan =
	| { runner: string; command: string[]; parse: (output: string) => ParsedTestOutput }
	| { runner: string; command?: string[]; problem: string };

async function planRun(onDisk: string[], options: RunTestsOptions, kind: 'bubblewrap' | 'process'): Promise<RunPlan> {
	if (options.command) {
		const command = options.command;
		return { runner: 'custom', command, parse: parseAny };
	}
	const runner = chooseRunner(options.techStack ?? [], options.files ?? onDisk.map((path) => ({ path })));
	if (runner === null) return { runner: 'none', problem: `cannot tell which test runner to use: the tech stack (${JSON.stringify(options.techStack ?? [])}) and the files name neither JavaScript/TypeScript nor Python` };
	return runner === 'node' ? planNode(onDisk, kind) : planPython();
}

function planNode(onDisk: string[], kind: 'bubblewrap' | 'process'): RunPlan {
	const testFiles = onDisk.filter(isNodeTestFile);
	if (testFiles.length === 0) return { runner: 'node', problem: 'no test files found (looked for *.test.js, *.spec.js, test-*.js, test/**, and the .mjs/.cjs/.ts variants)' };
	const args: string[] = [];
	if (testFiles.some((file) => TS_FILE.test(file)) && !(process.features as { typescript?: unknown }).typescript) {
		if (!process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')) {
			return { runner: 'node', problem: `TypeScript test files need Node 22.6 or newer to run without a build step; this is Node ${process.versions.node}` };
		}
		args.push('--experimental-strip-types');
	}
	const parse = (output: string) => parseNodeTap(output, testFiles);
	// Node's permission model (the sandbox without bubblewrap) forbids child processes, and
	// `node --test` runs each file in one: there, the files run in this one process instead.
	if (kind === 'bubblewrap') return { runner: 'node', command: ['node', ...args, '--test', '--test-reporter=tap', ...testFiles], parse };
	return { runner: 'node', command: ['node', ...args, '--test-reporter=tap', '--eval', IN_PROCESS_ENTRY, '--', ...testFiles], parse };
}

// Loads each test file in turn; one that does not load becomes a failing test named after it.
const IN_PROCESS_ENTRY = [
	"const { test } = require('node:test'); const { pathToFileURL } = require('node:url'); const { resolve } = require('node:path');",
	'(async () => { for (const file of process.argv.slice(1)) {',
	'try { await import(pathToFileURL(resolve(file)).href); }',
	"catch (error) { const text = String((error && error.stack) || error).split('\\n').filter((line) => !/^\\s+at /.test(line)).join('\\n');",
	'test(file, () => { throw new Error(text); }); }',
	'} })();',
].join(' ');

interface PythonInfo {
	executable: string;
	pytest: boolean;
}

let python: Promise<PythonInfo | null> | undefined;

/** python3's real executable (not a pyenv shim, which needs the operator's HOME) and whether it has pytest; probed once. */
export function detectPython(): Promise<PythonInfo | null> {
	python ??= new Promise((resolve) => {
		const probe = "import sys, importlib.util; print(sys.executable); print(importlib.util.find_spec('pytest') is not None)";
		execFile('python3', ['-c', probe], { timeout: 20_000 }, (error, stdout) => {
			const [executable, pytest] = String(stdout).trim().split('\n');
			resolve(error || !executable ? null : { executable, pytest: pytest === 'True' });
		});
	});
	return python;
}

async function planPython(): Promise<RunPlan> {
	const info = await detectPython();
	if (!info) return { runner: 'python', problem: 'python3 is not installed here' };
	if (info.pytest) {
		return { runner: 'pytest', command: [info.executable, '-m', 'pytest', '-q', '-rfE', '--tb=short', '-p', 'no:cacheprovider'], parse: parsePytest };
	}
	return { runner: 'unittest', command: [info.executable, '-m', 'unittest', 'discover'], parse: parseUnittest };
}

function parseAny(output: string): ParsedTestOutput {
	for (const parse of [parseNodeTap, parsePytest, parseUnittest]) {
		const parsed = parse(output);
		if (parsed.recognised) return parsed;
	}
	return parseNodeTap(output);
}

function errorReport(runner: string, command: string[], problem: string, kind: 'bubblewrap' | 'process', started: number): TestReport {
	return {
		status: 'error',
		passed: 0,
		failed: 0,
		durationMs: Math.round(performance.now() - started),
		output: problem,
		failures: [],
		runner,
		command,
		isolation: { sandbox: kind, network: kind === 'bubblewrap', writesOutsideWorkspace: kind === 'bubblewrap' },
	};
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
	const entries = await readdir(join(root, prefix), { withFileTypes: true });
	const files: string[] = [];
	for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
		const path = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...(await listFiles(root, path)));
		} else if (entry.isFile()) {
			files.push(path);
		}
	}
	return files;
}
