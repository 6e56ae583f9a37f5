import type { ProjectStatus } from '../../../runtime/contracts';
import type { ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, steppingClock } from './fixtures';

const redis = new TestRedis('listing');
afterAll(() => redis.cleanup());

/** Projects created in this order (so p0 is the oldest), moved to the given statuses. */
async function projects(store: ProjectStore, paths: ProjectStatus[][]): Promise<string[]> {
	const ids: string[] = [];
	for (const [i, path] of paths.entries()) {
		const { project } = await store.create(intake({ title: `p${i}` }));
		for (const status of path) await store.updateStatus(project.id, status);
		ids.push(project.id);
	}
	return ids;
}

const titles = (page: { projects: Array<{ title: string }> }) => page.projects.map((p) => p.title);

describe('listing projects', () => {
	it('lists active projects newest first with the total', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		await projects(store, [[], ['planning'], [], ['planning', 'planned']]);
		const page = await store.list();
		expect(titles(page)).toEqual(['p3', 'p2', 'p1', 'p0']);
		expect(page).toMatchObject({ total: 4, offset: 0, limit: 50 });
		expect(page.projects[0]).toMatchObject({ status: 'planned', version: 3 });
	});

	it('orders by creation, not by the latest change', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const [oldest] = await projects(store, [[], [], []]);
		await store.updateStatus(oldest, 'planning');
		expect(titles(await store.list())).toEqual(['p2', 'p1', 'p0']);
	});

	it('filters by status and follows status changes', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const [p0, p1] = await projects(store, [['planning'], ['planning'], [], ['planning']]);
		expect(titles(await store.list({ status: 'planning' }))).toEqual(['p3', 'p1', 'p0']);
		expect(titles(await store.list({ status: 'intake' }))).toEqual(['p2']);

		await store.updateStatus(p1, 'planned');
		await store.updateStatus(p0, 'on_hold');
		expect(await store.list({ status: 'planning' })).toMatchObject({ total: 1, projects: [{ title: 'p3' }] });
		expect(titles(await store.list({ status: 'planned' }))).toEqual(['p1']);
		expect(titles(await store.list({ status: 'on_hold' }))).toEqual(['p0']);
		expect(await store.list({ status: 'review' })).toEqual({ projects: [], total: 0, offset: 0, limit: 50 });
	});

	it('pages with offset and limit while the total counts the whole listing', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		await projects(store, Array.from({ length: 7 }, () => []));
		expect(await store.list({ offset: 0, limit: 3 })).toMatchObject({ total: 7, offset: 0, limit: 3 });
		expect(titles(await store.list({ offset: 0, limit: 3 }))).toEqual(['p6', 'p5', 'p4']);
		expect(titles(await store.list({ offset: 3, limit: 3 }))).toEqual(['p3', 'p2', 'p1']);
		expect(titles(await store.list({ offset: 6, limit: 3 }))).toEqual(['p0']);
		expect(await store.list({ offset: 9, limit: 3 })).toMatchObject({ projects: [], total: 7 });
	});

	it('drops completed and cancelled projects from the active list but keeps failed and on-hold ones', async () => {
		const store = isolatedStore(redis, { now: steppingClock() });
		const full: ProjectStatus[] = ['planning', 'planned', 'development', 'testing', 'review', 'deployment'];
		const [, , , deploying] = await projects(store, [
			[...full, 'completed'],
			['cancelled'],
			['planning', 'failed'],
			full,
			['on_hold'],
		]);
		expect(titles(await store.list())).toEqual(['p4', 'p3', 'p2']);
		await store.updateStatus(deploying, 'completed');
		expect(await store.list()).toMatchObject({ total: 2 });
		expect(titles(await store.list())).toEqual(['p4', 'p2']);
		expect(titles(await store.list({ status: 'completed' }))).toEqual(['p3', 'p0']);
		expect(titles(await store.list({ status: 'cancelled' }))).toEqual(['p1']);
	});
});
