import { OpenAiTestServer } from '../../support/openaiTestServer';
import { playCompanyOn } from '../../support/providerCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, unique } from './support';

// A model server that answers 429 with Retry-After: the job fails transiently and BullMQ tries it
// again, not sooner than the server asked (JOB_BACKOFF_MS alone would try again after 100 ms).

const KEY = 'sk-openai-backoff-2e8d4c6a0f1b';
const RETRY_AFTER_SECONDS = 3;

const harness = new ServiceHarness();
let openai: OpenAiTestServer;
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	openai = await OpenAiTestServer.start({ apiKey: KEY, models: ['gpt-test'] });
	playCompanyOn(openai);
	service = await harness.start({
		OPENAI_BASE_URL: openai.url,
		OPENAI_API_KEY: KEY,
		MODEL_PLANNER: 'openai:gpt-test',
		JOB_ATTEMPTS: '3',
		JOB_BACKOFF_MS: '100',
	});
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	await openai?.close();
});

it("tries a rate-limited job again no sooner than the server's Retry-After", async () => {
	const posted = await service.request('POST', '/api/projects', { title: unique('Backoff'), requirements: unique('tasks=1 waves=1'), start: false });
	expect(posted.status).toBe(201);
	openai.enqueue({ status: 429, error: 'Rate limit reached for requests', errorType: 'rate_limit_exceeded', retryAfter: String(RETRY_AFTER_SECONDS) });

	// No retry inside the job: the 429 fails the job's first try, BullMQ's backoff decides the second.
	const plan = await service.request<Record<string, any>>('POST', `/api/projects/${posted.body.projectId as string}/plan`, { llm: { maxRetries: 0 } });
	expect(plan.status).toBe(202);
	const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(plan.body.jobId as string)}?wait=30`);
	expect(job.state).toBe('completed');

	const [limited, retried] = openai.chatRequests();
	expect(openai.chatRequests()).toHaveLength(2);
	const waitedMs = retried.receivedAt - limited.receivedAt;
	console.log(`429 with Retry-After ${RETRY_AFTER_SECONDS} s, JOB_BACKOFF_MS 100: the job's second try came ${waitedMs} ms after the first`);
	expect(waitedMs).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
	expect(waitedMs).toBeLessThan(RETRY_AFTER_SECONDS * 1000 + 3000);
}, 60_000);
