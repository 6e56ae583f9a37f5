import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CallLimiter } from '../../../runtime/llm/callLimiter';
import { developAndTestTask, publishStoredProject, runDeveloperStep, runTesterStep } from '../../../runtime/pipeline';
import { resolveSandbox } from '../../../runtime/sandbox';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import {
	bareRepository,
	BUGGY_SUM,
	changedPaths,
	cloneOf,
	developerSettings,
	FIXED_SUM,
	gitOut,
	logOf,
	scriptModel,
	stepContext,
	storedProject,
	SUM_TEST,
	sumCompany,
	testerSettings,
	turns,
	useModelServer,
} from './support';

// The fix loop of issue 4 end to end: a scripted model writes a bug, its tests really fail in the
// sandbox, the developer is shown the failure and fixes it, the tests really pass, and the
// repository built from the store has one commit for the task.

const redis = new TestRedis('fixloop');
const server = useModelServer(redis);
let sandbox: 'bubblewrap' | 'process';

beforeAll(async () => {
	sandbox = await resolveSandbox('auto');
});

/** The log of a task fixed in one round; both ways of running the loop (step by step, or as one call) leave it. */
const SUM_FIXED_ONCE = [
	'project.created',
	'project.plan_set',
	'task.started #1',
	'task.work_recorded files=src/sum.js',
	'task.work_recorded testFiles=test/sum.test.js',
	'task.failed #1',
	'task.started #2',
	'task.work_recorded files=src/sum.js',
	'task.done #2',
];

async function eventSummary(store: ProjectStore, projectId: string): Promise<string[]> {
	return (await store.events(projectId)).map((e) => {
		const data = e.data as { attempt?: number; files?: string[]; testFiles?: string[] };
		if (e.type === 'task.work_recorded') return `${e.type} ${data.files ? `files=${data.files.join(',')}` : `testFiles=${data.testFiles?.join(',')}`}`;
		return data.attempt === undefined ? e.type : `${e.type} #${data.attempt}`;
	});
}

describe('the fix loop, one step at a time (as the canvas runs it)', () => {
	it('fails on the bug, fixes it from the failure, passes, and publishes one commit for the task', async () => {
		scriptModel(server(), sumCompany);
		const store = isolatedStore(redis);
		const context = stepContext(store, server());
		const projectId = await storedProject(store);

		// 1. The developer writes the buggy code.
		const written = await runDeveloperStep(context, projectId, 'T1', developerSettings());
		expect(written.attempt).toBe(1);
		expect(written.output).toMatchObject({ mode: 'write', files: [{ path: 'src/sum.js', content: BUGGY_SUM }], repairs: 0 });
		expect(written.project.tasks.T1).toMatchObject({ status: 'in_progress', attempts: 1, files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });

		// 2. The tester writes the tests, and they really fail in the sandbox.
		const failing = await runTesterStep(context, projectId, 'T1', testerSettings());
		expect(failing.written?.testFiles).toEqual([{ path: 'test/sum.test.js', content: SUM_TEST }]);
		expect(failing.report).toMatchObject({ status: 'failed', passed: 0, failed: 1, runner: 'node', isolation: { sandbox } });
		expect(failing.report.failures).toEqual([{ test: 'sum adds two numbers', message: expect.stringContaining('-1 !== 5') }]);
		const failedTask = (await store.get(projectId)).tasks.T1;
		expect(failedTask).toMatchObject({ status: 'failed', attempts: 1, testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] });
		expect(failedTask.testReport).toEqual(failing.report);
		expect(failedTask.error).toMatch(/1 of 1 tests failed: sum adds two numbers/);

		// 3. The developer (auto) sees the failure and the test file, and fixes the code.
		const fixed = await runDeveloperStep(context, projectId, 'T1', developerSettings({ mode: 'auto' }));
		expect(fixed.attempt).toBe(2);
		expect(fixed.output).toMatchObject({ mode: 'fix', files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		const fixTurn = turns(server())[2];
		expect(fixTurn).toMatchObject({ role: 'developer', fix: true });
		expect(fixTurn.prompt).toContain('- sum adds two numbers: ');
		expect(fixTurn.prompt).toContain('-1 !== 5');
		expect(fixTurn.prompt).toContain(`--- test/sum.test.js\n${SUM_TEST}`);
		expect(fixTurn.prompt).toContain(`--- src/sum.js\n${BUGGY_SUM}`);

		// 4. The same tests (not rewritten) now pass, and the task is done on attempt 2.
		const passing = await runTesterStep(context, projectId, 'T1', testerSettings());
		expect(passing.written).toBeUndefined();
		expect(passing.report).toMatchObject({ status: 'passed', passed: 1, failed: 0, failures: [] });
		expect(turns(server()).map((t) => `${t.role}${t.fix ? ':fix' : ''}`)).toEqual(['developer', 'tester', 'developer:fix']);

		const project = await store.get(projectId);
		expect(project.tasks.T1).toMatchObject({
			status: 'done',
			attempts: 2,
			files: [{ path: 'src/sum.js', content: FIXED_SUM }],
			testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }],
			testReport: { status: 'passed' },
		});
		expect(project.usage.byRole.developer).toMatchObject({ calls: 2 });
		expect(project.usage.byRole.developer.promptTokens).toBe(written.output.usage.promptTokens + fixed.output.usage.promptTokens);
		expect(project.usage.byRole.tester).toEqual(failing.written!.usage);
		expect(project.usage.total.calls).toBe(3);
		expect(await eventSummary(store, projectId)).toEqual(SUM_FIXED_ONCE);
		expect((await store.events(projectId)).every((e) => e.type.startsWith('project.') || e.source === 'test:pipeline')).toBe(true);

		// 5. Published: a README commit, then "T1: <title>" with the fixed code and its test.
		const bare = bareRepository();
		const { project: published, result } = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test:publish');
		const clone = cloneOf(bare);
		const log = logOf(clone);
		expect(log.map((line) => line.slice(41))).toEqual(['T1: Add a sum function', 'Start Math library']);
		expect(result).toEqual({ url: bare, branch: 'main', commit: log[0].slice(0, 40), commits: [{ taskId: 'T1', sha: log[0].slice(0, 40) }] });
		expect(changedPaths(clone, result.commit!)).toEqual(['src/sum.js', 'test/sum.test.js']);
		expect(changedPaths(clone, log[1].slice(0, 40))).toEqual(['README.md']);
		expect(readFileSync(join(clone, 'src/sum.js'), 'utf8')).toBe(FIXED_SUM);
		expect(readFileSync(join(clone, 'test/sum.test.js'), 'utf8')).toBe(SUM_TEST);
		expect(readFileSync(join(clone, 'README.md'), 'utf8')).toContain('# Math library');
		// Dated when the task finished (whole seconds in git), not when it was published.
		expect(new Date(gitOut(clone, 'log', '-1', '--format=%aI', result.commit!)).toISOString()).toBe(project.tasks.T1.updatedAt.replace(/\.\d{3}Z$/, '.000Z'));
		expect(published.repository).toEqual({ url: bare, branch: 'main', lastCommit: result.commit });
		expect((await store.get(projectId)).repository).toEqual({ url: bare, branch: 'main', lastCommit: result.commit });
		expect((await store.events(projectId)).at(-1)).toMatchObject({ type: 'project.repository_set', source: 'test:publish' });
	});
});

