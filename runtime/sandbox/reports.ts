import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import type { TestFailure, TestStatus } from '../contracts/testReport';

// Verdicts come from a report FILE the runner writes when it has finished, never from what the
// tests print: code under test can print a fake "# pass 1 / # fail 0" summary, or call
// process.exit(0) / os._exit(0) on load before a single test ran, and both used to be reported as
// passed. The runner (node --test's reporter, or our Python runner around pytest or unittest)
// writes the file only once the run is over, so a run cut short leaves it missing or empty.
//
// The file has a random name (128 bits) in a folder with a random name, outside the workspace, in
// a scratch folder the tests can search but (as root, where they run as a uid of their own) not
// list; the tests are not told the name: it is not in their environment, their working folder or,
// for Node, on any command line (the reporter module holds it). What a test can still forge, and
// the README says so: code that sets out to fake a result can read the name (from the reporter
// module, whose path is on node's command line, readable in /proc/<pid>/cmdline; from the Python
// runner's command line; and in the in-process runners, Python's and the Node fallback's, from the
// memory it shares with the runner), then write the file itself, or patch the runner in memory
// (same uid: ptrace, /proc/<pid>/mem). The report file stops accidents (a CLI module that exits on
// load) and naive fakes (a summary printed on stdout), not a test suite written to deceive its
// own runner.

/** What a runner's report says about a run. */
export interface RunnerReport {
	passed: number;
	failed: number;
	skipped: number;
	failures: TestFailure[];
	/** Test files (or modules) that could not be loaded: a syntax error, a missing module, a non-zero exit on load. */
	loadFailures: string[];
	/** Test files that ran no test at all: they exited (e.g. process.exit(0) when loaded) before registering any. */
	filesWithoutTests: string[];
	/** The exit code the runner itself meant to exit with, when it says (our Python runner does). */
	exitCode?: number;
}

export type ReportReading = { report: RunnerReport } | { problem: string };

const MAX_REPORT_BYTES = 32 * 1024 * 1024;
const MAX_FAILURES = 200;
const MAX_MESSAGE = 2000;

/** The report file's text, when it is a regular file (not a link, FIFO or device the tests put there) of sane size. */
export async function readReportFile(path: string): Promise<{ text: string } | { problem: string }> {
	const stat = await lstat(path).catch(() => null);
	if (!stat) return { problem: "the test runner wrote no report (it did not finish: the tests may have exited the runner's process, e.g. with process.exit or os._exit)" };
	if (!stat.isFile()) return { problem: "the test runner's report is not a regular file" };
	if (stat.size === 0) return { problem: "the test runner's report is empty (it did not finish: the tests may have exited the runner's process, e.g. with process.exit or os._exit)" };
	if (stat.size > MAX_REPORT_BYTES) return { problem: `the test runner's report is larger than ${MAX_REPORT_BYTES} bytes` };
	const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
	try {
		return { text: await handle.readFile('utf8') };
	} finally {
		await handle.close();
	}
}

/**
 * The status of a run from its report and its exit code. The report must exist, be complete and
 * count at least one test, no test file may have failed to load or have run no test, and the
 * counts must agree with the exit code (failures and exit code 0, or no failures and a non-zero
 * exit, mean something after the report changed the outcome): otherwise `error`, never `passed`.
 */
export function decideStatus(run: { timedOut: boolean; exitCode: number | null }, reading: ReportReading): { status: TestStatus; problem?: string } {
	if (run.timedOut) return { status: 'timeout' };
	if ('problem' in reading) return { status: 'error', problem: reading.problem };
	const { report } = reading;
	if (report.loadFailures.length > 0) return { status: 'error', problem: `could not load: ${report.loadFailures.join(', ')}` };
	if (report.filesWithoutTests.length > 0) {
		return { status: 'error', problem: `ran no test: ${report.filesWithoutTests.join(', ')} (did it exit while being loaded, e.g. process.exit() in the code it requires?)` };
	}
	if (report.passed + report.failed === 0) return { status: 'error', problem: 'no test ran' };
	if (report.exitCode !== undefined && report.exitCode !== run.exitCode) {
		return { status: 'error', problem: `the runner meant to exit with ${report.exitCode} but the process exited with ${run.exitCode ?? 'a signal'}: something after the tests changed the outcome` };
	}
	if (report.failed > 0) {
		return run.exitCode !== 0 ? { status: 'failed' } : { status: 'error', problem: `the report counts ${report.failed} failed test(s) but the runner exited with 0` };
	}
	return run.exitCode === 0 ? { status: 'passed' } : { status: 'error', problem: `every test passed but the runner exited with ${run.exitCode ?? 'a signal'}` };
}

