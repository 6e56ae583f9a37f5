import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { queuePrefix } from '../../../runtime/queue/jobQueue';
import { eventually } from '../../support/eventually';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique, waitForStatus } from './support';

// A worker that can no longer renew a job's lock (Redis was away, the cores were saturated past
// LOCK_DURATION_MS) has lost the job: the queue hands it to a worker again. The first run must stop
// there, its model call closed, or the same step runs twice at once and the later copy can start
// another attempt of a task. Here the lock of a running plan job is taken away (deleted) while its
// model call is in flight.

const harness = new ServiceHarness();
let service: RuntimeProcess;
let redis: Redis;

beforeAll(async () => {
	await harness.setUp();
	redis = testRedisClient();
	// Every model call takes 2 s: the lock is renewed every 500 ms meanwhile.
	playCompany(harness.ollama, undefined, { delayMs: 2000 });
	service = await harness.start({ CONCURRENCY: '2', LOCK_DURATION_MS: '1000', STALLED_INTERVAL_MS: '300', JOB_BACKOFF_MS: '100' });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	redis?.disconnect();
});

describe('a job whose lock this worker lost', () => {
	it('stops at once (its model call in flight is closed), and the run the queue starts again completes the project', async () => {
		const posted = await service.request('POST', '/api/projects', { title: unique('Lost lock'), requirements: unique('tasks=1 waves=1') });
		const projectId = posted.body.projectId as string;
		const first = await eventually('the plan call', async () => harness.ollama.chatRequests()[0], 10_000);

		const queue = new Queue('jobs', { connection: redis, prefix: queuePrefix(harness.prefix) });
		const [active] = await queue.getActive();
		expect(active?.name).toBe('plan');
		// The lock is gone: the next renewal (within 500 ms) finds none.
		expect(await redis.del(`${queuePrefix(harness.prefix)}:jobs:${active.id}:lock`)).toBe(1);

		// Closed well before its 2 s reply, by this worker, not by the model server.
		await eventually('the plan call closed by the service', async () => (first.closedByClient ? true : undefined), 1_500);
		expect(service.lines.some((line) => line.includes('this worker lost its lock'))).toBe(true);

		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 60_000);
		expect({ status: project.status, reason: project.statusReason }).toEqual({ status: 'completed', reason: null });
		await queue.close();
	}, 90_000);
});
