import type { Message } from 'ollama';

import { roundUsd } from '../../../runtime/contracts/usage';
import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RecordedRequest } from '../../support/ollamaTestServer';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, waitForStatus } from './support';

// The developer's model (qwen2.5-coder:7b) writes a task's first attempt; from attempt 2 on the
// escalation model (big-coder:32b, a third model on the test server) writes it. Prices: the two
// coders are priced, the planner's and reporter's llama3.2:3b is not (a local model costs 0).
const DEVELOPER = 'qwen2.5-coder:7b';
const ESCALATION = 'big-coder:32b';
const PRICES = { 'ollama:big-coder:32b': { input: 3, output: 15 }, [DEVELOPER]: { input: 0.5, output: 1 } };

const REPORT = { summary: 'Both parts are built and tested.', done: ['Both values'], next: ['Delivery'], risks: [] };

function systemOf(request: RecordedRequest): string {
	return ((request.body?.messages ?? []) as Message[]).find((m) => m.role === 'system')?.content ?? '';
}

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	harness.ollama.models.push(ESCALATION);
	// The company, and the project manager writing the client report.
	playCompany(harness.ollama, (_, request) => (systemOf(request).includes('project manager agent') ? { content: JSON.stringify(REPORT) } : undefined));
	service = await harness.start({ MODEL_PRICES: JSON.stringify(PRICES) });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

type Usage = { promptTokens: number; completionTokens: number; calls: number };

function priced(usage: Usage, price: { input: number; output: number }): number {
	return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}

