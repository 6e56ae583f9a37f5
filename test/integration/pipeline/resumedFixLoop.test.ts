import { developAndTestTask } from '../../../runtime/pipeline';
import { TestRedis } from '../../support/redis';
import { developerSettings, FIXED_SUM, stepContext, storedProject, sumCompany, testerSettings, turns, useModelServer } from './support';
import { isolatedStore } from '../state/fixtures';

// A worker that died after storing a task's code resumes the fix loop from the store: the code of
// the current attempt is tested, not written (and paid for) again.

const redis = new TestRedis('resumedloop');
const server = useModelServer(redis, sumCompany);

describe('developAndTestTask resumed from the store', () => {
	it('tests the code already written for the attempt in progress without a developer call', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		const developed = await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		expect(developed.tasks.T1).toMatchObject({ attempts: 1, developedAttempt: 1 });
		const before = turns(server()).length;

		const result = await developAndTestTask(stepContext(store, server()), projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 3 });

		expect(result).toMatchObject({ status: 'done', attempts: 1 });
		expect(turns(server()).slice(before).map((t) => t.role)).toEqual(['tester']);
	});

	it('returns a finished task as it is, and a task out of attempts as failed, without any model call', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskResult(projectId, 'T1', { status: 'failed', error: 'tests failed' });
		const before = turns(server()).length;
		expect(await developAndTestTask(stepContext(store, server()), projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 1 })).toMatchObject({ status: 'failed', attempts: 1 });
		expect(turns(server()).length).toBe(before);
	});
});

describe('developAndTestTask overtaken by another run of the same task', () => {
	it('finds the task done by the other run (a stalled job run twice) and reports it done instead of failing the project', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		await store.startTask(projectId, 'T1');
		await store.recordTaskWork(projectId, 'T1', { files: [{ path: 'src/sum.js', content: FIXED_SUM }] });
		// The other run records the same result just before this one does.
		const racing = Object.create(store) as typeof store;
		let raced = false;
		racing.recordTaskResult = async (...args: Parameters<typeof store.recordTaskResult>) => {
			if (!raced) {
				raced = true;
				await store.recordTaskResult(...args);
			}
			return store.recordTaskResult(...args);
		};

		const result = await developAndTestTask(stepContext(racing, server()), projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 3 });

		expect(raced).toBe(true);
		expect(result).toMatchObject({ status: 'done', attempts: 1 });
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'done', attempts: 1 });
	});

	it('still fails on a refusal that is not another run moving the task', async () => {
		const store = isolatedStore(redis);
		const projectId = await storedProject(store);
		const broken = Object.create(store) as typeof store;
		broken.recordTaskWork = async () => {
			throw new Error('disk full');
		};
		await expect(developAndTestTask(stepContext(broken, server()), projectId, 'T1', { developer: developerSettings(), tester: testerSettings(), maxAttempts: 3 })).rejects.toThrow('disk full');
	});
});
