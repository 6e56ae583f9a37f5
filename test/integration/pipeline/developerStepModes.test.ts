import type { PlanTask, ProducedFile } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { runDeveloperStep } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { isolatedStore, steppingClock } from '../state/fixtures';
import { BUGGY_SUM, developerSettings, FIXED_SUM, mathPlan, scriptModel, stepContext, storedProject, SUM_TEST, sumCompany, turns, useModelServer } from './support';

// One developer turn on a stored task, for every state the store can hand it: which tasks it
// refuses, when it writes and when it fixes, what a fix prompt shows of a stored report (the
// failing regression tests of finished tasks, at most three), and which files it sees first
// when the budget is tight (the task's own, then its dependencies'). No test run is needed:
// the reports are stored as the tester would have stored them.

const redis = new TestRedis('devmodes');
const server = useModelServer(redis, sumCompany);

const FAILED_REPORT = {
	status: 'failed',
	passed: 0,
	failed: 1,
	output: 'TAP version 13\nnot ok 1 - sum adds two numbers\nthe run printed this line only',
	failures: [{ test: 'sum adds two numbers', message: 'Expected values to be strictly equal:\n\n-1 !== 5\n' }],
};

/** T1 with buggy code and its test stored, finished as `result` says. */
async function storedTask(store: ProjectStore, result: { testReport?: Record<string, unknown> | null; testFiles?: ProducedFile[] }): Promise<string> {
	const projectId = await storedProject(store);
	await store.startTask(projectId, 'T1');
	await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });
	await store.recordTaskResult(projectId, 'T1', {
		status: 'failed',
		testFiles: result.testFiles ?? [{ path: 'test/sum.test.js', content: SUM_TEST }],
		testReport: result.testReport ?? null,
		error: 'failed',
	});
	return projectId;
}

/** The text of the prompt's fenced block that follows `heading` (e.g. "End of the test output:"). */
function fencedAfter(prompt: string, heading: string): string {
	const match = new RegExp(`${heading}\\n<(CLIENT_DATA_[0-9a-f]+)>\\n?([\\s\\S]*?)\\n?</\\1>`).exec(prompt);
	if (!match) throw new Error(`no fenced block after "${heading}" in:\n${prompt}`);
	return match[2];
}

function testFileBlocks(prompt: string): string[] {
	const section = prompt.split('The tests (do not change them; change the code)')[1]?.split('Failures:')[0] ?? '';
	return [...section.matchAll(/^--- (\S+)$/gm)].map((m) => m[1]);
}

describe('tasks the developer step refuses', () => {
	it('refuses a finished task, naming taskId and the attempt its tests passed on, without a model call', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskResult(projectId, 'T1', { status: 'failed', error: 'first try' });
		await store.startTask(projectId, 'T1');
		const done = await store.recordTaskResult(projectId, 'T1', { status: 'done' });

		const error = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings()).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'taskId', message: 'taskId: task "T1" is already done; its tests passed on attempt 2' });
		expect(server().chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).version).toBe(done.version);
	});

	it.each([
		['a pending task (no report at all)', null, undefined],
		['a failed task whose stored report says passed', { status: 'passed', passed: 1, failed: 0, output: '', failures: [] }, undefined],
		['a failed task with a failing report but no tests', FAILED_REPORT, []],
	])('in Fix mode refuses %s, naming mode, without starting it or calling the model', async (label, testReport, testFiles) => {
		const store = isolatedStore(redis);
		const projectId = label.startsWith('a pending') ? await storedProject(store) : await storedTask(store, { testReport, testFiles });
		const before = await store.get(projectId);

		const error = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ mode: 'fix' })).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({
			field: 'mode',
			message: 'mode: task "T1" has no failing test report to fix: run the AI Tester first, or use the Write mode',
		});
		expect(server().chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).version).toBe(before.version);
	});
});

