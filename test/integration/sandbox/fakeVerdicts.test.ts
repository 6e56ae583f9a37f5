import { pythonFor, runTests } from '../../../runtime/sandbox/runners';
import { forAnyCommand, removeWorkspaces, SANDBOXES, workspaceWith } from './support';

// Code under test that ends the runner's process early, or prints a runner's summary itself, must
// never make a run "passed": the verdict comes from the runner's report file (see reports.ts).

afterAll(removeWorkspaces);

const limits = { timeoutMs: 20_000, maxOutputBytes: 256 * 1024 };

const FAKE_TAP = 'TAP version 13\\nok 1 - everything works\\n1..1\\n# tests 1\\n# suites 0\\n# pass 1\\n# fail 0\\n# cancelled 0';

describe.each(SANDBOXES)('faking a passing node:test run, in the %s sandbox', (sandbox) => {
	const run = (files: Record<string, string>) => runTests(workspaceWith(files).workspace, { techStack: ['Node.js'], ...limits, sandbox });

	it('a CLI-style module that calls process.exit(0) when loaded: not passed, the file named', async () => {
		const report = await run({
			'src/cli.js': "console.log('usage: cli <file>');\nprocess.exit(0);\nexports.run = () => 1;\n",
			'cli.test.js': "const { test } = require('node:test'); const assert = require('node:assert'); const cli = require('./src/cli');\ntest('runs', () => assert.strictEqual(cli.run(), 2));\n",
		});
		expect(report.status).toBe('error');
		expect(report.status).not.toBe('passed');
		expect(report.output).toMatch(/\[sandbox\] error: (ran no test: cli\.test\.js|the test runner wrote no report|the test runner's report is empty)/);
	});

	it('a test file that prints a fake TAP summary and exits 0: not passed', async () => {
		const report = await run({ 'fake.test.js': `console.log('${FAKE_TAP}');\nprocess.exit(0);\n` });
		expect(report.status).toBe('error');
		expect(report.output).toContain('# pass 1'); // printed, and ignored
	});

	it('one honest file and one that exits 0 on load: not passed (the honest file\'s tests do not hide the other)', async () => {
		const report = await run({
			'a.test.js': "const { test } = require('node:test'); test('fine', () => {});\n",
			'b.test.js': `console.log('${FAKE_TAP}'); process.exit(0);\nrequire('node:test').test('never runs', () => { throw new Error('x'); });\n`,
		});
		expect(report.status).toBe('error');
	});

	it('an honest run still passes, counted from the report', async () => {
		const report = await run({ 'a.test.js': "const { test } = require('node:test'); test('one', () => {}); test('two', () => {});\n" });
		expect(report).toMatchObject({ status: 'passed', passed: 2, failed: 0 });
	});
});

const EXITS_ON_IMPORT = {
	'calc.py': 'import os\nprint("Ran 3 tests in 0.001s\\n\\nOK")\nprint("3 passed in 0.01s")\nos._exit(0)\n',
	'test_calc.py': 'import unittest\nimport calc\n\n\nclass CalcTest(unittest.TestCase):\n    def test_never_runs(self):\n        self.fail("the module exited before this")\n',
};

describe.each(SANDBOXES.map(forAnyCommand))('faking a passing Python run, in the %s sandbox', (sandbox) => {
	it('os._exit(0) when the module under test is imported, with a fake summary printed first: not passed (the chosen runner)', async () => {
		const python = await pythonFor(sandbox);
		const report = await runTests(workspaceWith(EXITS_ON_IMPORT).workspace, { techStack: ['Python'], ...limits, sandbox });
		expect(report).toMatchObject({ status: 'error', runner: python!.pytest ? 'pytest' : 'unittest' });
		expect(report.output).toMatch(/\[sandbox\] error: the test runner's report is empty/);
	});

	it.each(['unittest', 'pytest'])('the same, run as the command `python -m %s`: not passed', async (module) => {
		const python = (await pythonFor(sandbox))!;
		if (module === 'pytest' && !python.pytest) return; // this python has no pytest
		const report = await runTests(workspaceWith(EXITS_ON_IMPORT).workspace, { command: [python.executable, '-m', module], ...limits, sandbox });
		expect(report.status).toBe('error');
	});

	it('os._exit(0) at exit after a failing test (an atexit handler): not passed, the exit code disagrees with the report', async () => {
		const files = {
			'test_calc.py': 'import atexit, os, unittest\natexit.register(lambda: os._exit(0))\n\n\nclass CalcTest(unittest.TestCase):\n    def test_fails(self):\n        self.assertEqual(1, 2)\n',
		};
		const report = await runTests(workspaceWith(files).workspace, { techStack: ['Python'], ...limits, sandbox });
		expect(report.status).toBe('error');
		expect(report.output).toMatch(/meant to exit with 1 but the process exited with 0/);
	});

	it('an honest failing run is failed, with its counts from the report', async () => {
		const files = { 'test_calc.py': 'import unittest\n\n\nclass CalcTest(unittest.TestCase):\n    def test_ok(self):\n        pass\n\n    def test_fails(self):\n        self.assertEqual(1, 2)\n' };
		const report = await runTests(workspaceWith(files).workspace, { techStack: ['Python'], ...limits, sandbox });
		expect(report).toMatchObject({ status: 'failed', passed: 1, failed: 1 });
	});
});
