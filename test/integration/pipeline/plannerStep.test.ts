import { runPlannerStep } from '../../../runtime/pipeline';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { mathPlan, MODEL, stepContext, useModelServer } from './support';

// The planner step as the service's plan job runs it: intake → planning → planned with the plan and
// its usage stored, and a project that has its plan already keeps it without a model call.

const redis = new TestRedis('plannerstep');
const server = useModelServer(redis);

const settings = { model: MODEL, maxRepairs: 1, maxTasks: 12 };

describe('runPlannerStep', () => {
	it('plans a project in intake: stores the plan and the planner usage, and moves it to planned', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Math', requirements: 'A small math library.' });
		server().enqueue({ content: JSON.stringify(mathPlan()), promptTokens: 30, completionTokens: 20 });
		const { project: planned, output } = await runPlannerStep(stepContext(store, server()), project.id, settings);
		expect(planned.status).toBe('planned');
		expect(planned.plan).toEqual(mathPlan());
		expect(Object.keys(planned.tasks)).toEqual(['T1']);
		expect(output?.plan).toEqual(mathPlan());
		expect(planned.usage.byRole.planner).toMatchObject({ promptTokens: 30, completionTokens: 20, calls: 1 });
		const events = (await store.events(project.id)).map((e) => e.type);
		expect(events).toEqual(expect.arrayContaining(['project.status_changed', 'project.plan_set']));
	});

	it('keeps the plan of a project that has one (a retried job) and asks the model nothing', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Math again', requirements: 'A small math library, again.' });
		await store.updateStatus(project.id, 'planning');
		await store.setPlan(project.id, mathPlan());
		const before = server().chatRequests().length;
		const first = await runPlannerStep(stepContext(store, server()), project.id, settings);
		expect(first.project.status).toBe('planned');
		expect(first.output).toBeUndefined();
		const again = await runPlannerStep(stepContext(store, server()), project.id, settings);
		expect(again.project.version).toBe(first.project.version);
		expect(server().chatRequests().length).toBe(before);
	});

	it('refuses a project past planning without a plan, naming projectId, and changes nothing', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Cancelled', requirements: 'Never mind.' });
		const cancelled = await store.updateStatus(project.id, 'cancelled');
		await expect(runPlannerStep(stepContext(store, server()), project.id, settings)).rejects.toMatchObject({ field: 'projectId', message: expect.stringMatching(/is cancelled; only a project in intake or planning can be planned/) });
		expect((await store.get(project.id)).version).toBe(cancelled.version);
	});

	it('meters the calls of a model that never gives a valid plan, and leaves the project in planning without one', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Broken', requirements: 'The model will not manage.' });
		server().enqueue({ content: 'not json', promptTokens: 5, completionTokens: 5 }, { content: '{"nope": 1}', promptTokens: 5, completionTokens: 5 });
		await expect(runPlannerStep(stepContext(store, server()), project.id, settings)).rejects.toMatchObject({ code: 'invalid_output' });
		const stored = await store.get(project.id);
		expect(stored).toMatchObject({ status: 'planning', plan: null });
		expect(stored.usage.byRole.planner).toMatchObject({ calls: 2, promptTokens: 10 });
	});
});
