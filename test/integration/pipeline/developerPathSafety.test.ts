import { LlmOutputError } from '../../../runtime/llm';
import { publishStoredProject, runDeveloperStep, runTesterStep } from '../../../runtime/pipeline';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import {
	bareRepository,
	BUGGY_SUM,
	cloneOf,
	developerSettings,
	FIXED_SUM,
	gitOut,
	mathPlan,
	scriptModel,
	stepContext,
	storedProject,
	SUM_TASK,
	SUM_TEST,
	sumCompany,
	testerSettings,
	turns,
	type Turn,
	useModelServer,
} from './support';

// Whatever paths a model writes, nothing unsafe reaches the store: the developer's reply goes back
// to the model with the problem, and in fix mode the tests it must pass are not its to change.

const redis = new TestRedis('devpaths');
const server = useModelServer(redis);

const SAFE = { summary: 'Write sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }] };

/** A developer that answers with `first` and, once told what was wrong, with `repaired`. */
function developerWhoLearns(first: unknown, repaired: unknown = SAFE): (turn: Turn) => unknown {
	return (turn) => (turn.role === 'developer' && turn.repairRequests.length === 0 ? first : turn.role === 'developer' ? repaired : sumCompany(turn));
}

describe('unsafe paths from the developer model', () => {
	it.each([
		['../evil.js', 'must not contain ".." segments'],
		['src/../../evil.js', 'must not contain ".." segments'],
		['.git/config', 'must not touch git\'s own files'],
		['.GIT/hooks/pre-commit', 'must not touch git\'s own files'],
		['/etc/evil.js', 'must be relative to the workspace'],
	])('sends "%s" back for repair with the problem, and stores only the repaired files', async (unsafe, problem) => {
		scriptModel(server(), developerWhoLearns({ summary: 'Write sum', files: [{ path: 'src/sum.js', content: FIXED_SUM }, { path: unsafe, content: 'evil()' }] }));
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);

		const { output, project } = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings());

		const [first, repair] = turns(server());
		expect(first.repairRequests).toEqual([]);
		expect(repair.repairRequests).toHaveLength(1);
		expect(repair.repairRequests[0]).toContain(`files[1].path: ${problem}`);
		expect(repair.repairRequests[0]).toContain(JSON.stringify(unsafe));
		expect(output).toMatchObject({ repairs: 1, files: [{ path: 'src/sum.js', content: FIXED_SUM }], usage: { calls: 2 } });
		expect(project.tasks.T1.files).toEqual([{ path: 'src/sum.js', content: FIXED_SUM }]);
		const stored = await store.get(projectId);
		expect(JSON.stringify(stored)).not.toContain('evil');
		expect(stored.usage.byRole.developer.calls).toBe(2);
	});

	it('stores nothing when the model keeps returning an unsafe path, but meters the calls it made', async () => {
		scriptModel(server(), () => ({ summary: 'Write sum', files: [{ path: '../evil.js', content: 'evil()' }] }));
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);

		const error = await runDeveloperStep(stepContext(store, server()), projectId, 'T1', developerSettings({ maxRepairs: 1 })).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(LlmOutputError);
		expect((error as LlmOutputError).problems).toEqual([expect.stringContaining('files[0].path: must not contain ".." segments')]);
		expect(server().chatRequests()).toHaveLength(2);
		const project = await store.get(projectId);
		expect(project.tasks.T1).toMatchObject({ status: 'in_progress', files: [], testFiles: [] });
		expect(JSON.stringify(project)).not.toContain('evil');
		expect((await store.events(projectId)).map((e) => e.type)).not.toContain('task.work_recorded');
		// The two unusable replies were still paid for.
		expect(project.usage.byRole.developer).toMatchObject({ calls: 2 });
		expect(project.usage.byRole.developer.completionTokens).toBeGreaterThan(0);
	});
});

