import { LlmOutputError } from '../../../runtime/llm';
import { runPlannerStep } from '../../../runtime/pipeline';
import { meteredAgentCall } from '../../../runtime/pipeline/metering';
import { TestRedis } from '../../support/redis';
import { isolatedStore } from '../state/fixtures';
import { mathPlan, MODEL, stepContext, useModelServer } from './support';

// The event log names who made each change: every change a planner step makes is logged with its
// context's source (the node or the worker), whichever way the step goes. And metering a failed
// model call never hides the model's failure.

const redis = new TestRedis('stepsources');
const server = useModelServer(redis);

const settings = { model: MODEL, maxRepairs: 0, maxTasks: 12 };

describe('the planner step\'s events carry the step\'s source', () => {
	it('logs intake → planning, the plan and planning → planned with the source', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Math', requirements: 'A small math library.' });
		server().enqueue({ content: JSON.stringify(mathPlan()) });

		await runPlannerStep(stepContext(store, server()), project.id, settings);

		const events = (await store.events(project.id)).filter((e) => e.type !== 'project.created');
		expect(events.map((e) => [e.type, e.source])).toEqual([
			['project.status_changed', 'test:pipeline'],
			['project.plan_set', 'test:pipeline'],
			['project.status_changed', 'test:pipeline'],
		]);
	});

	it('logs the move to planned of a project whose plan was stored already with the source', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Math again', requirements: 'A small math library.' });
		await store.updateStatus(project.id, 'planning', { source: 'earlier' });
		await store.setPlan(project.id, mathPlan(), { source: 'earlier' });

		await runPlannerStep(stepContext(store, server()), project.id, settings);

		const last = (await store.events(project.id)).at(-1);
		expect(last).toMatchObject({ type: 'project.status_changed', source: 'test:pipeline' });
		expect((await store.get(project.id)).status).toBe('planned');
	});
});

describe('metering a failed model call', () => {
	it('throws the model\'s error even when its usage cannot be stored', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Gone', requirements: 'x' });
		const failing = Object.create(store) as typeof store;
		failing.addUsage = async () => {
			throw new Error('Redis went away');
		};
		const modelError = new LlmOutputError(MODEL, 'not json', ['not JSON'], 1, { promptTokens: 3, completionTokens: 4, totalTokens: 7, llmMs: 5, wallMs: 6, calls: 1 });

		await expect(meteredAgentCall({ store: failing, source: 'test' }, project.id, 'planner', () => Promise.reject(modelError))).rejects.toBe(modelError);
	});

	it('meters an output error\'s usage, and nothing for any other failure', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create({ title: 'Metered', requirements: 'x' });
		const usage = { promptTokens: 3, completionTokens: 4, totalTokens: 7, llmMs: 5, wallMs: 6, calls: 1 };

		await expect(meteredAgentCall({ store, source: 'test' }, project.id, 'planner', () => Promise.reject(new LlmOutputError(MODEL, 'x', ['bad'], 1, usage)))).rejects.toBeInstanceOf(LlmOutputError);
		await expect(meteredAgentCall({ store, source: 'test' }, project.id, 'planner', () => Promise.reject(new Error('connection refused')))).rejects.toThrow('connection refused');

		expect((await store.get(project.id)).usage.byRole.planner).toMatchObject({ promptTokens: 3, completionTokens: 4, calls: 1 });
	});
});