function message(text: string): string {
	const trimmed = text.trim();
	return trimmed.length > MAX_MESSAGE ? `${trimmed.slice(0, MAX_MESSAGE)}…` : trimmed;
}

function emptyReport(): RunnerReport {
	return { passed: 0, failed: 0, skipped: 0, failures: [], loadFailures: [], filesWithoutTests: [] };
}

function addFailure(report: RunnerReport, test: string, text: string): void {
	if (report.failures.length < MAX_FAILURES) report.failures.push({ test, message: message(text) });
}

function parseJson(text: string, format: string): Record<string, unknown> | { problem: string } {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		return { problem: "the test runner's report is not complete JSON (it did not finish)" };
	}
	if (!data || typeof data !== 'object' || (data as Record<string, unknown>).format !== format || (data as Record<string, unknown>).done !== true) {
		return { problem: "the test runner's report is not one the sandbox's runner wrote" };
	}
	return data as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// node:test

/** One test:pass or test:fail event, as NODE_REPORTER writes it. */
interface NodeEvent {
	result: 'pass' | 'fail';
	name: string;
	nesting: number;
	file: string | null;
	suite: boolean;
	skip: boolean;
	todo: boolean;
	failureType: string | null;
	message: string | null;
}

interface NodeTree {
	event: NodeEvent;
	children: NodeTree[];
}

/**
 * Reads NODE_REPORTER's report. Events arrive as tests finish: children before their parent, each
 * parent right after its last child, so the tree is rebuilt per file from the nesting levels.
 * Counted like Node's own summary: every test (not suites), parents included; skipped and todo
 * apart. Failures are the tests that failed for a reason of their own ("suite > test"); a
 * top-level failure named after a test file is a file that did not load (its stderr says why);
 * a top-level pass named after a test file is a file that ran no test (node --test reports a
 * file that exited 0 before registering any test that way).
 */
export function readNodeReport(text: string, workspace: string, testFiles: string[] = []): ReportReading {
	const data = parseJson(text, 'ai-company-node-test-report');
	if ('problem' in data) return data as { problem: string };
	const events = Array.isArray(data.events) ? (data.events as NodeEvent[]) : [];
	const relative = (path: string) => (path.startsWith(`${workspace}/`) ? path.slice(workspace.length + 1) : path);
	// Keyed by the file as the workspace names it: Node 24 names it relative in test:stderr, absolute elsewhere.
	const stderr: Record<string, string> = {};
	for (const [file, text] of Object.entries(data.stderr && typeof data.stderr === 'object' ? (data.stderr as Record<string, string>) : {})) stderr[relative(file)] = text;
	const files = new Set(testFiles);
	const isFileName = (event: NodeEvent) => event.nesting === 0 && (files.has(relative(event.name)) || (event.name.startsWith('/') && event.name === event.file));

	const pending = new Map<string, NodeTree[][]>();
	const roots: NodeTree[] = [];
	for (const event of events) {
		const key = event.file ?? '';
		const levels = pending.get(key) ?? [];
		pending.set(key, levels);
		const node: NodeTree = { event, children: levels[event.nesting + 1] ?? [] };
		levels.length = event.nesting + 1;
		(levels[event.nesting] ??= []).push(node);
		if (event.nesting === 0) roots.push(node);
	}

	const report = emptyReport();
	const visit = (node: NodeTree, path: string[]) => {
		const { event } = node;
		if (isFileName(event)) {
			const file = relative(event.name);
			if (node.children.length > 0) {
				node.children.forEach((child) => visit(child, path));
				// A file that ran tests and then failed on its own (e.g. exited non-zero afterwards).
				if (event.result === 'fail' && event.failureType !== 'subtestsFailed') {
					report.loadFailures.push(file);
					addFailure(report, file, loadError(stderr[relative(event.file ?? event.name)], event.message));
				}
			} else if (event.result === 'fail') {
				report.loadFailures.push(file);
				addFailure(report, file, loadError(stderr[relative(event.file ?? event.name)], event.message));
			} else {
				report.filesWithoutTests.push(file);
			}
			return;
		}
		const name = [...path, event.name];
		node.children.forEach((child) => visit(child, name));
		if (event.suite) {
			// A suite counts only when it failed without a failing test to show for it (a hook failed).
			if (event.result === 'fail' && event.failureType !== 'subtestsFailed' && node.children.length === 0) {
				report.failed++;
				addFailure(report, name.join(' > '), event.message ?? 'failed');
			}
			return;
		}
		if (event.skip || event.todo) report.skipped++;
		else if (event.result === 'pass') report.passed++;
		else {
			report.failed++;
			if (event.failureType !== 'subtestsFailed') addFailure(report, name.join(' > '), event.message ?? 'failed');
		}
	};
	roots.forEach((root) => visit(root, []));
	return { report };
}