describe('fix mode: the tests are not the developer\'s to change', () => {
	/** A task whose tests failed for real: buggy code written, tests written and run. */
	async function failedTask(store: ProjectStore): Promise<string> {
		scriptModel(server(), sumCompany);
		const projectId = await storedProject(store);
		const context = stepContext(store, server());
		await runDeveloperStep(context, projectId, 'T1', developerSettings());
		const { report } = await runTesterStep(context, projectId, 'T1', testerSettings());
		expect(report.status).toBe('failed');
		server().requests.splice(0);
		return projectId;
	}

	const PASSING_TEST = SUM_TEST.replace('assert.equal(sum(2, 3), 5)', 'assert.ok(true)');

	it.each(['test/sum.test.js', './test/sum.test.js', 'test//sum.test.js'])(
		'sends a reply that rewrites the test file (as "%s") back for repair; the stored tests stay and judge the fix',
		async (testPath) => {
			const store = isolatedStore(redis);
			const projectId = await failedTask(store);
			scriptModel(
				server(),
				developerWhoLearns(
					{ summary: 'Make the test pass', files: [{ path: 'src/sum.js', content: BUGGY_SUM }, { path: testPath, content: PASSING_TEST }] },
					{ summary: 'Add instead of subtracting', files: [{ path: 'src/sum.js', content: FIXED_SUM }] },
				),
			);
			const context = stepContext(store, server());

			const { output } = await runDeveloperStep(context, projectId, 'T1', developerSettings());

			const [first, repair] = turns(server());
			expect(first.fix).toBe(true);
			expect(repair.repairRequests[0]).toContain('files must not change the tests (test/sum.test.js): fix the code instead');
			expect(output).toMatchObject({ mode: 'fix', repairs: 1, files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
			const task = (await store.get(projectId)).tasks.T1;
			expect(task.files).toEqual([{ path: 'src/sum.js', content: FIXED_SUM }]);
			expect(task.testFiles).toEqual([{ path: 'test/sum.test.js', content: SUM_TEST }]);

			// The unchanged tests pass against the fix, and the task publishes cleanly.
			const { report } = await runTesterStep(context, projectId, 'T1', testerSettings());
			expect(report).toMatchObject({ status: 'passed', passed: 1 });
			const bare = bareRepository();
			await publishStoredProject(store, projectId, { kind: 'git', url: bare }, 'test');
			expect(gitOut(cloneOf(bare), 'show', 'HEAD:test/sum.test.js')).toBe(SUM_TEST.trim());
		},
	);

	it('keeps the tests out of reach in Write mode too: a reply that writes the task\'s test file is repaired', async () => {
		const store = isolatedStore(redis);
		const projectId = await failedTask(store);
		scriptModel(
			server(),
			developerWhoLearns({ summary: 'Start over', files: [{ path: 'src/sum.js', content: FIXED_SUM }, { path: 'test/sum.test.js', content: PASSING_TEST }] }),
		);
		const context = stepContext(store, server());

		const { output } = await runDeveloperStep(context, projectId, 'T1', developerSettings({ mode: 'write' }));

		expect(turns(server())[0].fix).toBe(false);
		expect(turns(server())[1].repairRequests[0]).toContain('files must not change the tests (test/sum.test.js)');
		expect(output).toMatchObject({ mode: 'write', files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		expect((await store.get(projectId)).tasks.T1.files.map((f) => f.path)).toEqual(['src/sum.js']);
		// Code and tests stay apart, so the finished task still publishes.
		expect((await runTesterStep(context, projectId, 'T1', testerSettings())).report.status).toBe('passed');
		await expect(publishStoredProject(store, projectId, { kind: 'git', url: bareRepository() }, 'test')).resolves.toBeDefined();
	});

	it('keeps a finished task\'s tests (the regression tests) out of reach of the next task\'s developer', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store, mathPlan([SUM_TASK, { ...SUM_TASK, id: 'T2', title: 'Add a double function', description: 'src/double.js' }]));
		const context = stepContext(store, server());
		await store.startTask(projectId, 'T1');
		await store.recordTaskResult(projectId, 'T1', { status: 'done', files: [{ path: 'src/sum.js', content: FIXED_SUM }], testFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }] });
		scriptModel(
			server(),
			developerWhoLearns(
				{ summary: 'Double', files: [{ path: 'src/double.js', content: 'module.exports = (a) => a * 2;\n' }, { path: 'test/sum.test.js', content: PASSING_TEST }] },
				{ summary: 'Double', files: [{ path: 'src/double.js', content: 'module.exports = (a) => a * 2;\n' }] },
			),
		);

		await runDeveloperStep(context, projectId, 'T2', developerSettings());

		expect(turns(server())[1].repairRequests[0]).toContain('files must not change the tests (test/sum.test.js)');
		const project = await store.get(projectId);
		expect(project.tasks.T2.files.map((f) => f.path)).toEqual(['src/double.js']);
		expect(project.tasks.T1.testFiles).toEqual([{ path: 'test/sum.test.js', content: SUM_TEST }]);
	});
});
