import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { CallbackReceiver, ServiceHarness, unique, waitForStatus } from './support';

// The reviewer's gate through the real service process: every task of a whole project is reviewed
// after its tests pass; the scripted reviewer requests changes on the first review of the tasks
// named by review= and approves everything else (test/support/scriptedCompany.ts).

const harness = new ServiceHarness();
let service: RuntimeProcess;
let receiver: CallbackReceiver;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	[service, receiver] = await Promise.all([harness.start({ CONCURRENCY: '4', OLLAMA_NUM_PARALLEL: '2', MODEL_REVIEWER: 'llama3.2:3b' }), CallbackReceiver.start()]);
}, 30_000);

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

type Events = { events: Array<{ type: string; data: Record<string, any> }> };

async function post(requirements: string, settings: Record<string, unknown> = {}, start = true): Promise<string> {
	const { status, body } = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('Reviewed'), requirements: unique(requirements), settings, start });
	expect(status).toBe(201);
	return body.projectId as string;
}

async function eventsOf(projectId: string): Promise<Events['events']> {
	return (await service.request<Events>('GET', `/api/projects/${projectId}/events?limit=1000`)).body.events;
}

describe('a whole project reviews every task before it is done', () => {
	it('reworks the task whose first review requests changes, then completes with a review on every task and the whole project', async () => {
		const hook = await service.request<Record<string, any>>('POST', '/api/webhooks', { url: receiver.url('/reviewed'), events: ['task.reviewed'] });
		expect(hook.status).toBe(201);
		const projectId = await post('tasks=3 waves=1 review=T2');
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect({ status: project.status, reason: project.statusReason }).toEqual({ status: 'completed', reason: null });

		// T2: attempt 1's tests passed, its review asked for changes, attempt 2 fixed from the comments and was approved in round 2.
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 2, review: { verdict: 'approve', round: 2, attempt: 2, model: 'llama3.2:3b', comments: [] } });
		for (const id of ['T1', 'T3']) expect(project.tasks[id]).toMatchObject({ status: 'done', attempts: 1, review: { verdict: 'approve', round: 1, attempt: 1 } });
		expect(project.review).toMatchObject({ verdict: 'approve', round: 1 });
		expect(project.usage.byRole.reviewer.calls).toBe(5);

		const t2 = (await eventsOf(projectId))
			.filter((e) => e.data.taskId === 'T2' && e.type !== 'task.work_recorded')
			.map((e) => (e.type === 'task.reviewed' ? `${e.type} ${e.data.verdict} #${e.data.round}` : `${e.type} #${e.data.attempt}`));
		expect(t2).toEqual(['task.started #1', 'task.reviewed request_changes #1', 'task.failed #1', 'task.started #2', 'task.reviewed approve #2', 'task.done #2']);
		expect((await eventsOf(projectId)).map((e) => e.type)).toContain('project.reviewed');

		// The developer's second turn on T2 was a fix from the review's comments, fenced.
		const developerT2 = harness.ollama.chatRequests().filter((r) => callOf(r).role === 'developer' && callOf(r).taskId === 'T2');
		const fixPrompt = developerT2.map((r) => String((r.body?.messages as Array<{ content: string }>)[1].content)).find((p) => p.includes('the code reviewer asked for changes'));
		expect(fixPrompt).toMatch(/<CLIENT_DATA_[0-9a-f]{12}>\n- \[minor\] src\/t2\.js:1: Say what value\(\) returns\.\n<\/CLIENT_DATA_[0-9a-f]{12}>/);

		// Webhook subscribers heard of every task review.
		const deadline = Date.now() + 20_000;
		let heard: string[] = [];
		while (Date.now() < deadline && heard.length < 4) {
			heard = receiver.on('/reviewed').filter((r) => r.body.projectId === projectId).map((r) => `${r.body.event}:${r.body.taskId}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(heard.sort()).toEqual(['task.reviewed:T1', 'task.reviewed:T2', 'task.reviewed:T2', 'task.reviewed:T3']);
		await service.request('DELETE', `/api/webhooks/${hook.body.webhookId}`);
	}, 120_000);

	it('fails the task, and the project, with the reviewer\'s summary when the last review round still rejects it', async () => {
		const projectId = await post('tasks=2 waves=1 review=T2', { reviewRounds: 1 });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect(project.status).toBe('failed');
		expect(project.statusReason).toBe('task "T2" failed after 1 attempt: the review requested changes: T2 needs a comment');
		expect(project.tasks.T2).toMatchObject({ status: 'failed', attempts: 1, review: { verdict: 'request_changes', round: 1 } });
	}, 120_000);

	it('lets a last rejection through as a warning when reviewLastRejection is "warn": the task is done, its review kept', async () => {
		const projectId = await post('tasks=2 waves=1 review=T2', { reviewRounds: 1, reviewLastRejection: 'warn' });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect(project.status).toBe('completed');
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 1, review: { verdict: 'request_changes', round: 1, warned: true } });
	}, 120_000);

	it('with review off, no review runs: the tests alone finish each task', async () => {
		const before = harness.ollama.chatRequests().length;
		const projectId = await post('tasks=2 waves=1 review=T2', { review: false });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 90_000);
		expect(project.status).toBe('completed');
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 1 });
		expect(project.tasks.T2.review).toBeUndefined();
		expect(project.review ?? null).toBeNull();
		expect(project.usage.byRole.reviewer).toBeUndefined();
		expect(harness.ollama.chatRequests().slice(before).map(callOf).filter((c) => c.role === 'reviewer')).toEqual([]);
		expect((await eventsOf(projectId)).map((e) => e.type)).not.toContain('task.reviewed');
	}, 120_000);
});

describe('the review step job (POST /api/projects/:id/tasks/:taskId/review)', () => {
	async function finished(jobId: string): Promise<Record<string, any>> {
		for (;;) {
			const { body } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(jobId)}?wait=20`);
			if (body.state === 'completed' || body.state === 'failed') return body;
		}
	}

	async function step(path: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
		const reply = await service.request<Record<string, any>>('POST', path, body);
		expect(reply.status).toBe(202);
		return finished(reply.body.jobId as string);
	}

	it('in step mode with review on, the tester leaves a passing task waiting and the review step finishes it', async () => {
		const projectId = await post('tasks=1 waves=1', { review: true }, false);
		await step(`/api/projects/${projectId}/plan`);
		await step(`/api/projects/${projectId}/tasks/T1/develop`);
		const tested = await step(`/api/projects/${projectId}/tasks/T1/test`);
		expect(tested.result).toMatchObject({ status: 'passed', taskStatus: 'in_progress', awaitingReview: true });

		const queued = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/tasks/T1/review`, { model: 'qwen2.5-coder:7b' });
		expect(queued).toMatchObject({ status: 202, body: { jobId: `review.${projectId}.T1.1`, name: 'review', projectId, taskId: 'T1' } });
		const reviewed = await finished(queued.body.jobId as string);
		expect(reviewed.result).toMatchObject({ projectId, taskId: 'T1', verdict: 'approve', taskStatus: 'done', attempt: 1, round: 1, last: false, model: 'qwen2.5-coder:7b', review: { verdict: 'approve', comments: [] } });
		const { body: project } = await service.request<Record<string, any>>('GET', `/api/projects/${projectId}`);
		expect(project.tasks.T1).toMatchObject({ status: 'done', review: { verdict: 'approve', model: 'qwen2.5-coder:7b' } });
		expect(project.usage.byRole.reviewer.calls).toBe(1);
	}, 60_000);

	it('in step mode by default (review off), the tester finishes the task as before, and a review of it is refused', async () => {
		const projectId = await post('tasks=1 waves=1', {}, false);
		await step(`/api/projects/${projectId}/plan`);
		await step(`/api/projects/${projectId}/tasks/T1/develop`);
		const tested = await step(`/api/projects/${projectId}/tasks/T1/test`);
		expect(tested.result).toMatchObject({ status: 'passed', taskStatus: 'done', awaitingReview: false });
		const refused = await step(`/api/projects/${projectId}/tasks/T1/review`);
		expect(refused).toMatchObject({ state: 'failed', error: { kind: 'invalid_input', field: 'taskId', message: expect.stringContaining('task "T1" is done') } });
	}, 60_000);

	it('refuses a body field it does not know, naming it', async () => {
		const projectId = await post('tasks=1 waves=1', {}, false);
		const reply = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/tasks/T1/review`, { verdict: 'approve' });
		expect(reply.status).toBe(400);
	});
});