describe('escalation to a stronger model, and what the project cost', () => {
	it("writes a task's second attempt with the escalation model, records each attempt's model, and stores usage and cost by role and model", async () => {
		const posted = await service.request('POST', '/api/projects', {
			title: 'Escalated',
			requirements: 'tasks=2 waves=1 bug=T2',
			settings: { models: { escalation: ESCALATION }, packaging: false },
		});
		expect(posted.status).toBe(201);
		const id = posted.body.projectId as string;
		const project = await waitForStatus(service, id, ['completed', 'failed'], 90_000);
		expect(project.status).toBe('completed');

		// T2's first attempt fails its tests; the fix, attempt 2, is the escalation model's.
		expect(project.tasks.T2.attempts).toBe(2);
		expect(project.tasks.T2.attemptModels).toEqual([
			{ attempt: 1, model: DEVELOPER },
			{ attempt: 2, model: ESCALATION },
		]);
		expect(project.tasks.T1.attemptModels).toEqual([{ attempt: 1, model: DEVELOPER }]);
		const developerCalls = harness.ollama
			.chatRequests()
			.filter((r) => callOf(r).role === 'developer' && callOf(r).taskId === 'T2')
			.map((r) => ({ model: r.body?.model, fix: callOf(r).fix }));
		expect(developerCalls).toEqual([
			{ model: DEVELOPER, fix: false },
			{ model: ESCALATION, fix: true },
		]);

		// Usage by role and by model, each summing to the total.
		const { usage } = project;
		expect(usage.byRole.developer.calls).toBe(3);
		expect(usage.byModel[ESCALATION].calls).toBe(1);
		expect(usage.byModel['llama3.2:3b'].calls).toBe(usage.byRole.planner.calls);
		const sum = (record: Record<string, Usage>, field: keyof Usage) => Object.values(record).reduce((n, u) => n + u[field], 0);
		for (const field of ['promptTokens', 'completionTokens', 'calls'] as const) {
			expect(sum(usage.byModel, field)).toBe(usage.total[field]);
			expect(sum(usage.byRole, field)).toBe(usage.total[field]);
		}

		// Cost at MODEL_PRICES: the escalation's one call exactly, the local planner nothing.
		const { cost } = usage;
		expect(cost.currency).toBe('USD');
		expect(cost.byModel[ESCALATION]).toBe(roundUsd(priced(usage.byModel[ESCALATION], PRICES['ollama:big-coder:32b'])));
		expect(cost.byModel[ESCALATION]).toBeGreaterThan(0);
		expect(cost.byModel[DEVELOPER]).toBeCloseTo(priced(usage.byModel[DEVELOPER], PRICES[DEVELOPER]), 5);
		expect(cost.byModel['llama3.2:3b']).toBe(0);
		expect(cost.byRole.planner).toBe(0);
		expect(cost.byRole.developer).toBeGreaterThan(cost.byModel[ESCALATION]);
		expect(cost.total).toBeCloseTo(Object.values(cost.byRole as Record<string, number>).reduce((a, b) => a + b, 0), 6);
		expect(cost.total).toBeCloseTo(Object.values(cost.byModel as Record<string, number>).reduce((a, b) => a + b, 0), 6);

		// The client report is told the cost where it is told the usage, and its own call is metered under reporter.
		const before = harness.ollama.chatRequests().length;
		const report = await service.request<Record<string, any>>('POST', `/api/projects/${id}/report`, {});
		const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(report.body.jobId as string)}?wait=30`);
		expect(job).toMatchObject({ state: 'completed', result: { report: REPORT, model: 'llama3.2:3b', cost: 0 } });
		const prompt = ((harness.ollama.chatRequests()[before].body?.messages ?? []) as Message[]).find((m) => m.role === 'user')?.content ?? '';
		expect(prompt).toContain(`tokens, costing ${cost.total} USD (`);
		expect(prompt).toContain(`developer ${cost.byRole.developer}`);
		const reported = (await service.request<Record<string, any>>('GET', `/api/projects/${id}`)).body;
		expect(reported.usage.byRole.reporter).toMatchObject({ calls: 1 });
		expect(reported.usage.byModel['llama3.2:3b'].calls).toBe(usage.byModel['llama3.2:3b'].calls + 1);
		expect(reported.usage.cost).toMatchObject({ total: cost.total, byRole: { reporter: 0 } });
	}, 120_000);

	it('escalates in the step job develop too: a step project\'s second attempt is written by the escalation model', async () => {
		const created = await service.request<Record<string, any>>('POST', '/api/projects', {
			title: 'Escalated steps',
			requirements: 'tasks=1 waves=1 bug=T1 steps',
			settings: { models: { escalation: ESCALATION }, escalateAfterAttempts: 2 },
			start: false,
		});
		const id = created.body.projectId as string;
		const step = async (path: string, body: object = {}) => {
			const posted = await service.request<Record<string, any>>('POST', `/api/projects/${id}/${path}`, body);
			expect(posted.status).toBe(202);
			const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(posted.body.jobId as string)}?wait=30`);
			expect(job.state).toBe('completed');
			return job.result as Record<string, any>;
		};
		await step('plan');
		expect(await step('tasks/T1/develop')).toMatchObject({ attempt: 1, model: DEVELOPER });
		expect(await step('tasks/T1/test')).toMatchObject({ report: { status: 'failed' } });
		expect(await step('tasks/T1/develop')).toMatchObject({ attempt: 2, model: ESCALATION, mode: 'fix' });
		expect(await step('tasks/T1/test')).toMatchObject({ report: { status: 'passed' } });
		const project = (await service.request<Record<string, any>>('GET', `/api/projects/${id}`)).body;
		expect(project.tasks.T1.attemptModels).toEqual([
			{ attempt: 1, model: DEVELOPER },
			{ attempt: 2, model: ESCALATION },
		]);
		expect(project.usage.byModel[ESCALATION].calls).toBe(1);
		expect(project.usage.cost.byModel[ESCALATION]).toBeGreaterThan(0);
	}, 90_000);

	it.each([0, 21, 1.5, '2'])('refuses settings.escalateAfterAttempts %p with 400 naming the field', async (value) => {
		const reply = await service.request<Record<string, any>>('POST', '/api/projects', { requirements: 'tasks=1', settings: { escalateAfterAttempts: value } });
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field: 'settings.escalateAfterAttempts' });
	});

	it('refuses an empty settings.models.escalation with 400 naming the field', async () => {
		const reply = await service.request<Record<string, any>>('POST', '/api/projects', { requirements: 'tasks=1', settings: { models: { escalation: '' } } });
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field: 'settings.models.escalation' });
	});
});
