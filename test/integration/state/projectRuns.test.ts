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

	it('moves the webhook cursor forward only, never back, and only while the run record exists', async () => {
		const { runs, id } = await setUp();
		expect(await runs.webhookCursor(id)).toBeUndefined();
		// No run record yet (a project made elsewhere): the cursor is not created.
		await runs.moveWebhookCursor(id, '1718000000000-0');
		expect(await runs.webhookCursor(id)).toBeUndefined();
		await runs.init(id, 'auto', {});
		await runs.moveWebhookCursor(id, '1718000000000-1');
		expect(await runs.webhookCursor(id)).toBe('1718000000000-1');
		await runs.moveWebhookCursor(id, '1718000000005-0');
		expect(await runs.webhookCursor(id)).toBe('1718000000005-0');
		// A slower caller with an older event id does not move it back.
		await runs.moveWebhookCursor(id, '1718000000000-9');
		expect(await runs.webhookCursor(id)).toBe('1718000000005-0');
	});

	it('is deleted with its project', async () => {
		const { store, runs, id } = await setUp();
		await runs.init(id, 'auto', { maxFixAttempts: 2 });
		expect(await redis.inspector.exists(store.keys.run(id))).toBe(1);
		await store.delete(id);
		expect(await redis.inspector.exists(store.keys.run(id))).toBe(0);
	});
});
