import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideStatus, readNodeReport, readPythonReport, readReportFile, type RunnerReport } from '../../../runtime/sandbox/reports';

const report = (fields: Partial<RunnerReport>): { report: RunnerReport } => ({
	report: { passed: 0, failed: 0, skipped: 0, failures: [], loadFailures: [], filesWithoutTests: [], ...fields },
});
const run = (exitCode: number | null, timedOut = false) => ({ exitCode, timedOut });

describe('decideStatus: the verdict from the report file and the exit code', () => {
	it.each([
		['all passed, exit 0', run(0), report({ passed: 3 }), 'passed'],
		['failures, exit 1', run(1), report({ passed: 1, failed: 2 }), 'failed'],
		['the summary says failures but the exit code says success', run(0), report({ passed: 1, failed: 1 }), 'error'],
		['the summary says all passed but the exit code says failure', run(1), report({ passed: 3 }), 'error'],
		['the summary says all passed but the process was killed by a signal', run(null), report({ passed: 3 }), 'error'],
		['zero tests ran, exit 0', run(0), report({}), 'error'],
		['only skipped tests, exit 0', run(0), report({ skipped: 4 }), 'error'],
		['a test file did not load', run(1), report({ passed: 2, loadFailures: ['test/broken.test.js'] }), 'error'],
		['a test file ran no test (exited while loaded)', run(0), report({ passed: 2, filesWithoutTests: ['cli.test.js'] }), 'error'],
		['the runner meant to exit 1, the process exited 0 (atexit os._exit(0))', run(0), report({ passed: 1, failed: 1, exitCode: 1 }), 'error'],
		['the runner meant to exit 0 and did', run(0), report({ passed: 2, exitCode: 0 }), 'passed'],
		['missing report', run(0), { problem: 'the test runner wrote no report' }, 'error'],
		['timed out, whatever the report says', run(null, true), report({ passed: 3 }), 'timeout'],
	] as const)('%s → %s', (_name, result, reading, status) => {
		const verdict = decideStatus(result, reading);
		expect(verdict.status).toBe(status);
		if (status === 'error') expect(verdict.problem).toEqual(expect.any(String));
	});
});

describe('readReportFile', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'report-file-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('a missing report is a problem, never a verdict', async () => {
		expect(await readReportFile(join(dir, 'none.json'))).toEqual({ problem: expect.stringMatching(/wrote no report/) });
	});

	it('an empty report (the runner was cut short) is a problem', async () => {
		writeFileSync(join(dir, 'empty.json'), '');
		expect(await readReportFile(join(dir, 'empty.json'))).toEqual({ problem: expect.stringMatching(/empty/) });
	});

	it('a link the tests put in place of the report is not followed', async () => {
		symlinkSync('/etc/hostname', join(dir, 'link.json'));
		expect(await readReportFile(join(dir, 'link.json'))).toEqual({ problem: expect.stringMatching(/not a regular file/) });
	});

	it('a folder is not a report', async () => {
		mkdirSync(join(dir, 'folder.json'));
		expect(await readReportFile(join(dir, 'folder.json'))).toEqual({ problem: expect.stringMatching(/not a regular file/) });
	});
});

const nodeReport = (events: object[], stderr: Record<string, string> = {}) => JSON.stringify({ format: 'ai-company-node-test-report', done: true, events, stderr });
const ev = (fields: object) => ({ result: 'pass', nesting: 0, file: '/w/a.test.js', suite: false, skip: false, todo: false, failureType: null, message: null, ...fields });

describe('readNodeReport', () => {
	it('rebuilds nesting from the order tests finish in, counts like Node (suites apart), names failures "suite > test"', () => {
		const text = nodeReport([
			ev({ name: 'adds', nesting: 1 }),
			ev({ name: 'subtracts', nesting: 1, result: 'fail', failureType: 'testCodeFailure', message: '2 !== 3' }),
			ev({ name: 'calc', suite: true, result: 'fail', failureType: 'subtestsFailed', message: '1 subtest failed' }),
			ev({ name: 'skipped', skip: true }),
			ev({ name: 'top', result: 'fail', failureType: 'testCodeFailure', message: 'boom' }),
		]);
		const reading = readNodeReport(text, '/w', ['a.test.js']);
		expect(reading).toEqual({
			report: expect.objectContaining({
				passed: 1,
				failed: 2,
				skipped: 1,
				failures: [
					{ test: 'calc > subtracts', message: '2 !== 3' },
					{ test: 'top', message: 'boom' },
				],
				loadFailures: [],
				filesWithoutTests: [],
			}),
		});
	});

	it('a test file that exited 0 before registering a test (node --test reports the file itself as passing) ran no test', () => {
		const text = nodeReport([ev({ name: 'adds' }), ev({ name: '/w/cli.test.js', file: '/w/cli.test.js' })]);
		expect(readNodeReport(text, '/w', ['a.test.js', 'cli.test.js'])).toEqual({ report: expect.objectContaining({ passed: 1, filesWithoutTests: ['cli.test.js'] }) });
	});

	it('a test file that failed on its own is a load failure, with the error from its stderr', () => {
		// Node 24 names the file relative in test:stderr, absolute in test:fail.
		const text = nodeReport([ev({ name: '/w/b.test.js', file: '/w/b.test.js', result: 'fail', failureType: 'testCodeFailure', message: 'test failed' })], {
			'b.test.js': "/w/b.test.js:1\nconst x = ;\n          ^\n\nSyntaxError: Unexpected token ';'\n    at wrapSafe\n",
		});
		expect(readNodeReport(text, '/w', ['b.test.js'])).toEqual({
			report: expect.objectContaining({ loadFailures: ['b.test.js'], failures: [{ test: 'b.test.js', message: "SyntaxError: Unexpected token ';'" }] }),
		});
	});

	it.each([
		['not JSON (cut short)', '{"format":"ai-company-node-test-report","done":tr'],
		['another format (e.g. a fake the tests wrote)', JSON.stringify({ format: 'tap', done: true, events: [] })],
		['not marked done', JSON.stringify({ format: 'ai-company-node-test-report', events: [] })],
	])('%s is a problem', (_name, text) => {
		expect(readNodeReport(text, '/w')).toEqual({ problem: expect.any(String) });
	});
});

describe('readPythonReport', () => {
	it('counts outcomes, lists failures and modules that did not import, and keeps the exit code the runner meant', () => {
		const text = JSON.stringify({
			format: 'ai-company-python-test-report',
			done: true,
			runner: 'unittest',
			exitCode: 1,
			tests: [
				{ id: 't.C.test_a', outcome: 'passed' },
				{ id: 't.C.test_b', outcome: 'failed', message: 'AssertionError: 1 != 2' },
				{ id: 't.C.test_c', outcome: 'skipped' },
			],
			loadFailures: [{ name: 'test_broken', message: 'SyntaxError: invalid syntax' }],
		});
		expect(readPythonReport(text)).toEqual({
			report: {
				passed: 1,
				failed: 1,
				skipped: 1,
				exitCode: 1,
				loadFailures: ['test_broken'],
				filesWithoutTests: [],
				failures: [
					{ test: 'test_broken', message: 'SyntaxError: invalid syntax' },
					{ test: 't.C.test_b', message: 'AssertionError: 1 != 2' },
				],
			},
		});
	});

	it('an unfinished report is a problem', () => {
		expect(readPythonReport('')).toEqual({ problem: expect.any(String) });
	});
});
