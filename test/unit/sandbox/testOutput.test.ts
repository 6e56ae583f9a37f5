import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNodeTap, parsePytest, parseUnittest } from '../../../runtime/sandbox/testOutput';

// Real runner output, captured here (stack frames cut, absolute paths made relative as runTests does).
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe("parsing Node's TAP reporter", () => {
	it('counts and names the failures of Node 24 output: nested as "suite > test", without the suites that failed only through them', () => {
		const parsed = parseNodeTap(fixture('node24-tap.txt'), ['a.test.js', 'b.test.js', 'd.test.js', 'c.test.mjs']);
		expect(parsed).toMatchObject({ passed: 3, failed: 4, recognised: true, loadFailures: ['b.test.js'] });
		expect(parsed.failures).toEqual([
			{ test: 'math > adds', message: 'Expected values to be strictly equal:\n\n2 !== 3' },
			{ test: "it's bad", message: 'boom\nsecond line' },
			{ test: 'b.test.js', message: "SyntaxError: Unexpected token ';'" },
			{ test: 'outer > inner #1 > deep fails', message: expect.stringMatching(/^Expected values to be strictly deep-equal:[\s\S]*\+ {3}a: 1\n- {3}a: 2/) },
		]);
	});

	it('reads Node 20 output the same way', () => {
		const parsed = parseNodeTap(fixture('node20-tap.txt'), ['a.test.js', 'b.test.js']);
		expect(parsed).toMatchObject({ passed: 2, failed: 3, loadFailures: ['b.test.js'] });
		expect(parsed.failures.map((f) => f.test)).toEqual(['math > adds', "it's bad", 'b.test.js']);
		expect(parsed.failures[2].message).toBe("SyntaxError: Unexpected token ';'");
	});

	it('counts from the real summary, not from summary or test-point lines the tests print, counts cancelled tests as failed, and reads test numbers past 9', () => {
		// node --test --test-reporter=tap on Node 20: nine passing tests, a tenth that prints
		// "not ok 1 - fake from stdout" and "fail 7" (which TAP shows as "# ..." lines) and fails,
		// and an eleventh cancelled at its timeout.
		const parsed = parseNodeTap(fixture('node20-tap-fakes.txt'), ['a.test.js']);
		expect(parsed).toMatchObject({ passed: 9, failed: 2, recognised: true, loadFailures: [] });
		expect(parsed.failures.map((f) => f.test)).toEqual(['tenth fails', 'cancelled one']);
	});

	it('recognises nothing in output that is not TAP', () => {
		expect(parseNodeTap('Segmentation fault\n')).toMatchObject({ recognised: false, passed: 0, failed: 0, failures: [] });
	});
});

describe('parsing pytest -q', () => {
	it('counts, names failures by node id, and completes a message the summary line cut short', () => {
		const parsed = parsePytest(fixture('pytest-failing.txt'));
		expect(parsed).toMatchObject({ passed: 1, failed: 2, recognised: true, loadFailures: [] });
		expect(parsed.failures).toEqual([
			{ test: 'test_calc.py::CalcTest::test_err', message: 'ValueError: kaboom' },
			{ test: 'test_calc.py::CalcTest::test_sub', message: 'AssertionError: 2 != 1 : subtraction is off' },
		]);
	});

	it('reports a module that does not import as a load failure with its error', () => {
		const parsed = parsePytest(fixture('pytest-collection-error.txt'));
		expect(parsed).toMatchObject({ passed: 0, failed: 1, loadFailures: ['test_broken.py'] });
		expect(parsed.failures).toEqual([{ test: 'test_broken.py', message: expect.stringMatching(/SyntaxError: invalid syntax$/) }]);
	});

	it('recognises "no tests ran" as a run with no tests', () => {
		expect(parsePytest('\nno tests ran in 0.01s\n')).toMatchObject({ recognised: true, passed: 0, failed: 0 });
	});
});

describe('parsing python -m unittest', () => {
	it('counts, names failures as module.Class.test with the last line of the traceback, and spots modules that did not import', () => {
		const parsed = parseUnittest(fixture('unittest-failing.txt'));
		expect(parsed).toMatchObject({ passed: 1, failed: 3, recognised: true, loadFailures: ['test_broken'] });
		expect(parsed.failures).toEqual([
			{ test: 'test_broken', message: 'SyntaxError: invalid syntax' },
			{ test: 'test_calc.CalcTest.test_err', message: 'ValueError: kaboom' },
			{ test: 'test_calc.CalcTest.test_sub', message: 'AssertionError: 2 != 1 : subtraction is off' },
		]);
	});

	it('reads a passing run', () => {
		const output = '...\n----------------------------------------------------------------------\nRan 3 tests in 0.001s\n\nOK (skipped=1)\n';
		expect(parseUnittest(output)).toMatchObject({ recognised: true, passed: 2, failed: 0, failures: [] });
	});
});
