import type { ProjectStatus } from '../../../runtime/contracts';
import { InvalidTransitionError, TaskNotFoundError, type ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan } from './fixtures';

const redis = new TestRedis('lifecycle');
afterAll(() => redis.cleanup());

async function projectAt(store: ProjectStore, path: ProjectStatus[]): Promise<string> {
	const { project } = await store.create(intake({ title: `At ${path.join('>')} ${Math.random()}` }));
	for (const status of path) await store.updateStatus(project.id, status, { source: 'test' });
	return project.id;
}

async function expectRefused(store: ProjectStore, id: string, to: ProjectStatus, from: ProjectStatus): Promise<void> {
	const before = await redis.snapshot(store.keys.prefix);
	const error = await store.updateStatus(id, to).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(InvalidTransitionError);
	expect(error).toMatchObject({ projectId: id, from, to });
	expect((error as Error).message).toContain(`"${from}"`);
	expect((error as Error).message).toContain(`"${to}"`);
	expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
}

describe('project lifecycle', () => {
	it('walks from intake to completed, one version and one event per step', async () => {
		const store = isolatedStore(redis);
		const { project } = await store.create(intake());
		expect(project).toMatchObject({ status: 'intake', version: 1 });
		const path: ProjectStatus[] = ['planning', 'planned', 'development', 'testing', 'review', 'deployment', 'completed'];
		for (const [i, status] of path.entries()) {
			const next = await store.updateStatus(project.id, status, { source: 'test' });
			expect(next).toMatchObject({ status, version: i + 2 });
		}
		expect(await store.get(project.id)).toMatchObject({ status: 'completed', version: 8 });
		const changes = (await store.events(project.id)).filter((e) => e.type === 'project.status_changed');
		expect(changes.map((e) => e.data.to)).toEqual(path);
	});

	it('refuses to skip a step, naming both statuses, and changes nothing', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, []);
		await expectRefused(store, id, 'completed', 'intake');
		await expectRefused(store, id, 'development', 'intake');
		await expectRefused(store, id, 'intake', 'intake');
		expect(await store.get(id)).toMatchObject({ status: 'intake', version: 1 });
	});

	it('lets nothing leave completed or cancelled', async () => {
		const store = isolatedStore(redis);
		const done = await projectAt(store, ['planning', 'planned', 'development', 'testing', 'review', 'deployment', 'completed']);
		for (const to of ['development', 'failed', 'on_hold', 'cancelled'] as const) await expectRefused(store, done, to, 'completed');
		const cancelled = await projectAt(store, ['planning', 'cancelled']);
		for (const to of ['planning', 'failed', 'on_hold'] as const) await expectRefused(store, cancelled, to, 'cancelled');
	});

	it('sends work back to development from testing and from review', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning', 'planned', 'development', 'testing', 'development', 'testing', 'review']);
		expect(await store.updateStatus(id, 'development')).toMatchObject({ status: 'development' });
		await expectRefused(store, id, 'review', 'development');
	});

	it('lets a planned project go back to planning', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning', 'planned']);
		expect(await store.updateStatus(id, 'planning')).toMatchObject({ status: 'planning' });
	});

	it('fails any working project and retries it where it failed, or restarts planning or development', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning', 'planned', 'development', 'testing']);
		const failed = await store.updateStatus(id, 'failed', { reason: 'tests crashed' });
		expect(failed).toMatchObject({ status: 'failed', resumeStatus: 'testing', statusReason: 'tests crashed' });
		await expectRefused(store, id, 'review', 'failed');
		await expectRefused(store, id, 'on_hold', 'failed');
		expect(await store.updateStatus(id, 'testing')).toMatchObject({ status: 'testing', resumeStatus: null, statusReason: null });

		await store.updateStatus(id, 'failed');
		expect(await store.updateStatus(id, 'planning')).toMatchObject({ status: 'planning' });
		await store.updateStatus(id, 'failed');
		expect(await store.updateStatus(id, 'development')).toMatchObject({ status: 'development' });

		for (const from of ['intake', 'planning', 'planned', 'review', 'deployment'] as const) {
			const path = (['planning', 'planned', 'development', 'testing', 'review', 'deployment'] as const).slice(
				0,
				['intake', 'planning', 'planned', 'development', 'testing', 'review', 'deployment'].indexOf(from),
			);
			const other = await projectAt(store, [...path]);
			expect(await store.updateStatus(other, 'failed')).toMatchObject({ status: 'failed', resumeStatus: from });
		}
	});

	it('resumes an on-hold project only to where it was held, or cancels it', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning', 'planned', 'development']);
		expect(await store.updateStatus(id, 'on_hold', { reason: 'client away' })).toMatchObject({ resumeStatus: 'development' });
		await expectRefused(store, id, 'testing', 'on_hold');
		await expectRefused(store, id, 'planning', 'on_hold');
		await expectRefused(store, id, 'failed', 'on_hold');
		expect(await store.updateStatus(id, 'development')).toMatchObject({ status: 'development', resumeStatus: null });

		await store.updateStatus(id, 'on_hold');
		expect(await store.updateStatus(id, 'cancelled')).toMatchObject({ status: 'cancelled' });
	});
});

