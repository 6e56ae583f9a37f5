import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testReportSchema } from '../../../runtime/contracts/testReport';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';
import { pythonFor, runTests, type RunTestsOptions } from '../../../runtime/sandbox/runners';
import { forAnyCommand, removeWorkspaces, SANDBOXES, workspaceWith } from './support';

afterAll(removeWorkspaces);

const limits = { timeoutMs: 15_000, maxOutputBytes: 256 * 1024 };

const NODE_PASSING = {
	'package.json': '{ "name": "calc" }\n',
	'src/calc.js': 'exports.add = (a, b) => a + b;\nexports.sub = (a, b) => a - b;\n',
	'test/calc.test.js': [
		"const { test, describe } = require('node:test'); const assert = require('node:assert'); const { add, sub } = require('../src/calc');",
		"describe('calc', () => { test('adds', () => assert.strictEqual(add(1, 2), 3)); test('subtracts', () => assert.strictEqual(sub(3, 1), 2)); });",
		"test('adds negatives', () => assert.strictEqual(add(-1, -1), -2));",
	].join('\n'),
};

const NODE_FAILING = {
	'src/calc.js': 'exports.add = (a, b) => a - b;\n',
	'calc.test.mjs': [
		"import { test, describe } from 'node:test'; import assert from 'node:assert'; import calc from './src/calc.js';",
		"describe('calc', () => { test('adds', () => assert.strictEqual(calc.add(1, 2), 3)); test('is a function', () => assert.strictEqual(typeof calc.add, 'function')); });",
		"test('throws nicely', () => { throw new Error('login endpoint returned 500'); });",
	].join('\n'),
};

describe.each(SANDBOXES)('node --test reports, in the %s sandbox', (sandbox) => {
	const run = (files: Record<string, string>, options: Partial<RunTestsOptions> = {}) =>
		runTests(workspaceWith(files).workspace, { techStack: ['Node.js'], ...limits, sandbox, ...options });

	it('a passing suite: status passed, every test counted, no failures, a report matching its schema', async () => {
		const report = await run(NODE_PASSING);
		expect(report).toMatchObject({ status: 'passed', passed: 3, failed: 0, failures: [], runner: 'node', isolation: { sandbox } });
		expect(report.command).toContain('test/calc.test.js');
		expect(report.output).toMatch(/ℹ pass 3/); // Node's spec reporter, for people
		expect(schemaProblems(testReportSchema, report)).toEqual([]);
	});

	it('a failing suite: status failed, counts, and each failing test by name with its message', async () => {
		const report = await run(NODE_FAILING);
		expect(report).toMatchObject({ status: 'failed', passed: 1, failed: 2 });
		expect(report.failures).toEqual([
			{ test: 'calc > adds', message: expect.stringMatching(/Expected values to be strictly equal:[\s\S]*-1 !== 3/) },
			{ test: 'throws nicely', message: 'login endpoint returned 500' },
		]);
	});

	it('every test file runs in one Node process, not a Node start per file (a run of a big project stays cheap)', async () => {
		const files: Record<string, string> = {};
		for (const n of [1, 2, 3]) files[`test/f${n}.test.js`] = `require('node:test')('file ${n}', () => console.log('pid of file ${n}:', process.pid));\n`;
		const report = await run(files);
		expect(report).toMatchObject({ status: 'passed', passed: 3 });
		const pids = [...report.output.matchAll(/pid of file \d: (\d+)/g)].map((match) => match[1]);
		expect(pids).toHaveLength(3);
		expect(new Set(pids).size).toBe(1);
	});

	it('a test file with a syntax error: status error, the file named with the SyntaxError', async () => {
		const report = await run({ ...NODE_PASSING, 'test/broken.test.js': 'const x = ;\n' });
		expect(report.status).toBe('error');
		expect(report.failures).toContainEqual({ test: 'test/broken.test.js', message: expect.stringMatching(/SyntaxError: Unexpected token/) });
	});

	it('TypeScript test files: run where this Node strips types, else status error naming the Node needed', async () => {
		const report = await run({
			'src/greet.ts': 'export function greet(name: string): string { return `hi ${name}`; }\n',
			'src/greet.test.ts': "import { test } from 'node:test'; import assert from 'node:assert'; import { greet } from './greet.ts';\ntest('greets', () => { const who: string = 'ada'; assert.strictEqual(greet(who), 'hi ada'); });\n",
		});
		if (process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')) {
			expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
		} else {
			expect(report).toMatchObject({ status: 'error', output: expect.stringMatching(/TypeScript test files need Node 22\.6 or newer.*this is Node 20/) });
		}
	});

	it('no test files: status error saying so, without running anything', async () => {
		const report = await run({ 'src/calc.js': NODE_PASSING['src/calc.js'] });
		expect(report).toMatchObject({ status: 'error', passed: 0, failed: 0, command: [] });
		expect(report.output).toMatch(/no test files found/);
	});

	it('runs in a scratch copy: what the tests write never reaches the workspace', async () => {
		const { workspace } = workspaceWith({
			'artifact.test.js': "const { test } = require('node:test'); test('writes', () => require('node:fs').writeFileSync('coverage.json', '{}'));\n",
		});
		const report = await runTests(workspace, { techStack: ['Node.js'], ...limits, sandbox });
		expect(report).toMatchObject({ status: 'passed', passed: 1 });
		expect(existsSync(join(workspace, 'coverage.json'))).toBe(false);
		expect(readdirSync(workspace)).toEqual(['artifact.test.js']);
	});
});

