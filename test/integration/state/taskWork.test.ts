import { InvalidInputError } from '../../../runtime/errors';
import { InvalidTransitionError } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore, plan } from './fixtures';

const redis = new TestRedis('taskwork');
afterAll(() => redis.cleanup());

async function projectWithPlan() {
	const store = isolatedStore(redis);
	const { project } = await store.create(intake({ title: `Work ${Math.random()}` }));
	await store.setPlan(project.id, plan());
	return { store, id: project.id, taskId: plan().tasks[0].id };
}

describe('work recorded on an in-progress task', () => {
	it('keeps the developer\'s files and the tester\'s test files side by side, and logs only their paths', async () => {
		const { store, id, taskId } = await projectWithPlan();
		await store.startTask(id, taskId);
		await store.recordTaskWork(id, taskId, { files: [{ path: 'src/sum.js', content: 'module.exports = (a, b) => a - b;' }] });
		const after = await store.recordTaskWork(id, taskId, { testFiles: [{ path: 'test/sum.test.js', content: 'test' }] });
		expect(after.tasks[taskId]).toMatchObject({
			status: 'in_progress',
			files: [{ path: 'src/sum.js' }],
			testFiles: [{ path: 'test/sum.test.js', content: 'test' }],
		});
		const logged = (await store.events(id)).filter((e) => e.type === 'task.work_recorded');
		expect(logged.map((e) => e.data)).toEqual([
			{ taskId, attempt: 1, files: ['src/sum.js'] },
			{ taskId, attempt: 1, testFiles: ['test/sum.test.js'] },
		]);
	});

	it('is refused on a task that is not in progress, naming its status, and changes nothing', async () => {
		const { store, id, taskId } = await projectWithPlan();
		const before = await redis.snapshot(store.keys.prefix);
		const error = await store.recordTaskWork(id, taskId, { files: [] }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(InvalidTransitionError);
		expect((error as Error).message).toContain('"pending"');
		expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
	});

	it.each(['../escape.js', '.git/config', 'src/.git/hooks/pre-commit', 'a\u0000b.js'])(
		'refuses the unsafe path %j with the same rules as writing files, naming the field, and changes nothing',
		async (path) => {
			const { store, id, taskId } = await projectWithPlan();
			await store.startTask(id, taskId);
			const before = await redis.snapshot(store.keys.prefix);
			const error = await store.recordTaskWork(id, taskId, { testFiles: [{ path, content: '' }] }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(InvalidInputError);
			expect((error as InvalidInputError).field).toBe('work.testFiles[0].path');
			expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
		},
	);

	it('lets a result that omits files keep the files and tests the task already has', async () => {
		const { store, id, taskId } = await projectWithPlan();
		await store.startTask(id, taskId);
		await store.recordTaskWork(id, taskId, {
			files: [{ path: 'src/a.js', content: 'a' }],
			testFiles: [{ path: 'test/a.test.js', content: 't' }],
		});
		const done = await store.recordTaskResult(id, taskId, { status: 'done', testReport: { status: 'passed' } });
		expect(done.tasks[taskId]).toMatchObject({
			status: 'done',
			files: [{ path: 'src/a.js', content: 'a' }],
			testFiles: [{ path: 'test/a.test.js', content: 't' }],
			testReport: { status: 'passed' },
		});
	});
});
