import { AnthropicTestServer } from '../../support/anthropicTestServer';
import { OpenAiTestServer } from '../../support/openaiTestServer';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique } from './support';

// The service's health follows the providers its roles use (MODEL_*), not Ollama alone; a step
// request's own `model` on a provider the service has not configured is refused at intake.

const OPENAI_KEY = 'sk-openai-health-3c9e1a7d5b0f';
const ANTHROPIC_KEY = 'sk-ant-health-7d1f3b5a9c2e';
/** Where nothing listens. */
const NOBODY = 'http://127.0.0.1:9';

const harness = new ServiceHarness();
let openai: OpenAiTestServer;
let anthropic: AnthropicTestServer;

/** Planner, tester and reporter on the OpenAI-compatible server; developer, reviewer and escalation on Anthropic; Ollama nowhere. */
const CLOUD_ROLES = {
	OLLAMA_HOST: NOBODY,
	OPENAI_API_KEY: OPENAI_KEY,
	ANTHROPIC_API_KEY: ANTHROPIC_KEY,
	MODEL_PLANNER: 'openai:gpt-test',
	MODEL_TESTER: 'openai:gpt-test',
	MODEL_REPORTER: 'openai:gpt-test',
	MODEL_DEVELOPER: 'anthropic:claude-test',
	MODEL_REVIEWER: 'anthropic:claude-test',
	MODEL_ESCALATION: 'anthropic:claude-test',
};

beforeAll(async () => {
	await harness.setUp();
	[openai, anthropic] = await Promise.all([
		OpenAiTestServer.start({ apiKey: OPENAI_KEY, models: ['gpt-test'] }),
		AnthropicTestServer.start({ apiKey: ANTHROPIC_KEY, models: ['claude-test'] }),
	]);
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	await Promise.all([openai?.close(), anthropic?.close()]);
});

describe('health with roles only on an OpenAI-compatible server and the Anthropic API', () => {
	let service: RuntimeProcess;

	beforeAll(async () => {
		service = await harness.start({ ...CLOUD_ROLES, OPENAI_BASE_URL: openai.url, ANTHROPIC_BASE_URL: anthropic.url }, 'api');
	}, 30_000);

	it('is ok although no Ollama runs, since no role uses it', async () => {
		const open = await service.request<Record<string, any>>('GET', '/health');
		expect(open.status).toBe(200);
		expect(open.body).toMatchObject({ status: 'ok', roleProviders: ['openai', 'anthropic'], ollama: { ok: false }, providers: { openai: { ok: true }, anthropic: { ok: true } } });
		const behindToken = await service.request<Record<string, any>>('GET', '/api/health');
		expect(behindToken.body).toMatchObject({ status: 'ok', ollama: { ok: false, error: expect.any(String) } });
		const check = await service.request<Record<string, any>>('GET', '/api/credential-check');
		expect(check.body).toMatchObject({ status: 'ok', token: expect.any(String) });
	});
});

describe('health when a provider a role uses is unreachable', () => {
	let service: RuntimeProcess;

	beforeAll(async () => {
		// The Anthropic API (developer, reviewer) is configured where nothing listens; Ollama (no role's) runs.
		const { OLLAMA_HOST: _nowhere, ...roles } = CLOUD_ROLES;
		service = await harness.start({ ...roles, OPENAI_BASE_URL: openai.url, ANTHROPIC_BASE_URL: NOBODY }, 'api');
	}, 30_000);

	it('is degraded (still 200); the open answer says which part, with no address and no error text', async () => {
		const response = await fetch(`${service.url}/health`);
		expect(response.status).toBe(200);
		const text = await response.text();
		expect(text).not.toContain('127.0.0.1');
		const body = JSON.parse(text) as Record<string, any>;
		expect(body).toMatchObject({ status: 'degraded', redis: { ok: true }, ollama: { ok: true }, providers: { openai: { ok: true }, anthropic: { ok: false } } });
		expect(body.providers.anthropic).toEqual({ ok: false });
		expect(body.ollama).not.toHaveProperty('url');
	});

	it('says why behind the token', async () => {
		const { body } = await service.request<Record<string, any>>('GET', '/api/health');
		expect(body).toMatchObject({ status: 'degraded', providers: { anthropic: { ok: false, error: expect.stringContaining('127.0.0.1:9') } } });
		expect(JSON.stringify(body)).not.toContain(ANTHROPIC_KEY);
	});
});

describe('health when a provider no role uses is unreachable', () => {
	let service: RuntimeProcess;

	beforeAll(async () => {
		// Every role on Ollama (the defaults); the OpenAI-compatible server is configured where nothing listens.
		service = await harness.start({ OPENAI_BASE_URL: `${NOBODY}/v1`, OPENAI_API_KEY: OPENAI_KEY }, 'api');
	}, 30_000);

	it('stays ok, showing that provider as down', async () => {
		const { status, body } = await service.request<Record<string, any>>('GET', '/health');
		expect(status).toBe(200);
		expect(body).toMatchObject({ status: 'ok', roleProviders: ['ollama'], ollama: { ok: true }, providers: { openai: { ok: false } } });
	});
});

describe("a step request's model on a provider the service has not configured", () => {
	let service: RuntimeProcess;
	let projectId: string;

	beforeAll(async () => {
		playCompany(harness.ollama);
		service = await harness.start({ JOB_ATTEMPTS: '1' });
		const posted = await service.request('POST', '/api/projects', { title: unique('Step model'), requirements: unique('tasks=1 waves=1'), start: false });
		expect(posted.status).toBe(201);
		projectId = posted.body.projectId as string;
		// Planned, so the task steps have a task to name.
		const plan = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/plan`);
		expect(plan.status).toBe(202);
		const job = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(plan.body.jobId as string)}?wait=30`);
		expect(job.body.state).toBe('completed');
	}, 60_000);

	it.each([
		['plan', 'openai:gpt-test', 'OPENAI_BASE_URL'],
		['tasks/T1/develop', 'anthropic:claude-test', 'ANTHROPIC_API_KEY'],
		['tasks/T1/test', 'openai:gpt-test', 'OPENAI_BASE_URL'],
		['tasks/T1/review', 'anthropic:claude-test', 'ANTHROPIC_API_KEY'],
		['report', 'openai:gpt-test', 'OPENAI_BASE_URL'],
	])('POST …/%s with model %s gets 400 naming the field model and the variable to set', async (step, model, variable) => {
		const jobsBefore = await service.request<Record<string, any>>('GET', '/health');
		const reply = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/${step}`, { model });
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field: 'model' });
		expect(reply.body.message).toContain(variable);
		// Nothing was queued.
		const jobsAfter = await service.request<Record<string, any>>('GET', '/health');
		expect(jobsAfter.body.redis.queue).toEqual(jobsBefore.body.redis.queue);
	});

	it('takes a model on a configured provider (a bare name is Ollama\'s)', async () => {
		const reply = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/report`, { model: 'llama3.2:3b' });
		expect(reply.status).toBe(202);
	});
});
