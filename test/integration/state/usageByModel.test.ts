import { projectSchema } from '../../../runtime/contracts/project';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';
import { InvalidInputError } from '../../../runtime/errors';
import { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan } from './fixtures';

const redis = new TestRedis('usagebymodel');
afterAll(() => redis.cleanup());

const WRITERS = 60;

function usage(calls: number) {
	return { promptTokens: 100 * calls, completionTokens: 40 * calls, totalTokens: 140 * calls, llmMs: 10 * calls, wallMs: 12 * calls, calls };
}

describe("a project's usage by model and its cost", () => {
	it('keeps every one of 60 meterings from 60 connections at once: by role, by model and their cost, summed exactly', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		const roles = ['planner', 'developer', 'tester'];
		const models = ['llama3.2:3b', 'openai:gpt-4o-mini'];
		const writers = Array.from({ length: WRITERS }, (_, i) => new ProjectStore(redis.client(), { prefix: store.keys.prefix, source: `writer-${i}` }));
		// Writer i: role i % 3, model i % 2; the cloud model's calls cost $0.000123 each, the local one's nothing.
		await Promise.all(
			writers.map((s, i) => s.addUsage(project.id, roles[i % 3], usage(1), { model: models[i % 2], cost: i % 2 ? 0.000123 : 0 })),
		);

		const final = await store.get(project.id);
		expect(final.version).toBe(1 + WRITERS);
		expect(final.usage.total).toEqual(usage(WRITERS));
		expect(final.usage.byRole).toEqual({ planner: usage(20), developer: usage(20), tester: usage(20) });
		expect(final.usage.byModel).toEqual({ 'llama3.2:3b': usage(30), 'openai:gpt-4o-mini': usage(30) });
		// Odd writers are the cloud model's: per role, 10 of each role's 20 are odd.
		expect(final.usage.cost).toEqual({
			currency: 'USD',
			total: 0.00369,
			byRole: { planner: 0.00123, developer: 0.00123, tester: 0.00123 },
			byModel: { 'llama3.2:3b': 0, 'openai:gpt-4o-mini': 0.00369 },
		});
		expect(schemaProblems(projectSchema, final)).toEqual([]);
	});

	it('keeps usage, cost and another writer\'s change of the same project, written at once', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.setPlan(project.id, plan(['t1']));
		const meter = new ProjectStore(redis.client(), { prefix: store.keys.prefix, source: 'meter' });
		await Promise.all([
			...Array.from({ length: 20 }, () => meter.addUsage(project.id, 'developer', usage(1), { model: 'anthropic:claude-sonnet-4', cost: 0.01 })),
			store.startTask(project.id, 't1'),
			store.updateStatus(project.id, 'planning'),
		]);
		const final = await store.get(project.id);
		expect(final).toMatchObject({ status: 'planning', tasks: { t1: { status: 'in_progress', attempts: 1 } } });
		expect(final.usage.cost).toMatchObject({ total: 0.2, byRole: { developer: 0.2 }, byModel: { 'anthropic:claude-sonnet-4': 0.2 } });
		expect(final.usage.byModel!['anthropic:claude-sonnet-4'].calls).toBe(20);
	});

	it('refuses a model that is no reference, or a cost that is no amount, naming the field and changing nothing', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		const refused = async (options: object, field: string) => {
			const error = await store.addUsage(project.id, 'planner', usage(1), options).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(InvalidInputError);
			expect((error as InvalidInputError).field).toBe(field);
		};
		await refused({ model: '' }, 'model');
		await refused({ model: '__proto__' }, 'model');
		await refused({ model: 'x'.repeat(201) }, 'model');
		await refused({ model: 'bad\nname' }, 'model');
		await refused({ model: 'm', cost: -0.01 }, 'cost');
		await refused({ model: 'm', cost: Number.NaN }, 'cost');
		await refused({ model: 'm', cost: '0.5' }, 'cost');
		await refused({ model: 'm', reportOf: 0 }, 'reportOf');
		const after = await store.get(project.id);
		expect(after.version).toBe(project.version);
		expect(after.usage).toEqual(project.usage);
	});

	it("stores each attempt's model on the task with the developer's files", async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.setPlan(project.id, plan(['t1']));
		await store.startTask(project.id, 't1');
		await store.recordTaskWork(project.id, 't1', { files: [{ path: 'a.js', content: '1' }], model: 'qwen2.5-coder:7b' });
		await store.recordTaskResult(project.id, 't1', { status: 'failed', error: 'tests failed' });
		await store.startTask(project.id, 't1');
		await store.recordTaskWork(project.id, 't1', { files: [{ path: 'a.js', content: '2' }], model: 'openai:gpt-4o' });
		// Tests and reports recorded later leave the attempts' models as they are.
		await store.recordTaskWork(project.id, 't1', { testReport: { status: 'passed' } });
		const done = await store.recordTaskResult(project.id, 't1', { status: 'done' });
		expect(done.tasks.t1.attemptModels).toEqual([
			{ attempt: 1, model: 'qwen2.5-coder:7b' },
			{ attempt: 2, model: 'openai:gpt-4o' },
		]);
		expect(schemaProblems(projectSchema, done)).toEqual([]);
	});
});
