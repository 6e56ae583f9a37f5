import { playCompany } from '../../support/scriptedCompany';
import { AnthropicTestServer } from '../../support/anthropicTestServer';
import { OpenAiTestServer } from '../../support/openaiTestServer';
import { playCompanyOn } from '../../support/providerCompany';
import { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, unique, waitForStatus } from './support';

// The real service with three providers: Ollama (the harness's), an OpenAI-compatible server and
// the Anthropic API (test servers speaking each API, each requiring its key). A whole project runs
// its planner and tester on the first, its developer on the second; the model list shows all three;
// references to a provider the service has not configured are refused at the door.

const OPENAI_KEY = 'sk-openai-test-5b1e9c0d7a3f';
const ANTHROPIC_KEY = 'sk-ant-test-8c2d4e6f0a1b';

// USD per million tokens; the local models are left out, so they cost 0.
const PRICES = { 'openai:gpt-test': { input: 1, output: 2 }, 'openai:gpt-other': { input: 3, output: 4 }, 'anthropic:claude-test': { input: 5, output: 25 } };

const harness = new ServiceHarness();
let openai: OpenAiTestServer;
let anthropic: AnthropicTestServer;
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	[openai, anthropic] = await Promise.all([
		OpenAiTestServer.start({ apiKey: OPENAI_KEY, models: ['gpt-test', 'gpt-other'] }),
		AnthropicTestServer.start({ apiKey: ANTHROPIC_KEY, models: ['claude-test'] }),
	]);
	playCompany(harness.ollama);
	service = await harness.start({
		OPENAI_BASE_URL: openai.url,
		OPENAI_API_KEY: OPENAI_KEY,
		ANTHROPIC_BASE_URL: anthropic.url,
		ANTHROPIC_API_KEY: ANTHROPIC_KEY,
		MODEL_PLANNER: 'openai:gpt-test',
		MODEL_TESTER: 'openai:gpt-test',
		MODEL_PRICES: JSON.stringify(PRICES),
	});
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	await Promise.all([openai?.close(), anthropic?.close()]);
});

