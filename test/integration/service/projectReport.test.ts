import type { Message } from 'ollama';

import { projectReportSchema } from '../../../runtime/contracts/report';
import type { RecordedRequest } from '../../support/ollamaTestServer';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique, waitForStatus } from './support';

// POST /api/projects/:id/report: the reporter writes a client's progress report on a stored project
// through the one model call path, reading the project and changing nothing. The model is the
// Ollama-speaking test server playing the company, and the reporter as scripted here.

const harness = new ServiceHarness();
let service: RuntimeProcess;

const REPORT = {
	summary: 'Your project is planned and work starts today.',
	done: ['The plan is agreed'],
	next: ['Building the first part'],
	risks: [],
};

const messagesOf = (request: RecordedRequest) => (request.body?.messages ?? []) as Message[];
const isReporter = (request: RecordedRequest) => messagesOf(request)[0]?.content.includes('project manager agent') ?? false;
const userPrompt = (request: RecordedRequest) => messagesOf(request).find((m) => m.role === 'user')?.content ?? '';

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama, (call, request) => {
		const prompt = userPrompt(request);
		if (call.role === 'planner' && prompt.includes('slow-planner')) return { hang: true };
		if (!isReporter(request)) return undefined;
		if (prompt.includes('broken-report')) return { content: '{"summary":"x"}' };
		// A first reply without `next`; the repair round (the reply quoted back) gets the whole report.
		if (prompt.includes('forgets-next') && messagesOf(request).length === 2) {
			const { next: _next, ...withoutNext } = REPORT;
			return { content: JSON.stringify(withoutNext) };
		}
		return { content: JSON.stringify(REPORT) };
	});
	// Two model slots: the auto-mode test's slow planner call must not hold up the report.
	service = await harness.start({ OLLAMA_NUM_PARALLEL: '2' });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

/** A steps-mode project with a client, planned by the company (tasks T1, T2). */
async function plannedProject(title: string): Promise<Record<string, any>> {
	const created = await service.request<Record<string, any>>('POST', '/api/projects', {
		title,
		clientName: 'Ada Lovelace',
		requirements: `${unique('A shop')} tasks=2 waves=2`,
		start: false,
	});
	expect(created.status).toBe(201);
	const id = created.body.projectId as string;
	const plan = await service.request<Record<string, any>>('POST', `/api/projects/${id}/plan`);
	const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(plan.body.jobId as string)}?wait=30`);
	expect(job.state).toBe('completed');
	return (await service.request<Record<string, any>>('GET', `/api/projects/${id}`)).body;
}

/** Posts a report request and waits for its job; the chat requests made meanwhile. */
async function report(id: string, body?: unknown): Promise<{ posted: Record<string, any>; job: Record<string, any>; calls: RecordedRequest[] }> {
	const before = harness.ollama.chatRequests().length;
	const posted = await service.request<Record<string, any>>('POST', `/api/projects/${id}/report`, body);
	expect({ status: posted.status, body: posted.body }).toMatchObject({ status: 202 });
	const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(posted.body.jobId as string)}?wait=30`);
	return { posted: posted.body, job, calls: harness.ollama.chatRequests().slice(before) };
}

