import { ProjectNotFoundError, VersionConflictError } from '../../../runtime/state';
import { keysWithPrefix, TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan, steppingClock } from './fixtures';

const redis = new TestRedis('archive');
afterAll(() => redis.cleanup());

describe('archive and delete', () => {
	it('archives a project out of every listing while keeping it and its log readable', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const { project } = await store.create(intake());
		await store.updateStatus(project.id, 'planning');
		const { project: kept } = await store.create(intake({ title: 'Kept' }));

		const archived = await store.archive(project.id, { source: 'api' });
		expect(archived).toMatchObject({ status: 'planning', version: 3, archivedAt: expect.any(String) });
		expect(await store.get(project.id)).toEqual(archived);
		expect((await store.list()).projects.map((p) => p.id)).toEqual([kept.id]);
		expect(await store.list({ status: 'planning' })).toMatchObject({ total: 0, projects: [] });
		expect(await redis.inspector.zscore(store.keys.allIndex, project.id)).not.toBeNull();
		expect((await store.events(project.id)).at(-1)).toMatchObject({ type: 'project.archived', source: 'api', data: { status: 'planning' } });

		// Archiving again changes nothing.
		expect(await store.archive(project.id)).toEqual(archived);
	});

	it('keeps an archived project out of the listings when it changes afterwards', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.archive(project.id);
		await store.updateStatus(project.id, 'planning');
		expect(await store.list()).toMatchObject({ total: 0 });
		expect(await store.list({ status: 'planning' })).toMatchObject({ total: 0 });
		expect(await store.get(project.id)).toMatchObject({ status: 'planning', archivedAt: expect.any(String) });
	});

	it('deletes the project, its log, its index entries and its idempotency key, and nothing else', async () => {
		const store = isolatedStore(redis);
		const prefix = store.keys.prefix;
		const { project: other } = await store.create(intake({ title: 'Other' }));
		const othersKeys = await keysWithPrefix(redis.inspector, prefix);
		const othersSnapshot = await redis.snapshot(prefix);

		const { project } = await store.create(intake(), { idempotencyKey: 'order-7' });
		await store.updateStatus(project.id, 'planning');
		await store.setPlan(project.id, plan());
		await store.delete(project.id);

		expect(await keysWithPrefix(redis.inspector, prefix)).toEqual(othersKeys);
		expect(await redis.snapshot(prefix)).toEqual(othersSnapshot);
		await expect(store.get(project.id)).rejects.toBeInstanceOf(ProjectNotFoundError);
		await expect(store.events(project.id)).rejects.toBeInstanceOf(ProjectNotFoundError);
		expect(await store.list()).toMatchObject({ total: 1, projects: [{ id: other.id }] });

		const again = await store.create(intake(), { idempotencyKey: 'order-7' });
		expect(again.created).toBe(true);
		expect(again.project.id).not.toBe(project.id);
	});

	it('deletes an archived project too', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.archive(project.id);
		await store.delete(project.id);
		expect(await keysWithPrefix(redis.inspector, store.keys.prefix)).toEqual([]);
	});

	it('refuses a delete with a stale expectedVersion and keeps the project', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		await store.updateStatus(project.id, 'planning');
		const before = await redis.snapshot(store.keys.prefix);
		await expect(store.delete(project.id, { expectedVersion: 1 })).rejects.toBeInstanceOf(VersionConflictError);
		expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
		await store.delete(project.id, { expectedVersion: 2 });
		await expect(store.get(project.id)).rejects.toThrow(`Project "${project.id}" not found`);
	});
});
