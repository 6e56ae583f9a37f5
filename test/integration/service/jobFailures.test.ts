import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, waitForStatus } from './support';

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	// A short lock, renewed every 500 ms, and a stalled check every 250 ms: a model call of 4 s
	// outlives the lock eight times over, as a 20-minute generation outlives the default 60 s lock.
	service = await harness.start({ CONCURRENCY: '2', OLLAMA_NUM_PARALLEL: '1', LOCK_DURATION_MS: '1000', STALLED_INTERVAL_MS: '250', JOB_BACKOFF_MS: '100' });
}, 30_000);

afterAll(() => harness.tearDown());

const post = async (requirements: string, settings: Record<string, unknown> = {}) => {
	const { body } = await service.request('POST', '/api/projects', { title: requirements, requirements, settings });
	return body.projectId as string;
};

describe('transient model errors are retried by the queue; permanent ones fail the project with their reason', () => {
	it('a developer call answered 503 (busy) then 500 is tried again with backoff and the project completes', async () => {
		const failures = [503, 500];
		playCompany(harness.ollama, (call) => (call.role === 'developer' && failures.length ? { status: failures.shift(), error: 'server busy' } : undefined));
		const projectId = await post('tasks=1 waves=1 retry-case');
		const project = await waitForStatus(service, projectId, ['completed', 'failed']);
		expect(project.status).toBe('completed');
		expect(failures).toEqual([]);
		const taskJob = await service.request<Record<string, any>>('GET', `/api/jobs/task.${projectId}.T1.0`);
		// Three tries: two failed, the third completed.
		expect(taskJob.body).toMatchObject({ state: 'completed', attemptsMade: 3 });
		// Refused calls generated nothing, so only the answered one is metered.
		expect(project.usage.byRole.developer.calls).toBe(1);
	}, 60_000);

	it('a model the server does not have fails the project at once, naming the model, without retrying', async () => {
		playCompany(harness.ollama);
		const before = harness.ollama.chatRequests().length;
		const projectId = await post('tasks=1 waves=1 missing-model', { models: { developer: 'no-such-model:1b' } });
		const project = await waitForStatus(service, projectId, ['completed', 'failed']);
		expect(project.status).toBe('failed');
		expect(project.statusReason).toMatch(/task "T1".*no-such-model/);
		const developerCalls = harness.ollama.chatRequests().slice(before).filter((r) => r.body?.model === 'no-such-model:1b');
		expect(developerCalls).toHaveLength(1);
		const taskJob = await service.request<Record<string, any>>('GET', `/api/jobs/task.${projectId}.T1.0`);
		expect(taskJob.body).toMatchObject({ state: 'failed', attemptsMade: 1, error: { kind: 'model_not_found' } });
	}, 60_000);
});

describe('long model calls', () => {
	it('a call that outlives the job lock many times is not taken for stalled and is made once; its progress is visible meanwhile', async () => {
		playCompany(harness.ollama, (call, request) => {
			if (call.role !== 'developer') return undefined;
			const content = JSON.stringify({ summary: 'value 1', files: [{ path: 'src/t1.js', content: 'exports.value = () => 1;\n' }] });
			void request;
			// About 4 s in all, streamed in small chunks as a model generates.
			return { content, chunkDelayMs: Math.ceil(4000 / Math.ceil(content.length / 16)) };
		});
		const before = harness.ollama.chatRequests().length;
		const projectId = await post('tasks=1 waves=1 long-call');
		let progress: Record<string, unknown> | undefined;
		const deadline = Date.now() + 20_000;
		while (!progress && Date.now() < deadline) {
			const { body } = await service.request<Record<string, any>>('GET', `/api/jobs/task.${projectId}.T1.0`);
			if (body.state === 'active' && body.progress?.phase === 'develop' && body.progress?.completionTokens > 0) progress = body.progress;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(progress).toMatchObject({ phase: 'develop', taskId: 'T1', attempt: 1 });
		const project = await waitForStatus(service, projectId, ['completed', 'failed']);
		expect(project.status).toBe('completed');
		const developerCalls = harness.ollama.chatRequests().slice(before).map(callOf).filter((c) => c.role === 'developer');
		expect(developerCalls).toHaveLength(1);
		expect(service.logs().filter((l) => String(l.msg).includes('stalled'))).toEqual([]);
	}, 60_000);
});

describe('a failed project is retried, a cancelled one stops', () => {
	it('a task whose tests never pass fails the project naming it; POST /retry gives it new attempts and the project completes', async () => {
		let stubborn = true;
		playCompany(harness.ollama, (call) =>
			call.role === 'developer' && stubborn ? { content: JSON.stringify({ summary: 'wrong', files: [{ path: 'src/t1.js', content: 'exports.value = () => 0;\n' }] }) } : undefined,
		);
		const projectId = await post('tasks=1 waves=1 stubborn', { maxFixAttempts: 2 });
		const failed = await waitForStatus(service, projectId, ['failed', 'completed']);
		expect(failed.status).toBe('failed');
		expect(failed.statusReason).toMatch(/^task "T1" failed after 2 attempts/);
		expect(failed.tasks.T1).toMatchObject({ status: 'failed', attempts: 2 });

		stubborn = false;
		const retried = await service.request('POST', `/api/projects/${projectId}/retry`);
		expect(retried.status).toBe(200);
		expect(retried.body).toMatchObject({ status: 'development' });
		const project = await waitForStatus(service, projectId, ['completed', 'failed']);
		expect(project.status).toBe('completed');
		expect(project.tasks.T1).toMatchObject({ status: 'done', attempts: 3 });
		expect(project.run).toEqual({ mode: 'auto', round: 1 });
	}, 60_000);

	it('a project cancelled while a task is developed makes no further model call and stays cancelled', async () => {
		playCompany(harness.ollama, (call) =>
			call.role === 'developer' ? { delayMs: 1500, content: JSON.stringify({ summary: 'v', files: [{ path: 'src/t1.js', content: 'exports.value = () => 1;\n' }] }) } : undefined,
		);
		const before = harness.ollama.chatRequests().length;
		const projectId = await post('tasks=2 waves=2 cancel-me');
		while (!harness.ollama.chatRequests().slice(before).map(callOf).some((c) => c.role === 'developer')) await new Promise((resolve) => setTimeout(resolve, 20));
		const cancelled = await service.request('POST', `/api/projects/${projectId}/cancel`, { reason: 'client withdrew' });
		expect(cancelled.body).toMatchObject({ status: 'cancelled' });
		const callsAtCancel = harness.ollama.chatRequests().length;
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(harness.ollama.chatRequests().length).toBe(callsAtCancel);
		const { body } = await service.request<Record<string, any>>('GET', `/api/projects/${projectId}`);
		expect(body).toMatchObject({ status: 'cancelled', statusReason: 'client withdrew' });
		expect(body.tasks.T2.status).toBe('pending');
	}, 30_000);
});