// Node prints a test file's own stderr (e.g. its SyntaxError); the first "...Error: ..." line names it.
function loadError(stderr: string | undefined, fallback: string | null): string {
	const line = (stderr ?? '').split('\n').find((l) => /^[A-Za-z]*Error\b/.test(l));
	return line ?? (fallback && fallback !== 'test failed' ? fallback : (stderr?.trim().split('\n').slice(-3).join('\n') || 'could not be loaded'));
}

/**
 * A node:test reporter (ESM, Node 20 to 24) for one run: keeps what each test:pass and test:fail
 * event says and each test file's stderr (capped), and writes one JSON document to `reportPath`
 * when the run is over. It writes the file itself rather than through --test-reporter-destination:
 * the report's path is then not on the command line, and Node 24's permission model fails a file
 * destination when closing it (fsync is not allowed). A run that never ends the event stream (the
 * process exited, was killed) writes no file.
 */
export function nodeReporter(reportPath: string): string {
	return `// The sandbox's node:test reporter: one JSON document, written when the run is over.
import { writeFileSync } from 'node:fs';
const REPORT = ${JSON.stringify(reportPath)};
const MAX_EVENTS = 50000;
const MAX_STDERR = 8192;
function describe(error) {
	if (error === null || error === undefined) return null;
	if (typeof error === 'object' && 'message' in error) return String(error.message);
	return String(error);
}
export default async function* report(source) {
	const events = [];
	const stderr = {};
	for await (const event of source) {
		const data = event.data || {};
		if (event.type === 'test:pass' || event.type === 'test:fail') {
			if (events.length >= MAX_EVENTS) continue;
			const error = data.details && data.details.error;
			const cause = error && error.cause !== undefined ? error.cause : error;
			events.push({
				result: event.type === 'test:pass' ? 'pass' : 'fail',
				name: String(data.name).slice(0, 1000),
				nesting: Number(data.nesting) || 0,
				file: typeof data.file === 'string' ? data.file : null,
				suite: Boolean(data.details && data.details.type === 'suite'),
				skip: data.skip !== undefined && data.skip !== false,
				todo: data.todo !== undefined && data.todo !== false,
				failureType: (error && error.failureType) || null,
				message: event.type === 'test:fail' ? (describe(cause) || '').slice(0, 4000) : null,
			});
		} else if (event.type === 'test:stderr' && typeof data.file === 'string') {
			const text = (stderr[data.file] || '') + String(data.message);
			stderr[data.file] = text.length > MAX_STDERR ? text.slice(0, MAX_STDERR) : text;
		}
	}
	writeFileSync(REPORT, JSON.stringify({ format: 'ai-company-node-test-report', done: true, events, stderr }), { mode: 0o600 });
}
`;
}

// ---------------------------------------------------------------------------------------------
// Python

interface PythonTest {
	id: string;
	outcome: 'passed' | 'failed' | 'skipped';
	message?: string;
}

