import { ProjectStore, VersionConflictError } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan } from './fixtures';

const redis = new TestRedis('concurrency');
afterAll(() => redis.cleanup());

const WRITERS = 50;

/** One store per writer, each on its own connection, all on the same keys. */
function writers(prefix: string, count = WRITERS): ProjectStore[] {
	return Array.from({ length: count }, (_, i) => new ProjectStore(redis.client(), { prefix, source: `writer-${i}` }));
}

function usage(calls: number) {
	return { promptTokens: 10 * calls, completionTokens: 5 * calls, totalTokens: 15 * calls, llmMs: 100 * calls, wallMs: 120 * calls, calls };
}

describe('concurrent updates to one project', () => {
	it('keeps every one of 50 task results written at once from 50 connections', async () => {
		const store = isolatedStore(redis);
		const taskIds = Array.from({ length: WRITERS }, (_, i) => `t${i}`);
		const { project } = await store.create(intake());
		await store.setPlan(project.id, plan(taskIds));
		const clients = writers(store.keys.prefix);
		await Promise.all(clients.map((s, i) => s.startTask(project.id, taskIds[i])));
		await Promise.all(
			clients.map((s, i) =>
				s.recordTaskResult(project.id, taskIds[i], {
					status: i % 5 === 0 ? 'failed' : 'done',
					files: [{ path: `src/${taskIds[i]}.ts`, content: `// by writer ${i}\n` }],
				}),
			),
		);

		const final = await store.get(project.id);
		for (const [i, id] of taskIds.entries()) {
			expect(final.tasks[id]).toMatchObject({
				status: i % 5 === 0 ? 'failed' : 'done',
				attempts: 1,
				files: [{ path: `src/${id}.ts`, content: `// by writer ${i}\n` }],
			});
		}
		// create + plan + 50 starts + 50 results, each exactly once.
		expect(final.version).toBe(2 + 2 * WRITERS);
		const events = await store.events(project.id, { count: 1000 });
		expect(events).toHaveLength(2 + 2 * WRITERS);
		expect(events.map((e) => e.version)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
	});

	it('sums usage added by 50 connections at once without losing any', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		const roles = ['planner', 'developer', 'tester'];
		await Promise.all(writers(store.keys.prefix).map((s, i) => s.addUsage(project.id, roles[i % 3], usage(1))));

		const final = await store.get(project.id);
		expect(final.usage.total).toEqual(usage(WRITERS));
		expect(final.usage.byRole).toEqual({ planner: usage(17), developer: usage(17), tester: usage(16) });
		expect(final.version).toBe(1 + WRITERS);
	});

	it('refuses an update with a stale expectedVersion, naming both versions, and changes nothing', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.updateStatus(project.id, 'planning', { expectedVersion: 1 });
		const before = await redis.snapshot(store.keys.prefix);

		const error = await store.updateStatus(project.id, 'planned', { expectedVersion: 1 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(VersionConflictError);
		expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
		expect((error as Error).message).toMatch(/version 2.*version 1/);
		expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
		expect(await store.updateStatus(project.id, 'planned', { expectedVersion: 2 })).toMatchObject({ status: 'planned', version: 3 });
	});

	it('lets exactly one of many writers holding the same expectedVersion win', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		const outcomes = await Promise.allSettled(
			writers(store.keys.prefix, 10).map((s, i) =>
				s.addUsage(project.id, 'planner', usage(i + 1), { expectedVersion: project.version }),
			),
		);
		const won = outcomes.filter((o) => o.status === 'fulfilled');
		const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(9);
		for (const o of lost) expect(o.reason).toBeInstanceOf(VersionConflictError);
		const final = await store.get(project.id);
		expect(final.version).toBe(2);
		expect(final.usage.total).toEqual((won[0] as PromiseFulfilledResult<typeof final>).value.usage.total);
	});
});
