import type { Plan, ProducedFile } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { LlmOutputError } from '../../../runtime/llm';
import { runTesterStep } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { FIXED_SUM, mathPlan, scriptModel, stepContext, storedProject, SUM_TASK, SUM_TEST, sumCompany, testerSettings, turns, useModelServer } from './support';

// One tester turn on a stored task, with the code and tests stored as the developer and an earlier
// tester turn left them: which tasks it refuses, when it writes tests again, which files the run
// sees, and the one-line error a failed task keeps for each kind of report (failed, timeout,
// could not run). The tests really run in the sandbox.

const redis = new TestRedis('testerreports');
const server = useModelServer(redis, sumCompany);

/** T1 in progress with `files` written and `testFiles` stored (none: the tester writes them). */
async function taskInProgress(store: ProjectStore, files: ProducedFile[], testFiles: ProducedFile[], plan: Plan = mathPlan()): Promise<string> {
	const projectId = await storedProject(store, plan);
	await store.startTask(projectId, 'T1');
	await store.recordTaskWork(projectId, 'T1', { files });
	if (testFiles.length) await store.recordTaskWork(projectId, 'T1', { testFiles });
	return projectId;
}

const SUM: ProducedFile = { path: 'src/sum.js', content: FIXED_SUM };

describe('tasks the tester step refuses', () => {
	it.each([
		['pending', async (): Promise<void> => undefined],
		['failed', async (store: ProjectStore, id: string) => {
			await store.startTask(id, 'T1');
			await store.recordTaskResult(id, 'T1', { status: 'failed', error: 'x' });
		}],
		['done', async (store: ProjectStore, id: string) => {
			await store.startTask(id, 'T1');
			await store.recordTaskResult(id, 'T1', { status: 'done' });
		}],
	])('refuses a %s task, naming taskId and what to run first, without a model call or a change', async (status, prepare) => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await prepare(store, projectId);
		const before = await store.get(projectId);

		const error = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings()).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'taskId', message: `taskId: task "T1" is ${status}, not in progress: run the AI Developer on it first` });
		expect(server().chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).version).toBe(before.version);
	});
});

describe('writing the tests', () => {
	it('with regenerateTests, writes new tests for a task that has some, and runs those', async () => {
		const store = isolatedStore(redis);
		const failingOld = SUM_TEST.replace('assert.equal(sum(2, 3), 5)', 'assert.equal(sum(2, 3), 6)');
		const projectId = await taskInProgress(store, [SUM], [{ path: 'test/sum.test.js', content: failingOld }]);

		const { written, report, project } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings({ regenerateTests: true }));

		expect(turns(server()).map((t) => t.role)).toEqual(['tester']);
		expect(written?.testFiles).toEqual([{ path: 'test/sum.test.js', content: SUM_TEST }]);
		expect(report).toMatchObject({ status: 'passed', passed: 1 });
		expect(project.tasks.T1).toMatchObject({ status: 'done', testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] });
		expect(project.usage.byRole.tester).toMatchObject({ calls: 1 });
	});
	it('meters the tester\'s calls when it never gives usable tests, and leaves the task in progress without tests', async () => {
		const store = isolatedStore(redis);
		const projectId = await taskInProgress(store, [SUM], []);
		scriptModel(server(), () => 'no tests today');
		try {
			const error = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings({ maxRepairs: 1 })).catch((e: unknown) => e);

			expect(error).toBeInstanceOf(LlmOutputError);
			expect(server().chatRequests()).toHaveLength(2);
			const project = await store.get(projectId);
			expect(project.usage.byRole.tester).toMatchObject({ calls: 2 });
			expect(project.usage.byRole.tester.completionTokens).toBeGreaterThan(0);
			expect(project.tasks.T1).toMatchObject({ status: 'in_progress', testFiles: [] });
		} finally {
			scriptModel(server(), sumCompany);
		}
	});
});