describe('POST /api/projects/:id/report', () => {
	it('queues a report job whose model request carries the report schema as format and the fenced project facts; the result has the report', async () => {
		const project = await plannedProject(unique('Shop'));
		const { posted, job, calls } = await report(project.id, { llm: { temperature: 0.5 } });

		expect(posted).toEqual({ jobId: `report.${project.id}.${project.version}`, name: 'report', state: expect.any(String), projectId: project.id });
		expect(job.state).toBe('completed');
		expect(job.result).toEqual({
			projectId: project.id,
			title: project.title,
			status: 'planned',
			report: REPORT,
			model: 'llama3.2:3b',
			usage: expect.objectContaining({ calls: 1, totalTokens: expect.any(Number) }),
			// No MODEL_PRICES here: a local model costs nothing.
			cost: 0,
			repairs: 0,
			// Planned only: nothing reviewed, nothing delivered yet.
			review: null,
			delivery: null,
		});

		expect(calls).toHaveLength(1);
		expect(calls[0].body).toMatchObject({ model: 'llama3.2:3b', format: JSON.parse(JSON.stringify(projectReportSchema)), options: { temperature: 0.5 } });
		const prompt = userPrompt(calls[0]);
		for (const fact of [`Project: ${project.title}`, 'Client: Ada Lovelace', 'T1: Value 1', 'T2: Value 2', `The plan: ${project.plan.summary}`]) {
			expect(prompt).toMatch(new RegExp(`<(CLIENT_DATA_[0-9a-f]{12})>${fact.replace(/[()]/g, '\\$&')}</\\1>`));
		}
		expect(prompt).toContain('Status: planned');
		expect(prompt).toContain(' pending, 0 attempt(s)');
	}, 60_000);

	it('changes nothing but the usage, where its calls are metered under reporter; asked again, the same job answers without a model call', async () => {
		const project = await plannedProject(unique('Unchanged'));
		const first = await report(project.id);
		expect(first.job.state).toBe('completed');
		const after = (await service.request<Record<string, any>>('GET', `/api/projects/${project.id}`)).body;
		expect(after).toMatchObject({ status: project.status, plan: project.plan, tasks: project.tasks, version: project.version + 1 });
		expect(after.usage.byRole.reporter).toEqual(first.job.result.usage);
		expect(after.usage.byModel['llama3.2:3b'].calls).toBe(project.usage.byModel['llama3.2:3b'].calls + 1);
		expect(after.usage.total.calls).toBe(project.usage.total.calls + 1);

		const again = await report(project.id);
		expect(again.posted.jobId).toBe(first.posted.jobId);
		expect(again.calls).toHaveLength(0);
		expect(again.job.result).toEqual(first.job.result);
	}, 60_000);

	it('repairs a reply missing next: the model is told what is missing and asked again', async () => {
		const project = await plannedProject(unique('forgets-next'));
		const { job, calls } = await report(project.id);
		expect(job).toMatchObject({ state: 'completed', result: { report: REPORT, repairs: 1, usage: { calls: 2 } } });
		expect(calls).toHaveLength(2);
		const repair = messagesOf(calls[1]).at(-1)?.content ?? '';
		expect(repair).toContain('missing the required field "next"');
	}, 60_000);

	it('answers 404 not_found for an unknown project, and queues nothing', async () => {
		const before = harness.ollama.chatRequests().length;
		const reply = await service.request('POST', '/api/projects/no-such-project-0000/report', {});
		expect(reply.status).toBe(404);
		expect(reply.body).toMatchObject({ error: 'not_found' });
		const job = await service.request('GET', '/api/jobs/report.no-such-project-0000.1');
		expect(job.status).toBe(404);
		expect(harness.ollama.chatRequests().length).toBe(before);
	});

	it.each<[string, unknown, string]>([
		['an unknown field', { maxTasks: 3 }, 'maxTasks'],
		['a temperature over 2', { llm: { temperature: 5 } }, 'llm.temperature'],
		['a callback URL that is not http(s)', { callbackUrl: 'ftp://example.com/x' }, 'callbackUrl'],
		['a prompt template that does not compile', { promptTemplate: 'Report {{#if}}' }, 'promptTemplate'],
	])('refuses %s with 400 naming the field', async (_what, body, field) => {
		const project = await plannedProject(unique('Refused'));
		const reply = await service.request('POST', `/api/projects/${project.id}/report`, body);
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field });
	}, 60_000);

	it('uses the request\'s model and prompt template, and counts its calls in the metrics under the reporter role', async () => {
		const project = await plannedProject(unique('Custom'));
		const { job, calls } = await report(project.id, { model: 'qwen2.5-coder:7b', promptTemplate: 'CUSTOM REPORT for {{#fence "title"}}{{title}}{{/fence}}: {{schema}}' });
		expect(job).toMatchObject({ state: 'completed', result: { model: 'qwen2.5-coder:7b', report: REPORT } });
		expect(calls[0].body?.model).toBe('qwen2.5-coder:7b');
		expect(userPrompt(calls[0])).toMatch(/^CUSTOM REPORT for <CLIENT_DATA_[0-9a-f]{12}>/);
		const metrics = await fetch(`${service.url}/metrics`).then((r) => r.text());
		expect(metrics).toMatch(/aic_llm_calls_total\{role="reporter",model="qwen2\.5-coder:7b"\} [1-9]/);
	}, 60_000);

	it('fails only its own job, never the project, when the model never gives a valid report (auto mode)', async () => {
		const created = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('broken-report'), requirements: `${unique('slow-planner')} tasks=1` });
		const id = created.body.projectId as string;
		// The planner's call never ends: the project stays in planning, where a failure would move it to failed.
		await waitForStatus(service, id, ['planning'], 20_000);

		const { job, calls } = await report(id, { llm: { maxRepairAttempts: 0 } });
		expect(job).toMatchObject({ state: 'failed', error: { kind: 'invalid_output' } });
		expect(calls).toHaveLength(1);
		const project = (await service.request<Record<string, any>>('GET', `/api/projects/${id}`)).body;
		expect(project).toMatchObject({ status: 'planning', statusReason: null });
	}, 60_000);
});