describe('write or fix', () => {
	it.each([
		['no report', null, undefined],
		['a report that says passed', { status: 'passed', passed: 1, failed: 0, output: '', failures: [] }, undefined],
		['a failing report but no tests to pass', FAILED_REPORT, []],
	])('in Auto mode writes a failed task with %s afresh, as its next attempt', async (_label, testReport, testFiles) => {
		const store = isolatedStore(redis);
		const projectId = await storedTask(store, { testReport, testFiles });

		const { output, attempt, project } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ mode: 'auto' }));

		expect(output.mode).toBe('write');
		expect(turns(server()).map((t) => t.fix)).toEqual([false]);
		expect(attempt).toBe(2);
		expect(project.tasks.T1).toMatchObject({ status: 'in_progress', attempts: 2, developedAttempt: 2 });
	});

	it('in Fix mode fixes a failed task from its stored report: failures and the end of the output shown', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedTask(store, { testReport: FAILED_REPORT });

		const { output, attempt } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ mode: 'fix' }));

		expect(output).toMatchObject({ mode: 'fix', files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		expect(attempt).toBe(2);
		const [turn] = turns(server());
		expect(turn.fix).toBe(true);
		expect(fencedAfter(turn.prompt, 'Failures:')).toBe('- sum adds two numbers: Expected values to be strictly equal:\n\n-1 !== 5\n');
		expect(fencedAfter(turn.prompt, 'End of the test output:')).toBe(FAILED_REPORT.output);
	});

	it('fixes from a report stored without failures or output (an error report): both shown empty', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedTask(store, { testReport: { status: 'error' } });

		const { output } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings());

		expect(output.mode).toBe('fix');
		const [turn] = turns(server());
		expect(fencedAfter(turn.prompt, 'Failures:')).toBe('');
		expect(fencedAfter(turn.prompt, 'End of the test output:')).toBe('');
		expect(testFileBlocks(turn.prompt)).toEqual(['test/sum.test.js']);
	});

	it('continues a task in progress as the same attempt, without starting it again', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');

		const { attempt, project } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings());

		expect(attempt).toBe(1);
		expect(project.tasks.T1).toMatchObject({ status: 'in_progress', attempts: 1, files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });
		expect((await store.events(projectId)).filter((e) => e.type === 'task.started')).toHaveLength(1);
	});

	it('keeps the files of earlier turns the reply does not replace', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: BUGGY_SUM }, { path: 'src/index.js', content: "module.exports = require('./sum.js');\n" }] });
		scriptModel(server(), () => ({ summary: 'Fix sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }] }));
		try {
			const { project } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ mode: 'write' }));
			expect(project.tasks.T1.files).toEqual([
				{ path: 'src/index.js', content: "module.exports = require('./sum.js');\n" },
				{ path: 'src/sum.js', content: FIXED_SUM },
			]);
		} finally {
			scriptModel(server(), sumCompany);
		}
	});
});

