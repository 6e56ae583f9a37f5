import { InvalidInputError } from '../../../runtime/errors';
import { developAndTestTask, type FixLoopSettings } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { InvalidTransitionError } from '../../../runtime/state/errors';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { BUGGY_SUM, developerSettings, stepContext, storedProject, SUM_TEST, sumCompany, testerSettings, turns, useModelServer } from './support';

// The worker's fix loop turn by turn: which attempt each turn announces to beforeTurn (where the
// worker stops a cancelled project), where a task found in the store resumes, what it returns for a
// task already settled, and which refusals count as "another run moved the task" (retried at most
// three times) rather than failures. Most cases stop the loop from beforeTurn before any test run.

const redis = new TestRedis('loopturns');
const server = useModelServer(redis, sumCompany);

/** What the worker's beforeTurn stops with when the project was cancelled. */
class Stop extends Error {}

type Call = [phase: 'develop' | 'test' | 'review', attempt: number];

/** Settings whose beforeTurn records each call and, from `throwAt` on, throws what `error` gives (a Stop by default). */
function loopSettings(calls: Call[], options: { maxAttempts?: number; throwAt?: Call[0]; error?: () => Error } = {}): FixLoopSettings {
	return {
		developer: developerSettings(),
		tester: testerSettings(),
		maxAttempts: options.maxAttempts ?? 3,
		beforeTurn: (phase, attempt) => {
			calls.push([phase, attempt]);
			// A guard, so a loop that never gives up fails the test instead of hanging it.
			if (calls.length > 12) throw new Error('the loop did not stop');
			if (phase === options.throwAt) throw (options.error ?? (() => new Stop('cancelled')))();
		},
	};
}

const FAILED_REPORT = {
	status: 'failed',
	passed: 0,
	failed: 1,
	output: 'not ok 1 - sum adds two numbers',
	failures: [{ test: 'sum adds two numbers', message: 'Expected values to be strictly equal:\n\n-1 !== 5\n' }],
};

/** A task whose first attempt wrote code and tests that failed, as the tester leaves it. */
async function failedOnce(store: ProjectStore): Promise<string> {
	const projectId = await storedProject(store);
	await store.startTask(projectId, 'T1');
	await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });
	await store.recordTaskWork(projectId, 'T1', { testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] });
	await store.recordTaskResult(projectId, 'T1', { status: 'failed', testReport: FAILED_REPORT, error: '1 of 1 tests failed: sum adds two numbers' });
	return projectId;
}

describe('beforeTurn, called before each turn with the attempt the turn belongs to', () => {
	it('announces develop 1, test 1, develop 2, test 2 for a task fixed on its second attempt', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const calls: Call[] = [];

		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls));

		expect(result).toMatchObject({ status: 'done', attempts: 2 });
		expect(calls).toEqual([
			['develop', 1],
			['test', 1],
			['develop', 2],
			['test', 2],
		]);
	});

	it('stops the loop when beforeTurn throws (a cancelled project): no developer call, the task left as it was', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const calls: Call[] = [];

		await expect(developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { throwAt: 'develop' }))).rejects.toBeInstanceOf(Stop);

		expect(calls).toEqual([['develop', 1]]);
		expect(server().chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'pending', attempts: 0 });
	});

	it('resumes a task started without code (a worker died after starting it) as that same attempt, even its last one', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		const calls: Call[] = [];

		await expect(developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { maxAttempts: 1, throwAt: 'test' }))).rejects.toBeInstanceOf(Stop);

		expect(calls).toEqual([
			['develop', 1],
			['test', 1],
		]);
		expect(turns(server()).map((t) => `${t.role}${t.fix ? ':fix' : ''}`)).toEqual(['developer']);
		const task = (await store.get(projectId)).tasks.T1;
		expect(task).toMatchObject({ status: 'in_progress', attempts: 1, developedAttempt: 1, files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });
		expect((await store.events(projectId)).filter((e) => e.type === 'task.started')).toHaveLength(1);
	});

	it('resumes a failed task with attempts left as its next attempt, with a fix turn shown the stored failure', async () => {
		const store = isolatedStore(redis);
		const projectId = await failedOnce(store);
		const calls: Call[] = [];

		await expect(developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { throwAt: 'test' }))).rejects.toBeInstanceOf(Stop);

		expect(calls).toEqual([
			['develop', 2],
			['test', 2],
		]);
		const [fix] = turns(server());
		expect(fix).toMatchObject({ role: 'developer', fix: true });
		expect(fix.prompt).toContain('-1 !== 5');
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'in_progress', attempts: 2, developedAttempt: 2 });
	});
});