describe('what the run sees', () => {
	it('runs the task\'s test, not a file another task wrote as code at the same path', async () => {
		const store = isolatedStore(redis);
		const plan = mathPlan([SUM_TASK, { ...SUM_TASK, id: 'T2', title: 'Other part', description: 'lib/other.js' }]);
		const projectId = await taskInProgress(store, [SUM], [{ path: 'test/sum.test.js', content: SUM_TEST }], plan);
		// T2, worked on in the same wave, wrote a "test" file as code that would fail if it ran.
		await store.startTask(projectId, 'T2');
		await store.recordTaskWork(projectId, 'T2', { files: [{ path: 'test/sum.test.js', content: "require('node:test')('fake', () => { throw new Error('not the tester\\'s test'); });\n" }] });

		const { report } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings());

		expect(report).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
		expect(report.output).not.toContain("not the tester's test");
	});

	it('chooses the runner from the plan\'s tech stack, and a task whose runner cannot be told fails naming it', async () => {
		const store = isolatedStore(redis);
		const plan: Plan = { ...mathPlan([{ ...SUM_TASK, description: 'src/main.rs' }]), techStack: ['Rust'] };
		const projectId = await taskInProgress(store, [{ path: 'src/main.rs', content: 'fn main() {}\n' }], [{ path: 'tests/sum_check.rs', content: '#[test]\nfn sums() {}\n' }], plan);

		const { report, project } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings());

		const problem = 'cannot tell which test runner to use: the tech stack (["Rust"]) and the files name neither JavaScript/TypeScript nor Python';
		expect(report).toMatchObject({ status: 'error', output: problem });
		expect(project.tasks.T1).toMatchObject({ status: 'failed', error: `the tests could not run: ${problem}` });
	});
});

describe('the error a failed task keeps', () => {
	it('names how many tests failed of how many, and the first five failing tests', async () => {
		const store = isolatedStore(redis);
		const names = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
		const test = [
			"const test = require('node:test');",
			"const assert = require('node:assert/strict');",
			"const { sum } = require('../src/sum.js');",
			"test('adds', () => assert.equal(sum(1, 1), 2));",
			...names.map((name) => `test('fails ${name}', () => assert.equal(sum(1, 1), 3));`),
			'',
		].join('\n');
		const projectId = await taskInProgress(store, [SUM], [{ path: 'test/sum.test.js', content: test }]);

		const { report, project } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings());

		expect(report).toMatchObject({ status: 'failed', passed: 1, failed: 7 });
		expect(project.tasks.T1).toMatchObject({
			status: 'failed',
			error: '7 of 8 tests failed: fails one; fails two; fails three; fails four; fails five',
		});
	});

	it('says a run that timed out did not finish, in whole seconds', async () => {
		const store = isolatedStore(redis);
		const projectId = await taskInProgress(store, [SUM], [{ path: 'test/sum.test.js', content: SUM_TEST }]);
		const run = { command: ['node', '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 1500, maxOutputBytes: 65536, sandbox: 'auto' as const };

		const { report, project } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings({ run }));

		expect(report.status).toBe('timeout');
		expect(report.durationMs).toBeGreaterThanOrEqual(1500);
		expect(report.durationMs).toBeLessThan(20_000);
		expect(project.tasks.T1.error).toBe(`the tests did not finish within ${Math.round(report.durationMs / 1000)} s`);
		expect(project.tasks.T1.error).toMatch(/^the tests did not finish within \d{1,2} s$/);
	});

	it('says a run that could not run failed so, with the last three lines of its output, at most 300 characters', async () => {
		const store = isolatedStore(redis);
		const projectId = await taskInProgress(store, [SUM], [{ path: 'test/sum.test.js', content: SUM_TEST }]);
		const long = 'y'.repeat(400);
		const script = `console.log(['first line', 'second line', 'third line', '${long}'].join('\\n')); process.exit(3);`;
		const run = { command: ['node', '-e', script], timeoutMs: 30_000, maxOutputBytes: 65536, sandbox: 'auto' as const };

		const { report, project } = await runTesterStep(stepContext(store, server()), projectId, 'T1', testerSettings({ run }));

		expect(report.status).toBe('error');
		const lines = report.output.split('\n');
		// The command's own output, then the sandbox's note on how it was judged.
		expect(lines.slice(0, 4)).toEqual(['first line', 'second line', 'third line', long]);
		expect(lines).toHaveLength(5);
		const error = project.tasks.T1.error!;
		expect(error.startsWith(`the tests could not run: third line ${'y'.repeat(100)}`)).toBe(true);
		expect(error).not.toContain('second line');
		expect(error).toHaveLength('the tests could not run: '.length + 300);
	});
});