/** Reads PYTHON_RUNNER's report (pytest or unittest). */
export function readPythonReport(text: string): ReportReading {
	const data = parseJson(text, 'ai-company-python-test-report');
	if ('problem' in data) return data as { problem: string };
	const report = emptyReport();
	for (const load of Array.isArray(data.loadFailures) ? (data.loadFailures as Array<{ name: string; message: string }>) : []) {
		report.loadFailures.push(String(load.name));
		addFailure(report, String(load.name), String(load.message ?? 'could not be loaded'));
	}
	for (const test of Array.isArray(data.tests) ? (data.tests as PythonTest[]) : []) {
		if (test.outcome === 'passed') report.passed++;
		else if (test.outcome === 'skipped') report.skipped++;
		else {
			report.failed++;
			addFailure(report, String(test.id), String(test.message ?? 'failed'));
		}
	}
	if (typeof data.exitCode === 'number') report.exitCode = data.exitCode;
	return { report };
}

/**
 * Runs pytest or unittest and writes the report: `python3 RUNNER pytest|unittest REPORT [args…]`.
 * The report file is created (exclusively) before any test module is imported, and written only
 * after the run: a test that calls os._exit(0) while being imported, or in the middle, leaves it
 * empty. The exit code it reports is the one it then exits with; if something (an atexit handler)
 * changes it afterwards, the two disagree and the verdict is error.
 */
export const PYTHON_RUNNER = String.raw`# The sandbox's Python test runner: runs pytest or unittest, writes one JSON report when done.
import json
import os
import sys
import traceback


def last_line(text):
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def error_lines(text):
    # pytest's "E   ..." lines: the error, without the traceback around it.
    lines = [line[1:].strip() for line in str(text).splitlines() if line.startswith("E ")]
    lines = [line for line in lines if line]
    return "\n".join(lines[-3:]) if lines else last_line(text)


def exception_text(err):
    return last_line("".join(traceback.format_exception_only(err[0], err[1])))


def run_pytest(args, tests, load_failures):
    import pytest

    class Report:
        def pytest_collectreport(self, report):
            if report.failed:
                load_failures.append({"name": report.nodeid or ".", "message": error_lines(report.longreprtext)[:4000]})

        def pytest_runtest_logreport(self, report):
            entry = tests.setdefault(report.nodeid, {"id": report.nodeid, "outcome": "passed"})
            if report.failed:
                crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
                text = crash.message if crash is not None else error_lines(report.longreprtext)
                if entry["outcome"] != "failed":
                    entry["outcome"] = "failed"
                    entry["message"] = str(text)[:4000]
            elif report.skipped and entry["outcome"] == "passed":
                entry["outcome"] = "skipped"

    return int(pytest.main(["-q", "-rfE", "--tb=short", "-p", "no:cacheprovider", *args], plugins=[Report()]))


def run_unittest(args, tests, load_failures):
    import unittest

    def record(test, outcome, message=None):
        test_id = test.id()
        if test_id.startswith("unittest.loader._FailedTest."):
            load_failures.append({"name": test_id.rsplit(".", 1)[-1], "message": message or "could not be loaded"})
            return
        entry = tests.setdefault(test_id, {"id": test_id, "outcome": outcome})
        if outcome == "failed" and entry["outcome"] != "failed":
            entry["outcome"] = "failed"
        if message and "message" not in entry:
            entry["message"] = message[:4000]

    class Result(unittest.TextTestResult):
        def addSuccess(self, test):
            super().addSuccess(test)
            record(test, "passed")

        def addFailure(self, test, err):
            super().addFailure(test, err)
            record(test, "failed", exception_text(err))

        def addError(self, test, err):
            super().addError(test, err)
            record(test, "failed", exception_text(err))

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            record(test, "skipped")

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            record(test, "skipped")

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            record(test, "failed", "unexpected success")

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                record(test, "failed", exception_text(err))

    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=Result)
    program = unittest.main(module=None, argv=["python -m unittest", *args], testRunner=runner, exit=False)
    return 0 if program.result.wasSuccessful() else 1


def main():
    kind, report_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    fd = os.open(report_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    # Like "python -m": the working folder, not this script's, first on the path.
    sys.path[0] = os.getcwd()
    sys.argv = ["python -m " + kind, *args]
    tests = {}
    load_failures = []
    code = run_pytest(args, tests, load_failures) if kind == "pytest" else run_unittest(args, tests, load_failures)
    data = json.dumps({"format": "ai-company-python-test-report", "done": True, "runner": kind, "exitCode": code, "tests": list(tests.values()), "loadFailures": load_failures}).encode()
    while data:
        data = data[os.write(fd, data):]
    os.close(fd)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


main()
`;