describe('a service with an OpenAI-compatible server and the Anthropic API beside Ollama', () => {
	it('lists every provider\'s models as model references', async () => {
		const { status, body } = await service.request<{ models: Array<{ name: string; provider: string }>; unavailable?: unknown }>('GET', '/api/models');
		expect(status).toBe(200);
		const names = body.models.map((m) => m.name);
		expect(names).toEqual(expect.arrayContaining(['openai:gpt-test', 'openai:gpt-other', 'anthropic:claude-test', ...harness.ollama.models]));
		expect(body.models.find((m) => m.name === 'anthropic:claude-test')?.provider).toBe('anthropic');
		expect(body.unavailable).toBeUndefined();
		expect(openai.requests.some((r) => r.path === '/v1/models' && r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
	});

	it('completes a whole project with the planner and tester on the OpenAI-compatible server and the developer on Anthropic', async () => {
		const openaiCalls = playCompanyOn(openai);
		const anthropicCalls = playCompanyOn(anthropic);
		const posted = await service.request('POST', '/api/projects', {
			title: unique('Providers'),
			requirements: `${unique('tasks=3 waves=2 bug=T2')}`,
			settings: { models: { developer: 'anthropic:claude-test' }, review: false },
		});
		expect(posted.status).toBe(201);
		const project = await waitForStatus(service, posted.body.projectId as string, ['completed', 'failed'], 90_000);
		expect(project.statusReason).toBeNull();
		expect(project.status).toBe('completed');
		expect(project.tasks.T2.attempts).toBe(2);

		expect(new Set(openaiCalls.map((c) => c.role))).toEqual(new Set(['planner', 'tester']));
		expect(openaiCalls.filter((c) => c.role === 'tester')).toHaveLength(3);
		expect(anthropicCalls.map((c) => c.role)).toEqual(['developer', 'developer', 'developer', 'developer']);
		// Each with its key, the developer's through the forced reply tool.
		expect(openai.chatRequests().every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
		expect(anthropic.chatRequests().every((r) => (r.body?.tool_choice as { name?: string })?.name === 'reply')).toBe(true);
		// No key in any log line of the service.
		expect(service.lines.join('\n')).not.toContain(OPENAI_KEY);
		expect(service.lines.join('\n')).not.toContain(ANTHROPIC_KEY);
	}, 120_000);

	it("escalates a task's second attempt from an OpenAI-compatible model to Anthropic, and keeps usage and cost by role and model", async () => {
		const openaiCalls = playCompanyOn(openai);
		const anthropicCalls = playCompanyOn(anthropic);
		const posted = await service.request('POST', '/api/projects', {
			title: unique('Escalation across providers'),
			requirements: `${unique('tasks=2 waves=1 bug=T2')}`,
			settings: { models: { developer: 'openai:gpt-other', escalation: 'anthropic:claude-test' }, escalateAfterAttempts: 2, review: false },
		});
		expect(posted.status).toBe(201);
		const project = await waitForStatus(service, posted.body.projectId as string, ['completed', 'failed'], 90_000);
		expect(project.statusReason).toBeNull();
		expect(project.status).toBe('completed');

		// T2's first attempt fails its tests; the fix is written by the escalation model on the other API.
		expect(project.tasks.T1.attemptModels).toEqual([{ attempt: 1, model: 'openai:gpt-other' }]);
		expect(project.tasks.T2.attemptModels).toEqual([
			{ attempt: 1, model: 'openai:gpt-other' },
			{ attempt: 2, model: 'anthropic:claude-test' },
		]);
		expect(anthropicCalls.map((c) => `${c.role}:${c.taskId}`)).toEqual(['developer:T2']);
		expect(openaiCalls.filter((c) => c.role === 'developer').map((c) => c.taskId).sort()).toEqual(['T1', 'T2']);

		// Usage by model and what it cost: each model's tokens at its price, summed by role and in total.
		const { usage } = project;
		expect(Object.keys(usage.byModel).sort()).toEqual(['anthropic:claude-test', 'openai:gpt-other', 'openai:gpt-test']);
		const priced = (model: keyof typeof PRICES) => (usage.byModel[model].promptTokens * PRICES[model].input + usage.byModel[model].completionTokens * PRICES[model].output) / 1e6;
		for (const model of Object.keys(PRICES) as Array<keyof typeof PRICES>) {
			expect(usage.byModel[model].calls).toBeGreaterThan(0);
			expect(usage.cost.byModel[model]).toBeCloseTo(priced(model), 6);
		}
		expect(usage.cost.byRole.developer).toBeCloseTo(priced('openai:gpt-other') + priced('anthropic:claude-test'), 6);
		expect(usage.cost.byRole.planner + usage.cost.byRole.tester).toBeCloseTo(priced('openai:gpt-test'), 6);
		expect(usage.cost.total).toBeCloseTo(priced('openai:gpt-test') + priced('openai:gpt-other') + priced('anthropic:claude-test'), 6);
		expect(usage.cost.total).toBeGreaterThan(0);
	}, 120_000);

	it('reports each configured provider in the credential check', async () => {
		const { body } = await service.request<Record<string, any>>('GET', '/api/credential-check');
		expect(body.providers).toMatchObject({ openai: { ok: true, models: 2 }, anthropic: { ok: true, models: 1 } });
	});
});

describe('a model reference to a provider the service has not configured', () => {
	let plain: RuntimeProcess;

	beforeAll(async () => {
		plain = await harness.start();
	}, 30_000);

	it("is refused at intake with a 400 naming the settings field", async () => {
		const posted = await plain.request<Record<string, any>>('POST', '/api/projects', {
			title: unique('No anthropic'),
			requirements: unique('tasks=1'),
			settings: { models: { developer: 'anthropic:claude-test' } },
		});
		expect(posted.status).toBe(400);
		expect(JSON.stringify(posted.body)).toContain('settings.models.developer');
		expect(JSON.stringify(posted.body)).toContain('ANTHROPIC_API_KEY');
	});

	it('in a MODEL_* variable stops start-up naming the variable', async () => {
		await expect(harness.start({ MODEL_DEVELOPER: 'openai:gpt-test' })).rejects.toThrow(/MODEL_DEVELOPER: "openai:gpt-test" names provider "openai", which this service has not configured/);
	});
});
