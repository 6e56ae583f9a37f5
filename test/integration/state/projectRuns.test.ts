import { ProjectRuns } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, isolatedStore } from './fixtures';

// The service's run record beside each project: what a repeated intake, a retry and the end of a
// run do to it, and that it goes with the project.

const redis = new TestRedis('runs');
afterAll(() => redis.cleanup());

async function setUp() {
	const store = isolatedStore(redis);
	const runs = new ProjectRuns(redis.client(), store.keys);
	const { project } = await store.create(intake());
	return { store, runs, id: project.id };
}

describe('ProjectRuns', () => {
	it('keeps what the first intake recorded when the same intake comes again', async () => {
		const { runs, id } = await setUp();
		expect(await runs.init(id, 'auto', { maxFixAttempts: 2 })).toEqual({ mode: 'auto', round: 0, settings: { maxFixAttempts: 2 } });
		expect(await runs.init(id, 'steps', { maxFixAttempts: 5 })).toEqual({ mode: 'auto', round: 0, settings: { maxFixAttempts: 2 } });
	});

	it('reads a project made elsewhere (no record) as steps mode, round 0, no settings', async () => {
		const { runs, id } = await setUp();
		expect(await runs.get(id)).toEqual({ mode: 'steps', round: 0, settings: {} });
	});

	it('counts retry rounds up, and announces each status of a round once', async () => {
		const { runs, id } = await setUp();
		await runs.init(id, 'auto', {});
		expect(await runs.nextRound(id, 'auto')).toBe(1);
		expect(await runs.nextRound(id, 'auto')).toBe(2);
		expect(await runs.claimNotification(id, 2, 'failed')).toBe(true);
		expect(await runs.claimNotification(id, 2, 'failed')).toBe(false);
		expect(await runs.claimNotification(id, 2, 'completed')).toBe(true);
		expect(await runs.claimNotification(id, 3, 'failed')).toBe(true);
	});

	it('is deleted with its project', async () => {
		const { store, runs, id } = await setUp();
		await runs.init(id, 'auto', { maxFixAttempts: 2 });
		expect(await redis.inspector.exists(store.keys.run(id))).toBe(1);
		await store.delete(id);
		expect(await redis.inspector.exists(store.keys.run(id))).toBe(0);
	});
});
