import { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan } from './fixtures';

const redis = new TestRedis('restart');
afterAll(() => redis.cleanup());

describe('restart survival', () => {
	it('shows a new connection everything the closed ones wrote', async () => {
		const store = isolatedStore(redis, { source: 'worker' });
		const prefix = store.keys.prefix;
		const { project } = await store.create(intake(), { idempotencyKey: 'restart-1' });
		await store.updateStatus(project.id, 'planning');
		await store.setPlan(project.id, plan(['a', 'b']));
		await store.updateStatus(project.id, 'planned');
		await store.updateStatus(project.id, 'development');
		await store.startTask(project.id, 'a');
		await store.recordTaskResult(project.id, 'a', { status: 'done', files: [{ path: 'src/a.ts', content: 'export const a = 1;\n' }], testReport: { passed: 1 } });
		await store.addUsage(project.id, 'developer', { promptTokens: 7, completionTokens: 3, totalTokens: 10, llmMs: 50, wallMs: 60, calls: 1 });
		await store.setRepository(project.id, { url: 'https://git.example.com/bakery.git', branch: 'main', lastCommit: 'abc123' });
		const { project: other } = await store.create(intake({ title: 'Other' }));
		await store.updateStatus(other.id, 'cancelled');

		const before = {
			project: await store.get(project.id),
			events: await store.events(project.id),
			active: await store.list(),
			cancelled: await store.list({ status: 'cancelled' }),
		};
		await redis.closeClients();

		const reopened = new ProjectStore(redis.client(), { prefix });
		expect(await reopened.get(project.id)).toEqual(before.project);
		expect(before.project).toMatchObject({
			status: 'development',
			version: 9,
			tasks: { a: { status: 'done', files: [{ path: 'src/a.ts', content: 'export const a = 1;\n' }] }, b: { status: 'pending' } },
			usage: { total: { calls: 1, promptTokens: 7 }, byRole: { developer: { calls: 1 } } },
			repository: { url: 'https://git.example.com/bakery.git', branch: 'main', lastCommit: 'abc123' },
		});
		expect(await reopened.events(project.id)).toEqual(before.events);
		expect(await reopened.list()).toEqual(before.active);
		expect(await reopened.list({ status: 'cancelled' })).toEqual(before.cancelled);
		expect(await reopened.create(intake({ title: 'ignored' }), { idempotencyKey: 'restart-1' })).toEqual({ project: before.project, created: false });

		const next = await reopened.updateStatus(project.id, 'testing', { expectedVersion: 9 });
		expect(next.version).toBe(10);
	});
});