describe('a task the store already settled', () => {
	it('returns a finished task with its stored report, without any turn', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const passed = { status: 'passed', passed: 1, failed: 0, output: 'ok 1 - sum adds two numbers', failures: [] };
		await store.startTask(projectId, 'T1');
		await store.recordTaskResult(projectId, 'T1', { status: 'done', testReport: passed });
		const calls: Call[] = [];

		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls));

		expect(result).toEqual({ status: 'done', attempts: 1, report: passed });
		expect(calls).toEqual([]);
		expect(server().chatRequests()).toHaveLength(0);
	});

	it('returns a failed task out of attempts with its stored report, and one with attempts left is not returned', async () => {
		const store = isolatedStore(redis);
		const projectId = await failedOnce(store);
		const calls: Call[] = [];

		expect(await developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { maxAttempts: 1 }))).toEqual({
			status: 'failed',
			attempts: 1,
			report: FAILED_REPORT,
		});
		expect(calls).toEqual([]);

		await expect(developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { maxAttempts: 2, throwAt: 'develop' }))).rejects.toBeInstanceOf(Stop);
		expect(calls).toEqual([['develop', 2]]);
	});

	it('returns a null report for a settled task that has none', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskResult(projectId, 'T1', { status: 'failed', error: 'the developer gave up' });
		expect(await developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings([], { maxAttempts: 1 }))).toEqual({ status: 'failed', attempts: 1, report: null });
	});
});

describe('refusals that mean another run of the task moved it first', () => {
	async function runThrowingAtTest(error: () => Error): Promise<{ outcome: unknown; calls: Call[]; developerTurns: number }> {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const calls: Call[] = [];
		const outcome = await developAndTestTask(stepContext(store, server()), projectId, 'T1', loopSettings(calls, { throwAt: 'test', error })).catch((e: unknown) => e);
		return { outcome, calls, developerTurns: turns(server()).filter((t) => t.role === 'developer').length };
	}

	it('re-reads the store after a refused move of this task, and gives up after three such refusals in a row', async () => {
		const { outcome, calls, developerTurns } = await runThrowingAtTest(() => new InvalidTransitionError('p', 'in_progress', 'done', 'T1'));

		expect(outcome).toBeInstanceOf(InvalidTransitionError);
		// One developer turn (the code stays written), then the test turn tried 1 + 3 times.
		expect(calls).toEqual([
			['develop', 1],
			['test', 1],
			['test', 1],
			['test', 1],
			['test', 1],
		]);
		expect(developerTurns).toBe(1);
	});

	it('counts "task not in progress" (an InvalidInputError on taskId) as moved too', async () => {
		const { outcome, calls } = await runThrowingAtTest(() => new InvalidInputError('taskId', 'task "T1" is done, not in progress'));
		expect(outcome).toBeInstanceOf(InvalidInputError);
		expect(calls.filter(([phase]) => phase === 'test')).toHaveLength(4);
	});

	it.each([
		['a refused move of another task', () => new InvalidTransitionError('p', 'in_progress', 'done', 'T2')],
		['a refused move of the project itself', () => new InvalidTransitionError('p', 'planned', 'done')],
		['an InvalidInputError on another field', () => new InvalidInputError('mode', 'has no failing test report to fix')],
		['another error that happens to have a taskId field', () => Object.assign(new Error('not an input error'), { field: 'taskId' })],
		['any other error', () => new Error('disk full')],
	])('throws %s at once, after a single turn of each kind', async (_label, error) => {
		const { outcome, calls, developerTurns } = await runThrowingAtTest(error);

		expect(outcome).toBeInstanceOf(Error);
		expect((outcome as Error).message).toBe(error().message);
		expect(calls).toEqual([
			['develop', 1],
			['test', 1],
		]);
		expect(developerTurns).toBe(1);
	});
});