describe('regressions in a fix prompt', () => {
	const task = (id: string): PlanTask => ({ id, title: `Module ${id}`, description: `lib/${id}.js`, dependsOn: [], acceptanceCriteria: ['works'], estimateHours: 1 });
	const testOf = (id: string): ProducedFile => ({ path: `test/${id}.test.js`, content: `// the test of ${id}\n` });

	it('shows the task\'s own tests once, then only the finished tasks\' tests the failures name, at most three', async () => {
		const store = isolatedStore(redis);
		const ids = ['A', 'B', 'C', 'D', 'E', 'F'];
		const projectId = await storedProject(store, mathPlan(ids.map(task)));
		for (const id of ['A', 'B', 'C', 'D', 'E']) {
			await store.startTask(projectId, id);
			await store.recordTaskResult(projectId, id, { status: 'done', files: [{ path: `lib/${id}.js`, content: `// ${id}\n` }], testFiles: [testOf(id)] });
		}
		await store.startTask(projectId, 'F');
		await store.recordTaskResult(projectId, 'F', {
			status: 'failed',
			files: [{ path: 'lib/F.js', content: '// F\n' }],
			testFiles: [testOf('F'), { path: 'test/F-more.test.js', content: '// more tests of F\n' }],
			testReport: {
				status: 'failed',
				// E's test is named by the output only, B's by a failure's message only, D's by a failure's name; C's by none.
				output: 'failing: test/F.test.js test/F-more.test.js test/E.test.js',
				failures: [
					{ test: 'A breaks', message: 'at test/A.test.js:1' },
					{ test: 'B breaks', message: 'see test/B.test.js' },
					{ test: 'test/D.test.js', message: 'fails too' },
				],
			},
		});

		await runDeveloperStep(stepContext(store, server()), projectId, 'F', developerSettings());

		const [turn] = turns(server());
		expect(turn.fix).toBe(true);
		// Own tests first, then the named regressions in the order the tasks finished: A, B, D (E is the fourth: left out).
		expect(testFileBlocks(turn.prompt)).toEqual(['test/F.test.js', 'test/F-more.test.js', 'test/A.test.js', 'test/B.test.js', 'test/D.test.js']);
	});

	it('shows a regression named only by a failure, and its own tests once even when the output names them and they ran first', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const projectId = await storedProject(store, mathPlan([task('A'), task('B')]));
		// Worked on side by side: B failed before A finished, so B's own tests run before A's.
		await store.startTask(projectId, 'A');
		await store.startTask(projectId, 'B');
		await store.recordTaskResult(projectId, 'B', {
			status: 'failed',
			testFiles: [testOf('B'), { path: 'test/B-more.test.js', content: '// more tests of B\n' }],
			testReport: {
				status: 'failed',
				output: 'failing: test/B.test.js test/B-more.test.js',
				failures: [{ test: 'A still works', message: 'AssertionError in test/A.test.js' }],
			},
		});
		await store.recordTaskResult(projectId, 'A', { status: 'done', testFiles: [testOf('A')] });

		await runDeveloperStep(stepContext(store, server()), projectId, 'B', developerSettings());

		expect(testFileBlocks(turns(server())[0].prompt)).toEqual(['test/B.test.js', 'test/B-more.test.js', 'test/A.test.js']);
	});
});

describe('the files a tight budget shows first', () => {
	// About 310 estimated tokens each: a budget of 700 shows two of them and none of the small ones.
	const big = (path: string): ProducedFile => ({ path, content: `// ${path}\n${'exports.value = 1;\n'.repeat(62)}` });
	const small = (path: string): ProducedFile => ({ path, content: `// ${path}\n${'x'.repeat(300)}\n` });
	const task = (id: string, dependsOn: string[] = []): PlanTask => ({ id, title: `Part ${id}`, description: 'Build the part.', dependsOn, acceptanceCriteria: ['works'], estimateHours: 1 });

	it('shows the task\'s own files, then those of the tasks it depends on, before smaller files of other tasks', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store, mathPlan([task('OTHER'), task('DEP'), task('MINE', ['DEP'])]));
		await store.startTask(projectId, 'OTHER');
		await store.recordTaskResult(projectId, 'OTHER', { status: 'done', files: [small('util/a.js'), small('util/b.js'), small('util/c.js')] });
		await store.startTask(projectId, 'DEP');
		await store.recordTaskResult(projectId, 'DEP', { status: 'done', files: [big('lib/dep.js')] });
		// MINE's first attempt wrote its file and failed without a test report: the next turn writes again.
		await store.startTask(projectId, 'MINE');
		await store.recordTaskWork(projectId, 'MINE', { files: [big('src/mine.js')] });
		await store.recordTaskResult(projectId, 'MINE', { status: 'failed', error: 'the tester gave up' });
		scriptModel(server(), () => ({ summary: 'Mine again', files: [big('src/mine.js')] }));
		try {
			const { output } = await runDeveloperStep(stepContext(store, server()), projectId, 'MINE', developerSettings({ contextTokens: 700 }));

			expect(output.mode).toBe('write');
			expect(output.contextFiles).toEqual(['src/mine.js', 'lib/dep.js']);
		} finally {
			scriptModel(server(), sumCompany);
		}
	});
});
