import { Redis } from 'ioredis';

import { ProjectStoppedError, ProjectStops } from '../../../runtime/queue/projectStops';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore } from './fixtures';

const redis = new TestRedis('stops');
afterAll(() => redis.cleanup());

function setUp(intervalMs = 60_000) {
	const store = isolatedStore(redis);
	const stops = new ProjectStops(redis.client(), store.keys, intervalMs);
	return { store, stops };
}

describe("ProjectStops aborts a running job's signal when its project is cancelled or deleted", () => {
	it('aborts at the first check after the cancel, with the project and the reason, and not before', async () => {
		const { store, stops } = setUp();
		const { project } = await store.create(intake());
		const stop = stops.watch(project.id);
		await stops.check();
		expect(stop.signal.aborted).toBe(false);

		await store.updateStatus(project.id, 'cancelled', { reason: 'client withdrew' });
		expect(stop.signal.aborted).toBe(false);
		await stops.check();
		expect(stop.signal.aborted).toBe(true);
		expect(stop.signal.reason).toBeInstanceOf(ProjectStoppedError);
		expect(stop.signal.reason).toMatchObject({ projectId: project.id, reason: 'cancelled', message: `project "${project.id}" was cancelled while the job ran` });
		stop.release();
		stops.close();
	});

	it('aborts with reason "deleted" when the project is gone', async () => {
		const { store, stops } = setUp();
		const { project } = await store.create(intake());
		const stop = stops.watch(project.id);
		await store.delete(project.id);
		await stops.check();
		expect(stop.signal.reason).toMatchObject({ projectId: project.id, reason: 'deleted' });
		stops.close();
	});

	it.each(['failed', 'on_hold'] as const)('leaves a job of a project that is %s running (it stops at its next step, its work kept)', async (status) => {
		const { store, stops } = setUp();
		const { project } = await store.create(intake());
		await store.updateStatus(project.id, 'planning');
		const stop = stops.watch(project.id);
		await store.updateStatus(project.id, status, { reason: 'by hand' });
		await stops.check();
		expect(stop.signal.aborted).toBe(false);
		stops.close();
	});

	it("stops only the cancelled project's jobs; jobs of one project share the stop until the last is released", async () => {
		const { store, stops } = setUp();
		const [{ project: a }, { project: b }] = await Promise.all([store.create(intake({ title: 'A' })), store.create(intake({ title: 'B' }))]);
		const first = stops.watch(a.id);
		const second = stops.watch(a.id);
		const other = stops.watch(b.id);
		expect(second.signal).toBe(first.signal);
		first.release();
		first.release(); // twice is once
		await store.updateStatus(a.id, 'cancelled');
		await stops.check();
		expect(second.signal.aborted).toBe(true);
		expect(other.signal.aborted).toBe(false);
		stops.close();
	});

	it('a project no job of this process runs any more is not checked: a later watch starts clean', async () => {
		const { store, stops } = setUp();
		const { project } = await store.create(intake());
		const done = stops.watch(project.id);
		done.release();
		await store.updateStatus(project.id, 'cancelled');
		await stops.check();
		expect(done.signal.aborted).toBe(false);
		const later = stops.watch(project.id);
		expect(later.signal).not.toBe(done.signal);
		await stops.check();
		expect(later.signal.aborted).toBe(true);
		stops.close();
	});

	it('checks on its own every interval while a job is watched', async () => {
		const { store, stops } = setUp(50);
		const { project } = await store.create(intake());
		const stop = stops.watch(project.id);
		await store.updateStatus(project.id, 'cancelled');
		const aborted = new Promise<unknown>((resolve) => stop.signal.addEventListener('abort', () => resolve(stop.signal.reason)));
		await expect(aborted).resolves.toMatchObject({ reason: 'cancelled' });
		stops.close();
	});

	it('stops nothing and throws nothing while Redis cannot be reached', async () => {
		const { store } = setUp();
		const { project } = await store.create(intake());
		await store.updateStatus(project.id, 'cancelled');
		const unreachable = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
		const stops = new ProjectStops(unreachable, store.keys, 60_000);
		const stop = stops.watch(project.id);
		await expect(stops.check()).resolves.toBeUndefined();
		expect(stop.signal.aborted).toBe(false);
		stops.close();
		unreachable.disconnect();
	});
});
