import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, posix } from 'node:path';
import type { SandboxIsolation, TestFailure, TestReport, TestStatus } from '../contracts/testReport';
import { InvalidInputError } from '../errors';
import { timePhase } from '../phaseTimes';
import { isRoot } from './identity';
import { uidCanReach, type SandboxLimits } from './isolation';
import { decideStatus, nodeReporter, PYTHON_RUNNER, readNodeReport, readPythonReport, readReportFile, type ReportReading } from './reports';
import { fallbackReason, resolveSandbox, runInSandbox, type SandboxChoice, type SandboxResult } from './runInSandbox';
import { parseNodeTap, parsePytest, parseUnittest, type ParsedTestOutput } from './testOutput';

export type RunnerName = 'node' | 'python';

export interface RunTestsOptions {
	/** The plan's techStack, e.g. ["Node.js", "Express"]; helps choose the runner. */
	techStack?: string[];
	/** The files of the project (paths are enough); default: the files in the workspace. */
	files?: Array<{ path: string }>;
	/**
	 * Run this instead of the chosen runner (argv, no shell). `python -m pytest …`, `python -m
	 * unittest …` and `node --test …` are run through the sandbox's own runner and reporter, so their
	 * verdict comes from a report file like the chosen runner's. Anything else is judged by its
	 * output (Node TAP, pytest or unittest when it looks like one) and its exit code, which the code
	 * under test can fake: the report's output says so.
	 */
	command?: string[];
	timeoutMs: number;
	maxOutputBytes: number;
	/** See SandboxChoice: "auto" (default), "bubblewrap", "process" (node only), "process-unconfined". */
	sandbox?: SandboxChoice;
	env?: Record<string, string>;
	/** Per-process limits; see DEFAULT_LIMITS in isolation.ts. */
	limits?: Partial<SandboxLimits>;
	/** Kills the run in progress when aborted (a cancelled project, a worker's shutdown); runTests then rejects with the signal's reason instead of reporting. */
	signal?: AbortSignal;
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

/** Where a run's helpers live (read-only for the tests) and where its report goes. */
interface RunFiles {
	/** The node:test reporter module. */
	nodeReporter: string;
	/** The Python runner script. */
	pythonRunner: string;
	/** The report file: a random name in a folder with a random name (see reports.ts). */
	report: string;
	/** The workspace copy the tests run in (as paths in the report are named). */
	workspace: string;
}

interface Verdict {
	status: TestStatus;
	passed: number;
	failed: number;
	failures: TestFailure[];
	/** Why the status is error, said at the end of the output. */
	note?: string;
}

interface RunPlan {
	runner: string;
	/** What the report shows as the command. */
	shown: string[];
	command: string[];
	readOnlyPaths: string[];
	judge: (run: SandboxResult, output: string) => Promise<Verdict>;
}

type Planned = RunPlan | { runner: string; command?: string[]; problem: string };

/**
 * Runs a project's tests in the sandbox and reports them. The tests run in a scratch copy of the
 * workspace (without .git), so nothing they do reaches the working copy or its repository. The
 * verdict comes from the runner's report file (see reports.ts), checked against the exit code.
 */
export function runTests(workspaceDir: string, options: RunTestsOptions): Promise<TestReport> {
	return timePhase('sandbox', () => testsInSandbox(workspaceDir, options));
}

async function testsInSandbox(workspaceDir: string, options: RunTestsOptions): Promise<TestReport> {
	if (options.command !== undefined && (!Array.isArray(options.command) || options.command.length === 0)) {
		throw new InvalidInputError('command', 'must be a non-empty list of strings (argv, no shell)');
	}
	const source = await realpath(workspaceDir).catch(() => null);
	if (!source || !(await lstat(source)).isDirectory()) throw new InvalidInputError('workspaceDir', `"${workspaceDir}" is not a folder`);
	const kind = await resolveSandbox(options.sandbox);
	const reason = kind === 'process' ? await fallbackReason(options.sandbox) : undefined;
	const scratch = await mkdtemp(join(tmpdir(), 'ai-company-tests-'));
	const started = performance.now();
	try {
		// Searchable but not listable by the run's own uid: it cannot find the report folder's name.
		await chmod(scratch, 0o711);
		const copy = join(scratch, 'work');
		const tools = join(scratch, 'tools');
		const reportDir = join(scratch, randomBytes(16).toString('hex'));
		await Promise.all([mkdir(tools, { mode: 0o755 }), mkdir(reportDir, { mode: 0o700 })]);
		const files: RunFiles = { nodeReporter: join(tools, 'reporter.mjs'), pythonRunner: join(tools, 'run_python_tests.py'), report: join(reportDir, `${randomBytes(16).toString('hex')}.json`), workspace: copy };
		await Promise.all([writeFile(files.nodeReporter, nodeReporter(files.report), { mode: 0o644 }), writeFile(files.pythonRunner, PYTHON_RUNNER, { mode: 0o644 })]);
		await cp(source, copy, { recursive: true, filter: async (path) => basename(path) !== '.git' && !(await lstat(path)).isSymbolicLink() });
		const onDisk = await listFiles(copy);
		const plan = await planRun(onDisk, options, kind, files);
		if ('problem' in plan) return errorReport(plan.runner, plan.command ?? [], plan.problem, kind, started, reason);
		let run: SandboxResult;
		try {
			run = await runInSandbox({
				cwd: copy,
				command: plan.command,
				timeoutMs: options.timeoutMs,
				maxOutputBytes: options.maxOutputBytes,
				sandbox: options.sandbox,
				env: { COLUMNS: '300', ...options.env },
				readOnlyPaths: [tools, ...plan.readOnlyPaths],
				writablePaths: [reportDir],
				limits: options.limits,
				signal: options.signal,
			});
		} catch (error) {
			if (error instanceof InvalidInputError || options.signal?.aborted) throw error;
			return errorReport(plan.runner, plan.shown, (error as Error).message, kind, started, reason);
		}
		let output = run.output.split(`${copy}/`).join('').split(copy).join('.').trim();
		const verdict = await plan.judge(run, output);
		if (verdict.note) output = `${output}\n[sandbox] ${verdict.status}: ${verdict.note}`.trim();
		return {
			status: verdict.status,
			passed: verdict.passed,
			failed: verdict.failed,
			durationMs: run.durationMs,
			output,
			failures: verdict.failures,
			runner: plan.runner,
			command: plan.shown,
			isolation: run.isolation,
		};
	} finally {
		await rm(scratch, { recursive: true, force: true });
	}
}

/** The verdict from the report file at `path`, read by `read`. */
async function judgeByReport(run: SandboxResult, path: string, read: (text: string) => ReportReading): Promise<Verdict> {
	const file = await readReportFile(path);
	const reading = 'problem' in file ? file : read(file.text);
	const { status, problem } = decideStatus(run, reading);
	const report = 'report' in reading ? reading.report : undefined;
	return {
		status,
		passed: report?.passed ?? 0,
		failed: report?.failed ?? 0,
		failures: report?.failures ?? [],
		...(problem ? { note: problem } : {}),
	};
}

async function planRun(onDisk: string[], options: RunTestsOptions, kind: 'bubblewrap' | 'process', files: RunFiles): Promise<Planned> {
	if (options.command) return planCustom(options.command, kind, files);
	const runner = chooseRunner(options.techStack ?? [], options.files ?? onDisk.map((path) => ({ path })));
	if (runner === null) return { runner: 'none', problem: `cannot tell which test runner to use: the tech stack (${JSON.stringify(options.techStack ?? [])}) and the files name neither JavaScript/TypeScript nor Python` };
	return runner === 'node' ? planNode(onDisk, files) : planPython(kind, files);
}

/**
 * Node's spec reporter for people (on stdout), the sandbox's reporter for the verdict: it writes
 * the report file itself and prints nothing (Node wants a destination for each reporter all the
 * same). Node's own junit reporter exists in Node 20 (checked on 20.20.2) and 24, but names a file
 * that ran no test exactly like a test that passed, and would need an XML parser here: the custom
 * reporter (the reporter API is the same from Node 20 to 24; checked on 20.20.2 and 24.22.3)
 * keeps the nesting, the failure types and each file's stderr.
 */
function nodeReporterArgs(files: RunFiles): string[] {
	return ['--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${files.nodeReporter}`, '--test-reporter-destination=stderr'];
}

function planNode(onDisk: string[], files: RunFiles): Planned {
	const testFiles = onDisk.filter(isNodeTestFile);
	if (testFiles.length === 0) return { runner: 'node', problem: 'no test files found (looked for *.test.js, *.spec.js, test-*.js, test/**, and the .mjs/.cjs/.ts variants)' };
	const args: string[] = [];
	if (testFiles.some((file) => TS_FILE.test(file)) && !(process.features as { typescript?: unknown }).typescript) {
		if (!process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')) {
			return { runner: 'node', problem: `TypeScript test files need Node 22.6 or newer to run without a build step; this is Node ${process.versions.node}` };
		}
		args.push('--experimental-strip-types');
	}
	// The files run in one Node process, in both sandboxes: Node's permission model (the sandbox
	// without bubblewrap) forbids the child process per file that `node --test` starts, and under
	// bubblewrap those cost a Node start each (about 0.2 s of CPU), on every test run of a task, for
	// every test file the project has so far: 80 files made a test run 13 s of CPU. One process
	// also keeps the verdict the same with and without bubblewrap.
	const command = ['node', ...args, ...nodeReporterArgs(files), '--eval', IN_PROCESS_ENTRY, '--', ...testFiles];
	// A file named like a test must run at least one; a helper in a test folder need not.
	const named = new Set(testFiles.filter((file) => NODE_TEST_NAME.test(posix.basename(file).replace(/\.[^.]+$/, ''))));
	const judge = (run: SandboxResult) =>
		judgeByReport(run, files.report, (text) => {
			const reading = readNodeReport(text, files.workspace, testFiles);
			if ('report' in reading) reading.report.filesWithoutTests = reading.report.filesWithoutTests.filter((file) => named.has(file));
			return reading;
		});
	return { runner: 'node', shown: command, command, readOnlyPaths: [], judge };
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

export interface PythonInfo {
	/** The real interpreter (sys.executable), not a pyenv shim, which needs the operator's HOME. */
	executable: string;
	pytest: boolean;
	/** Its prefixes and site-packages folders outside /usr: what bubblewrap must bind for it to run. */
	prefixes: string[];
}

const PYTHON_PROBE = "import sys, site, json, importlib.util; print(json.dumps({'executable': sys.executable, 'pytest': importlib.util.find_spec('pytest') is not None, 'prefixes': [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site.getsitepackages()]}))";
const probes = new Map<string, Promise<PythonInfo | null>>();
const SYSTEM_PATH = /^\/(usr|bin|sbin|lib\w*)(\/|$)/;

/** What `executable` is, probed once: -E -s, as in the sandbox (no PYTHONPATH, no user site-packages). */
function probePython(executable: string): Promise<PythonInfo | null> {
	let probe = probes.get(executable);
	if (!probe) {
		probe = new Promise((resolve) => {
			execFile(executable, ['-E', '-s', '-c', PYTHON_PROBE], { timeout: 20_000 }, (error, stdout) => {
				try {
					if (error) return resolve(null);
					const info = JSON.parse(String(stdout).trim().split('\n').pop() ?? '') as PythonInfo;
					const prefixes = [...new Set(info.prefixes)].filter((path) => path && !SYSTEM_PATH.test(path) && existsSync(path));
					resolve(info.executable ? { executable: info.executable, pytest: info.pytest === true, prefixes } : null);
				} catch {
					resolve(null);
				}
			});
		});
		probes.set(executable, probe);
	}
	return probe;
}

/** python3 on PATH: its real executable and whether it has pytest; probed once. */
export function detectPython(): Promise<PythonInfo | null> {
	return probePython('python3');
}

/**
 * The Python a run in `sandbox` uses: python3 on PATH, except in the process sandbox as root,
 * where the tests run as a uid of their own that cannot enter e.g. /root/.pyenv: there, the first
 * python3 that uid can reach (on PATH, then /usr/bin, /usr/local/bin). null when there is none.
 */
export async function pythonFor(sandbox: SandboxChoice = 'auto'): Promise<PythonInfo | null> {
	const host = await detectPython();
	if ((await resolveSandbox(sandbox)) === 'bubblewrap' || !isRoot()) return host;
	const candidates = [host?.executable, ...(process.env.PATH ?? '').split(delimiter).map((dir) => dir && join(dir, 'python3')), '/usr/bin/python3', '/usr/local/bin/python3'];
	for (const candidate of new Set(candidates)) {
		if (!candidate || !candidate.startsWith('/') || !uidCanReach(candidate, -1, 'exec')) continue;
		const info = await probePython(candidate);
		if (info && uidCanReach(info.executable, -1, 'exec') && info.prefixes.every((path) => uidCanReach(path, -1))) return info;
	}
	return host;
}

async function planPython(kind: 'bubblewrap' | 'process', files: RunFiles): Promise<Planned> {
	const info = await pythonFor(kind);
	if (!info) return { runner: 'python', problem: 'python3 is not installed here' };
	const runner = info.pytest ? 'pytest' : 'unittest';
	const command = [info.executable, files.pythonRunner, runner, files.report];
	return { runner, shown: command, command, readOnlyPaths: info.prefixes, judge: (run) => judgeByReport(run, files.report, readPythonReport) };
}

const PYTHON_NAME = /^python(\d+(\.\d+)?)?$/;

/** A command the caller gave: through the sandbox's runner when it is pytest, unittest or node --test, else judged by its output. */
async function planCustom(command: string[], kind: 'bubblewrap' | 'process', files: RunFiles): Promise<Planned> {
	const [executable, ...rest] = command;
	if (PYTHON_NAME.test(basename(executable)) && rest[0] === '-m' && (rest[1] === 'pytest' || rest[1] === 'unittest')) {
		const info = await probePython(executable);
		const run = [executable, files.pythonRunner, rest[1], files.report, ...rest.slice(2)];
		return { runner: 'custom', shown: command, command: run, readOnlyPaths: info?.prefixes ?? [], judge: (result) => judgeByReport(result, files.report, readPythonReport) };
	}
	if (executable === 'node' && rest.includes('--test')) {
		const own = rest.filter((arg) => !/^--test-reporter(-destination)?(=|$)/.test(arg));
		const run = ['node', ...nodeReporterArgs(files), ...own];
		return { runner: 'custom', shown: command, command: run, readOnlyPaths: [], judge: (result) => judgeByReport(result, files.report, (text) => readNodeReport(text, files.workspace)) };
	}
	void kind;
	const judge = async (run: SandboxResult, output: string): Promise<Verdict> => {
		const parsed = parseAny(output);
		return {
			status: statusOf(run, parsed),
			passed: parsed.passed,
			failed: parsed.failed,
			failures: parsed.failures,
			note: "judged by the command's own output and exit code, which the code under test can fake (only pytest, unittest and node --test get a report file)",
		};
	};
	return { runner: 'custom', shown: command, command, readOnlyPaths: [], judge };
}

function statusOf(run: SandboxResult, parsed: ParsedTestOutput): TestStatus {
	if (run.timedOut) return 'timeout';
	if (parsed.loadFailures.length > 0) return 'error';
	if (!parsed.recognised) return run.exitCode === 0 ? 'passed' : 'error';
	if (parsed.passed + parsed.failed === 0) return 'error'; // no tests found
	if (parsed.failed > 0) return 'failed';
	return run.exitCode === 0 ? 'passed' : 'error';
}

function parseAny(output: string): ParsedTestOutput {
	for (const parse of [parseNodeTap, parsePytest, parseUnittest]) {
		const parsed = parse(output);
		if (parsed.recognised) return parsed;
	}
	return parseNodeTap(output);
}

function errorReport(runner: string, command: string[], problem: string, kind: 'bubblewrap' | 'process', started: number, reason: string | undefined): TestReport {
	const isolation: SandboxIsolation = { sandbox: kind, network: kind === 'bubblewrap', writesOutsideWorkspace: kind === 'bubblewrap' };
	return {
		status: 'error',
		passed: 0,
		failed: 0,
		durationMs: Math.round(performance.now() - started),
		output: problem,
		failures: [],
		runner,
		command,
		isolation: reason ? { ...isolation, fallbackReason: reason } : isolation,
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
