import { ProjectNotFoundError } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan, steppingClock } from './fixtures';

const redis = new TestRedis('events');
afterAll(() => redis.cleanup());

describe('project event log', () => {
	it('records every change in order with its time, type, source, version and data', async () => {
		const store = isolatedStore(redis, { source: 'api', now: steppingClock(Date.parse('2025-03-01T10:00:00.000Z')) });
		const { project } = await store.create(intake());
		const id = project.id;
		await store.updateStatus(id, 'planning', { source: 'n8n:AI Planner' });
		await store.setPlan(id, plan(['a', 'b']), { source: 'n8n:AI Planner' });
		await store.startTask(id, 'a', { source: 'worker' });
		await store.recordTaskResult(id, 'a', { status: 'failed', error: 'npm test exited 1', files: [{ path: 'a.ts', content: 'x' }] }, { source: 'worker' });
		await store.addUsage(id, 'developer', { promptTokens: 1, completionTokens: 1, totalTokens: 2, llmMs: 1, wallMs: 1, calls: 1 });
		await store.updateStatus(id, 'failed', { source: 'worker', reason: 'task a failed' });

		const events = await store.events(id);
		expect(events.map(({ type, source, version }) => ({ type, source, version }))).toEqual([
			{ type: 'project.created', source: 'api', version: 1 },
			{ type: 'project.status_changed', source: 'n8n:AI Planner', version: 2 },
			{ type: 'project.plan_set', source: 'n8n:AI Planner', version: 3 },
			{ type: 'task.started', source: 'worker', version: 4 },
			{ type: 'task.failed', source: 'worker', version: 5 },
			// version 6 was the usage, which is metered, not logged
			{ type: 'project.status_changed', source: 'worker', version: 7 },
		]);
		expect(events.map((e) => e.data)).toEqual([
			{ title: 'Bakery website' },
			{ from: 'intake', to: 'planning' },
			{ taskIds: ['a', 'b'], replaced: false, dropped: [] },
			{ taskId: 'a', attempt: 1 },
			{ taskId: 'a', attempt: 1, files: ['a.ts'], hasTestReport: false, error: 'npm test exited 1' },
			{ from: 'planning', to: 'failed', reason: 'task a failed' },
		]);
		const times = events.map((e) => Date.parse(e.time));
		expect(times).toEqual([...times].sort((a, b) => a - b));
		expect(new Set(times).size).toBe(times.length);
		expect(events[0].time).toBe(project.createdAt);
		expect(events.at(-1)?.time).toBe((await store.get(id)).updatedAt);
	});

	it('reads on after a given event, a page at a time, in order', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		for (let i = 0; i < 9; i++) await store.addEvent(project.id, { type: 'note', data: { n: i } });
		const all = await store.events(project.id);
		expect(all).toHaveLength(10);

		const pages: number[][] = [];
		let after: string | undefined;
		for (;;) {
			const page = await store.events(project.id, { after, count: 4 });
			if (!page.length) break;
			pages.push(page.map((e) => (e.type === 'note' ? (e.data.n as number) : -1)));
			after = page.at(-1)?.id;
		}
		expect(pages).toEqual([[-1, 0, 1, 2], [3, 4, 5, 6], [7, 8]]);
		expect(await store.events(project.id, { after: all[8].id })).toEqual([all[9]]);
	});

	it('adds an event without changing the project or its version', async () => {
		const store = isolatedStore(redis, { source: 'worker' });
		const { project } = await store.create(intake());
		const event = await store.addEvent(project.id, { type: 'error', source: 'n8n:Developer', data: { message: 'model timed out' } });
		expect(event).toMatchObject({ type: 'error', source: 'n8n:Developer', data: { message: 'model timed out' } });
		expect(event.version).toBeUndefined();
		const defaulted = await store.addEvent(project.id, { type: 'note' });
		expect(defaulted).toMatchObject({ source: 'worker', data: {} });
		expect((await store.events(project.id)).slice(1)).toEqual([event, defaulted]);
		expect(await store.get(project.id)).toEqual(project);
	});

	it('keeps the log near its bound by dropping the oldest events', async () => {
		const store = isolatedStore(redis, { maxEventsPerProject: 10 });
		const { project } = await store.create(intake());
		for (let i = 0; i < 400; i++) await store.addEvent(project.id, { type: 'note', data: { n: i } });
		const kept = await store.events(project.id, { count: 1000 });
		// MAXLEN ~ trims whole stream nodes (100 entries by default), so "near" is within one node.
		expect(kept.length).toBeGreaterThanOrEqual(10);
		expect(kept.length).toBeLessThanOrEqual(110);
		expect(kept.at(-1)?.data).toEqual({ n: 399 });
		expect(kept.some((e) => e.type === 'project.created')).toBe(false);
	});

	it('refuses events of a project that does not exist and starts no log for it', async () => {
		const store = isolatedStore(redis);
		await expect(store.events('nope')).rejects.toBeInstanceOf(ProjectNotFoundError);
		await expect(store.addEvent('nope', { type: 'note' })).rejects.toThrow('Project "nope" not found');
		expect(await redis.inspector.exists(store.keys.events('nope'))).toBe(0);
	});
});
