import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { queuePrefix } from '../../../runtime/queue/jobQueue';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from '../service/support';
import { signIn } from './support';

// Bull Board under /ui/queues shows the queue and keeps its housekeeping (retry, promote, clean),
// but a job's data is written only by the API, which validates it: the workers trust what a job
// carries (its model, its options, its test command). Bull Board's "add job" and "edit data" would
// put unchecked data in front of them, so they are refused.

const TOKEN = 'queue-board-token-8d2f1';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let redis: Redis;
let cookie: string;

beforeAll(async () => {
	await harness.setUp();
	redis = testRedisClient();
	service = await harness.start({ API_TOKEN: TOKEN }, 'api');
	cookie = (await signIn(service, TOKEN)).cookie!;
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	redis?.disconnect();
});

const send = (method: string, path: string, body: unknown) =>
	fetch(`${service.url}/ui/queues/api/queues/jobs/${path}`, { method, headers: { cookie, origin: service.url!, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe("Bull Board's writes of job data", () => {
	it('refuses to add a job with data of its own, and stores none', async () => {
		const queue = new Queue('jobs', { connection: redis, prefix: queuePrefix(harness.prefix) });
		const before = await queue.count();
		const response = await send('POST', 'add', { name: 'test', data: { projectId: 'x', taskId: 'T1', testCommand: 'node -e 1', testTimeoutSeconds: 99999999 }, options: {} });
		expect(response.status).toBe(403);
		expect(await queue.count()).toBe(before);
		await queue.close();
	});

	it("refuses to change a queued job's data", async () => {
		const queue = new Queue('jobs', { connection: redis, prefix: queuePrefix(harness.prefix) });
		const job = await queue.add('plan', { projectId: 'queued-one' }, { delay: 3_600_000 });
		const response = await send('PATCH', `${job.id}/update-data`, { jobData: { projectId: 'queued-one', llm: { contextSize: 1e9 } } });
		expect(response.status).toBe(403);
		expect((await queue.getJob(job.id!))?.data).toEqual({ projectId: 'queued-one' });
		await job.remove();
		await queue.close();
	});

	it('still reads the queue and promotes a delayed job', async () => {
		const queue = new Queue('jobs', { connection: redis, prefix: queuePrefix(harness.prefix) });
		const job = await queue.add('advance', { projectId: 'delayed-one' }, { delay: 3_600_000 });
		const list = await fetch(`${service.url}/ui/queues/api/queues`, { headers: { cookie } });
		expect(list.status).toBe(200);
		expect((await send('PUT', `${job.id}/promote`, {})).status).toBe(204);
		expect(await (await queue.getJob(job.id!))?.getState()).toBe('waiting');
		await job.remove();
		await queue.close();
	});
});