const PYTHON_FILES = {
	'calc.py': 'def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a + b\n',
	'test_calc.py': [
		'import unittest',
		'from calc import add, sub',
		'',
		'class CalcTest(unittest.TestCase):',
		'    def test_add(self):',
		'        self.assertEqual(add(1, 2), 3)',
		'',
		'    def test_sub(self):',
		'        self.assertEqual(sub(3, 1), 2, "subtraction is off")',
		'',
		'    def test_error(self):',
		'        raise ValueError("kaboom")',
		'',
	].join('\n'),
};

describe.each(SANDBOXES.map(forAnyCommand))('Python reports, in the %s sandbox', (sandbox) => {
	it('the chosen runner (pytest when importable, else unittest): counts and failures', async () => {
		const python = await pythonFor(sandbox);
		if (!python) throw new Error('python3 is needed for this test');
		const report = await runTests(workspaceWith(PYTHON_FILES).workspace, { techStack: ['Python'], ...limits, sandbox });
		expect(report).toMatchObject({ status: 'failed', passed: 1, failed: 2, runner: python.pytest ? 'pytest' : 'unittest' });
		const sub = report.failures.find((f) => f.test.includes('test_sub'));
		expect(sub?.message).toBe('AssertionError: 4 != 2 : subtraction is off');
		expect(report.failures.find((f) => f.test.includes('test_error'))?.message).toBe('ValueError: kaboom');
	});

	it('unittest (as the command): counts, failures named module.Class.test, and a passing run', async () => {
		const python = (await pythonFor(sandbox))!;
		const command = [python.executable, '-m', 'unittest', 'discover'];
		const failing = await runTests(workspaceWith(PYTHON_FILES).workspace, { command, ...limits, sandbox });
		expect(failing).toMatchObject({ status: 'failed', passed: 1, failed: 2, runner: 'custom', command });
		expect(failing.failures).toEqual([
			{ test: 'test_calc.CalcTest.test_error', message: 'ValueError: kaboom' },
			{ test: 'test_calc.CalcTest.test_sub', message: 'AssertionError: 4 != 2 : subtraction is off' },
		]);
		const fixed = { ...PYTHON_FILES, 'calc.py': 'def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n', 'test_calc.py': PYTHON_FILES['test_calc.py'].replace('raise ValueError("kaboom")', 'pass') };
		const passing = await runTests(workspaceWith(fixed).workspace, { command, ...limits, sandbox });
		expect(passing).toMatchObject({ status: 'passed', passed: 3, failed: 0, failures: [] });
	});

	it('a test module with a syntax error: status error naming it', async () => {
		const report = await runTests(workspaceWith({ ...PYTHON_FILES, 'test_broken.py': 'def x(:\n' }).workspace, { techStack: ['Python'], ...limits, sandbox });
		expect(report.status).toBe('error');
		expect(report.failures).toContainEqual({ test: expect.stringContaining('test_broken'), message: expect.stringMatching(/SyntaxError/) });
	});
});