describe('developAndTestTask: the fix loop as one call (for the worker)', () => {
	it('runs write → test (fails) → fix → test (passes) and reports done after 2 attempts', async () => {
		scriptModel(server(), sumCompany);
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);

		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', {
			developer: developerSettings(),
			tester: testerSettings(),
			maxAttempts: 3,
		});

		expect(result).toMatchObject({ status: 'done', attempts: 2, report: { status: 'passed', passed: 1, failed: 0 } });
		expect(turns(server()).map((t) => `${t.role}${t.fix ? ':fix' : ''}`)).toEqual(['developer', 'tester', 'developer:fix']);
		expect(turns(server())[2].prompt).toContain('-1 !== 5');
		const project = await store.get(projectId);
		expect(project.tasks.T1).toMatchObject({ status: 'done', attempts: 2, files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		expect(project.usage.byRole).toMatchObject({ developer: { calls: 2 }, tester: { calls: 1 } });
		expect(await eventSummary(store, projectId)).toEqual(SUM_FIXED_ONCE);

		const bare = bareRepository();
		const { result: published } = await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test:publish');
		const clone = cloneOf(bare);
		expect(logOf(clone).map((line) => line.slice(41))).toEqual(['T1: Add a sum function', 'Start Math library']);
		expect(readFileSync(join(clone, 'src/sum.js'), 'utf8')).toBe(FIXED_SUM);
		expect((await store.get(projectId)).repository).toEqual({ url: bare, branch: 'main', lastCommit: published.commit });
	});

	it("runs each of the task's test runs in a test slot of the worker, as its project's", async () => {
		scriptModel(server(), sumCompany);
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const owners: string[] = [];
		const testSlots = new (class extends CallLimiter {
			override run<T>(call: () => Promise<T>, signal?: AbortSignal, owner = ''): Promise<T> {
				owners.push(owner);
				return super.run(call, signal, owner);
			}
		})(1);

		const result = await developAndTestTask({ ...stepContext(store, server()), testSlots }, projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 3 });

		expect(result).toMatchObject({ status: 'done', attempts: 2 });
		expect(owners).toEqual([projectId, projectId]);
		expect(testSlots.inFlight).toBe(0);
	});

	it('stops at maxAttempts with status failed, leaving the task failed in the store with the last report', async () => {
		// A developer that never finds the bug.
		scriptModel(server(), (turn) => (turn.role === 'developer' ? { summary: 'Try again', files: [{ path: 'src/sum.js', content: BUGGY_SUM }] } : sumCompany(turn)));
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);

		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', {
			developer: developerSettings(),
			tester: testerSettings(),
			maxAttempts: 2,
		});

		expect(result.status).toBe('failed');
		expect(result.attempts).toBe(2);
		expect(result.report).toMatchObject({ status: 'failed', failed: 1, failures: [{ test: 'sum adds two numbers' }] });
		// Two developer turns (write, fix) and the tests written once: no third developer turn.
		expect(turns(server()).map((t) => `${t.role}${t.fix ? ':fix' : ''}`)).toEqual(['developer', 'tester', 'developer:fix']);
		const task = (await store.get(projectId)).tasks.T1;
		expect(task).toMatchObject({ status: 'failed', attempts: 2, error: expect.stringMatching(/1 of 1 tests failed: sum adds two numbers/) });
		expect(task.testReport).toEqual(result.report);
		expect((await store.events(projectId)).filter((e) => e.type === 'task.failed').map((e) => e.data.attempt)).toEqual([1, 2]);

		// A failed task is nothing to publish.
		await expect(publishStoredProject(store, projectId, { kind: 'git', url: bareRepository() }, 'test')).rejects.toMatchObject({ field: 'projectId' });
	});

	it('with maxAttempts 1, makes no fix turn at all', async () => {
		scriptModel(server(), sumCompany);
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 1 });
		expect(result).toMatchObject({ status: 'failed', attempts: 1, report: { status: 'failed' } });
		expect(turns(server()).map((t) => t.role)).toEqual(['developer', 'tester']);
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'failed', attempts: 1 });
	});
});
