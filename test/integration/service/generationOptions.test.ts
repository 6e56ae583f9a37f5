
import type { RecordedRequest } from '../../support/ollamaTestServer';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { callOf, playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique } from './support';

// A step request's generation options (`llm`, `promptTemplate`, the role's own) reach the model
// request and the sandbox run of its job. JOB_ATTEMPTS=1: a job that fails is not tried again, so
// what a test sees is what the job's own options did.

const harness = new ServiceHarness();
let service: RuntimeProcess;
/** Planner calls for projects whose requirements say "flaky-model" fail with 503 this many more times. */
let flakyLeft = 0;

const LLM = { temperature: 1.5, contextSize: 4096, keepAlive: '10m', maxTokens: 777, seed: 42 };
const EXPECTED_OPTIONS = { temperature: 1.5, num_ctx: 4096, num_predict: 777, seed: 42 };

/** A tester reply whose test prints 8 KB and then never ends. */
const HANGING_TEST = {
	summary: 'tests that hang',
	testFiles: [{ path: 'test/t1.test.js', content: "const test = require('node:test');\ntest('hangs', async () => { console.log('x'.repeat(8192)); await new Promise(() => setInterval(() => {}, 1000)); });\n" }],
};

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama, (call, request) => {
		const text = JSON.stringify(request.body?.messages ?? []);
		if (call.role === 'planner' && text.includes('slow-model')) return { delayMs: 5000, content: '{}' };
		if (call.role === 'planner' && text.includes('flaky-model') && flakyLeft > 0) {
			flakyLeft--;
			return { status: 503, error: 'server busy' };
		}
		if (call.role === 'tester' && text.includes('HANG')) return { content: JSON.stringify(HANGING_TEST) };
		return undefined;
	});
	service = await harness.start({ JOB_ATTEMPTS: '1' });
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

async function stepsProject(requirements: string): Promise<string> {
	const { status, body } = await service.request('POST', '/api/projects', { title: unique('Options'), requirements: `${unique(requirements)}`, start: false });
	expect(status).toBe(201);
	return body.projectId as string;
}