describe('task lifecycle', () => {
	it('creates a pending entry for every plan task', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		const project = await store.setPlan(id, plan(['a', 'b', 'c']));
		expect(project.plan?.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c']);
		expect(Object.keys(project.tasks).sort()).toEqual(['a', 'b', 'c']);
		for (const task of Object.values(project.tasks)) {
			expect(task).toMatchObject({ status: 'pending', attempts: 0, files: [], testReport: null });
		}
	});

	it('takes a task from pending through in_progress to done and stores its files and report', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		await store.setPlan(id, plan(['a']));
		expect((await store.startTask(id, 'a')).tasks.a).toMatchObject({ status: 'in_progress', attempts: 1 });
		const files = [
			{ path: 'src/index.ts', content: 'export {};\n' },
			{ path: 'README.md', content: '' },
		];
		await store.recordTaskResult(id, 'a', { status: 'done', files, testReport: { passed: 3, failed: 0 } }, { source: 'worker' });
		expect((await store.get(id)).tasks.a).toMatchObject({ status: 'done', attempts: 1, files, testReport: { passed: 3, failed: 0 } });
	});

	it('retries a failed task, counting every start as an attempt and replacing the last result', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		await store.setPlan(id, plan(['a']));
		await store.startTask(id, 'a');
		await store.recordTaskResult(id, 'a', { status: 'failed', error: 'compile error', files: [{ path: 'a.ts', content: 'x' }] });
		expect((await store.get(id)).tasks.a).toMatchObject({ status: 'failed', attempts: 1, error: 'compile error' });
		await store.startTask(id, 'a');
		await store.recordTaskResult(id, 'a', { status: 'failed', error: 'still broken' });
		await store.startTask(id, 'a');
		await store.recordTaskResult(id, 'a', { status: 'done', files: [{ path: 'b.ts', content: 'y' }] });
		const task = (await store.get(id)).tasks.a;
		expect(task).toMatchObject({ status: 'done', attempts: 3, files: [{ path: 'b.ts', content: 'y' }] });
		expect(task.error).toBeUndefined();
	});

	it('refuses a result for a task not in progress and a restart of a done task, changing nothing', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		await store.setPlan(id, plan(['a']));
		const before = await redis.snapshot(store.keys.prefix);
		const early = await store.recordTaskResult(id, 'a', { status: 'done' }).catch((e: unknown) => e);
		expect(early).toBeInstanceOf(InvalidTransitionError);
		expect(early).toMatchObject({ taskId: 'a', from: 'pending', to: 'done' });
		expect(await redis.snapshot(store.keys.prefix)).toEqual(before);

		await store.startTask(id, 'a');
		await expect(store.startTask(id, 'a')).rejects.toMatchObject({ from: 'in_progress', to: 'in_progress' });
		await store.recordTaskResult(id, 'a', { status: 'done' });
		const again = await store.startTask(id, 'a').catch((e: unknown) => e);
		expect(again).toBeInstanceOf(InvalidTransitionError);
		expect((again as Error).message).toBe('Task "a" of project "' + id + '" cannot go from "done" to "in_progress"');
		expect((await store.get(id)).tasks.a).toMatchObject({ status: 'done', attempts: 1 });
	});

	it('refuses tasks the plan does not list, naming the task', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		await expect(store.startTask(id, 'a')).rejects.toBeInstanceOf(TaskNotFoundError);
		await store.setPlan(id, plan(['a']));
		await expect(store.startTask(id, 'constructor')).rejects.toThrow(`Project "${id}" has no task "constructor"`);
	});

	it('keeps the progress of tasks a new plan still lists and drops the others', async () => {
		const store = isolatedStore(redis);
		const id = await projectAt(store, ['planning']);
		await store.setPlan(id, plan(['a', 'b']));
		await store.startTask(id, 'a');
		const replanned = await store.setPlan(id, plan(['a', 'c']));
		expect(replanned.tasks).toEqual({
			a: expect.objectContaining({ status: 'in_progress', attempts: 1 }),
			c: expect.objectContaining({ status: 'pending', attempts: 0 }),
		});
	});
});