/** Posts a step, waits for its job to end, and returns the job's view and the chat requests made meanwhile. */
async function runStep(path: string, body?: unknown): Promise<{ job: Record<string, any>; calls: RecordedRequest[] }> {
	const before = harness.ollama.chatRequests().length;
	const posted = await service.request<Record<string, any>>('POST', path, body);
	expect({ path, status: posted.status, body: posted.body }).toMatchObject({ status: 202 });
	const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(posted.body.jobId as string)}?wait=30`);
	return { job, calls: harness.ollama.chatRequests().slice(before) };
}

function userPrompt(request: RecordedRequest): string {
	const messages = (request.body?.messages ?? []) as Array<{ role: string; content: string }>;
	return messages.find((m) => m.role === 'user')?.content ?? '';
}

describe("a step request's generation options reach its model request", () => {
	it('plan, develop and test each send temperature, num_ctx, num_predict, seed and keep_alive, and use the request\'s prompt template', async () => {
		const id = await stepsProject('tasks=1 waves=1');

		const plan = await runStep(`/api/projects/${id}/plan`, { llm: LLM, maxTasks: 3, promptTemplate: 'CUSTOM PLANNER, at most {{maxTasks}} tasks: {{requirements}}' });
		expect(plan.job.state).toBe('completed');
		expect(plan.calls).toHaveLength(1);
		expect(plan.calls[0].body).toMatchObject({ options: EXPECTED_OPTIONS, keep_alive: '10m' });
		expect(userPrompt(plan.calls[0])).toMatch(/^CUSTOM PLANNER, at most 3 tasks: /);

		const develop = await runStep(`/api/projects/${id}/tasks/T1/develop`, { llm: { ...LLM, keepAlive: '-1' }, promptTemplate: 'CUSTOM DEVELOPER Task {{task.id}}: {{planSummary}}' });
		expect(develop.job.state).toBe('completed');
		expect(develop.calls).toHaveLength(1);
		expect(callOf(develop.calls[0]).role).toBe('developer');
		// "-1" is sent as the number Ollama reads as "keep loaded".
		expect(develop.calls[0].body).toMatchObject({ options: EXPECTED_OPTIONS, keep_alive: -1 });
		expect(userPrompt(develop.calls[0])).toMatch(/^CUSTOM DEVELOPER Task T1: /);

		const test = await runStep(`/api/projects/${id}/tasks/T1/test`, {
			llm: LLM,
			promptTemplate: 'CUSTOM TESTER Task {{task.id}}: {{planSummary}}',
			// Not `node --test`: without bubblewrap, Node's permission model forbids its child processes.
			testCommand: 'node  test/t1.test.js',
		});
expect(test.job).toMatchObject({ state: 'completed', result: { status: 'passed', taskStatus: 'done' } });
		expect(test.calls).toHaveLength(1);
		expect(test.calls[0].body).toMatchObject({ options: EXPECTED_OPTIONS, keep_alive: '10m' });
		expect(userPrompt(test.calls[0])).toMatch(/^CUSTOM TESTER Task T1: /);
		// Split on spaces, no shell.
		expect(test.job.result.report.command).toEqual(['node', 'test/t1.test.js']);
	}, 60_000);

	it('sends neither seed nor num_predict for seed 0 (random) and maxTokens -1 (no limit), and the defaults without llm', async () => {
		const id = await stepsProject('tasks=1 waves=1');
		const plan = await runStep(`/api/projects/${id}/plan`, { llm: { seed: 0, maxTokens: -1 } });
		expect(plan.job.state).toBe('completed');
		const options = plan.calls[0].body?.options as Record<string, unknown>;
		expect(options).toEqual({ temperature: 0.2, num_ctx: 8192 });
		expect(plan.calls[0].body?.keep_alive).toBe('5m');
	}, 30_000);

	it('maxRepairAttempts bounds the repairs and maxTasks the plan: 0 repairs of a plan over maxTasks fail the job after one call', async () => {
		const id = await stepsProject('tasks=2 waves=1');
		const plan = await runStep(`/api/projects/${id}/plan`, { maxTasks: 1, llm: { maxRepairAttempts: 0 } });
		expect(plan.job).toMatchObject({ state: 'failed', error: { kind: 'invalid_output' } });
		expect(plan.calls).toHaveLength(1);
	}, 30_000);

	it('maxRetries retries a busy model inside the job: two 503s, then the plan, in one job attempt', async () => {
		const id = await stepsProject('tasks=1 waves=1 flaky-model');
		flakyLeft = 2;
		const plan = await runStep(`/api/projects/${id}/plan`, { llm: { maxRetries: 2 } });
		expect(plan.job).toMatchObject({ state: 'completed', attemptsMade: 1 });
		expect(plan.calls).toHaveLength(3);
		expect(flakyLeft).toBe(0);
	}, 30_000);

	it('without maxRetries a busy model fails the job at its first 503 (JOB_ATTEMPTS=1 here)', async () => {
		const id = await stepsProject('tasks=1 waves=1 flaky-model');
		flakyLeft = 1;
		const plan = await runStep(`/api/projects/${id}/plan`);
		expect(plan.job).toMatchObject({ state: 'failed', error: { kind: 'server_error' } });
		expect(plan.calls).toHaveLength(1);
	}, 30_000);

	it('timeoutSeconds bounds the whole model call: a 5 s reply fails a 1 s job with timeout', async () => {
		const id = await stepsProject('tasks=1 waves=1 slow-model');
		const started = Date.now();
		const plan = await runStep(`/api/projects/${id}/plan`, { llm: { timeoutSeconds: 1 } });
		// The whole error is printed on a failure (once seen as kind "internal" on a loaded machine).
		expect(plan.job.error).toEqual(expect.objectContaining({ kind: 'timeout' }));
		expect(plan.job.state).toBe('failed');
		expect(Date.now() - started).toBeLessThan(4500);
	}, 30_000);

	it('testTimeoutSeconds and maxOutputKb bound the sandbox run: a test that prints 8 KB and hangs is stopped at 2 s with about 1 KB kept', async () => {
		const id = await stepsProject('tasks=1 waves=1');
		expect((await runStep(`/api/projects/${id}/plan`)).job.state).toBe('completed');
		expect((await runStep(`/api/projects/${id}/tasks/T1/develop`)).job.state).toBe('completed');
		const test = await runStep(`/api/projects/${id}/tasks/T1/test`, { testTimeoutSeconds: 2, maxOutputKb: 1, promptTemplate: 'HANG Task {{task.id}}: {{planSummary}}' });
		expect(test.job).toMatchObject({ state: 'completed', result: { status: 'timeout', taskStatus: 'failed' } });
		const report = test.job.result.report as { durationMs: number; output: string };
		expect(report.durationMs).toBeGreaterThanOrEqual(1500);
		expect(report.durationMs).toBeLessThan(10_000);
		expect(Buffer.byteLength(report.output)).toBeLessThan(2048);
	}, 60_000);
});

describe('bad generation options are refused with 400 naming the field, and no job is queued', () => {
	const refusals: Array<[string, string, Record<string, unknown>, string]> = [
		['plan', 'a temperature over 2', { llm: { temperature: 2.5 } }, 'llm.temperature'],
		['plan', 'a context size under 256', { llm: { contextSize: 100 } }, 'llm.contextSize'],
		['plan', 'an empty keepAlive', { llm: { keepAlive: '' } }, 'llm.keepAlive'],
		['plan', 'maxTokens under -1', { llm: { maxTokens: -2 } }, 'llm.maxTokens'],
		['plan', 'a seed that is not an integer', { llm: { seed: 1.5 } }, 'llm.seed'],
		['plan', 'maxRepairAttempts over 10', { llm: { maxRepairAttempts: 11 } }, 'llm.maxRepairAttempts'],
		['plan', 'maxRetries under 0', { llm: { maxRetries: -1 } }, 'llm.maxRetries'],
		['plan', 'a negative timeoutSeconds', { llm: { timeoutSeconds: -1 } }, 'llm.timeoutSeconds'],
		['plan', 'an unknown llm option', { llm: { topK: 3 } }, 'llm.topK'],
		['plan', 'maxTasks 0', { maxTasks: 0 }, 'maxTasks'],
		['plan', 'an empty promptTemplate', { promptTemplate: '' }, 'promptTemplate'],
		['plan', 'a promptTemplate that is not Handlebars', { promptTemplate: '{{#if}}' }, 'promptTemplate'],
		['plan', 'contextTokens on a plan', { contextTokens: 1000 }, 'contextTokens'],
		['develop', 'contextTokens under 256', { contextTokens: 10 }, 'contextTokens'],
		['develop', 'testCommand on a develop step', { testCommand: 'npm test' }, 'testCommand'],
		['test', 'a testCommand of spaces only', { testCommand: '   ' }, 'testCommand'],
		['test', 'a testCommand over 500 characters', { testCommand: 'x'.repeat(501) }, 'testCommand'],
		['test', 'testTimeoutSeconds over 3600', { testTimeoutSeconds: 3601 }, 'testTimeoutSeconds'],
		['test', 'maxOutputKb 0', { maxOutputKb: 0 }, 'maxOutputKb'],
		['test', 'a sandbox choice (the service\'s own setting)', { sandbox: 'process-unconfined' }, 'sandbox'],
	];
	let id: string;

	beforeAll(async () => {
		id = await stepsProject('tasks=1 waves=1');
		expect((await runStep(`/api/projects/${id}/plan`)).job.state).toBe('completed');
	}, 30_000);

	it.each(refusals)('%s step: refuses %s naming the field', async (step, _what, body, field) => {
		const path = step === 'plan' ? `/api/projects/${id}/plan` : `/api/projects/${id}/tasks/T1/${step}`;
		const before = harness.ollama.chatRequests().length;
		const reply = await service.request('POST', path, body);
		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: 'invalid_input', field });
		expect(reply.body.message).toEqual(expect.stringContaining(field));
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(harness.ollama.chatRequests().length).toBe(before);
		const { body: project } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(project.tasks.T1).toMatchObject({ status: 'pending', attempts: 0 });
	});
});
