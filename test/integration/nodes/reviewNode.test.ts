import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiReviewer } from '../../../nodes/AiReviewer/AiReviewer.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { reviewSchema } from '../../../runtime/contracts/review';
import { callOf, playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver } from '../service/support';
import { NodesHarness } from './support';

// The AI Reviewer node against a real service, as the develop-project template wires it: a project
// created with Review on (Project Settings), AI Developer → AI Tester (a pass waits for its review)
// → AI Reviewer → on request_changes back to the AI Developer, which fixes from the comments.

const harness = new NodesHarness();
const planner = new AiPlanner();
const developer = new AiDeveloper();
const tester = new AiTester();
const reviewer = new AiReviewer();
const state = new ProjectState();
let receiver: CallbackReceiver;

beforeAll(async () => {
	await harness.startService();
	playCompany(harness.ollama);
	receiver = await CallbackReceiver.start();
}, 30_000);

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

let projects = 0;
/** A planned steps-mode project with the review gate on (or the settings given). */
async function plannedProject(requirements: string, settings: IDataObject = { review: true }): Promise<string> {
	const [created] = await harness.run(state, { resource: 'project', operation: 'create', requirements: `${requirements} #${++projects}`, intake: { title: 'Reviewed' }, start: false, settings });
	await harness.run(planner, { projectId: created.projectId, execution: 'wait', waitTimeoutSeconds: 60 });
	return created.projectId as string;
}

const step = (projectId: string, taskId: string, extra: IDataObject = {}) => ({ projectId, taskId, model: '', execution: 'wait', waitTimeoutSeconds: 60, options: {}, ...extra });
const getProject = async (projectId: string) => (await harness.run(state, { resource: 'project', operation: 'get', projectId }))[0] as Record<string, any>;

describe('AI Reviewer over the service', () => {
	it('reviews a task whose tests passed: request_changes sends it back to the developer with the comments, the second review approves it (done)', async () => {
		const projectId = await plannedProject('tasks=1 review=T1');
		await harness.run(developer, step(projectId, 'T1', { mode: 'auto' }));
		const [tested] = await harness.run(tester, step(projectId, 'T1'));
		expect(tested).toMatchObject({ status: 'passed', taskStatus: 'in_progress', awaitingReview: true, attempt: 1 });

		const [first] = await harness.run(reviewer, step(projectId, 'T1'), [tested]);
		expect(first).toEqual({
			projectId,
			taskId: 'T1',
			verdict: 'request_changes',
			taskStatus: 'failed',
			attempt: 1,
			round: 1,
			last: false,
			review: expect.objectContaining({ verdict: 'request_changes', summary: 'T1 needs a comment', round: 1, attempt: 1, comments: [{ path: 'src/t1.js', line: 1, severity: 'minor', message: 'Say what value() returns.' }] }),
			model: expect.any(String),
			usage: expect.objectContaining({ calls: 1 }),
			repairs: 0,
		});

		// The canvas's IF (verdict request_changes, not last) → AI Developer in Write or Fix: it fixes from the comments.
		const before = harness.ollama.chatRequests().length;
		const [fixed] = await harness.run(developer, step(projectId, 'T1', { mode: 'auto' }), [first]);
		expect(fixed).toMatchObject({ taskId: 'T1', attempt: 2, mode: 'fix' });
		const [developerCall] = harness.ollama.chatRequests().slice(before);
		expect(callOf(developerCall)).toMatchObject({ role: 'developer', fix: true });
		expect(JSON.stringify(developerCall.body?.messages)).toContain('Say what value() returns.');

		const [retested] = await harness.run(tester, step(projectId, 'T1'), [fixed]);
		expect(retested).toMatchObject({ status: 'passed', taskStatus: 'in_progress', awaitingReview: true, attempt: 2, wroteTests: false });
		const [second] = await harness.run(reviewer, step(projectId, 'T1'), [retested]);
		expect(second).toMatchObject({ verdict: 'approve', taskStatus: 'done', attempt: 2, round: 2, last: true, review: { verdict: 'approve', comments: [] } });

		const project = await getProject(projectId);
		expect(project.tasks.T1).toMatchObject({ status: 'done', attempts: 2, review: { verdict: 'approve', round: 2 } });
		const { body } = await harness.api<{ events: Array<{ type: string }> }>('GET', `/api/projects/${projectId}/events?limit=1000`);
		expect(body.events.filter((e) => e.type === 'task.reviewed')).toHaveLength(2);
	}, 90_000);

	it('sends the Model, the options added and a custom prompt to the reviewer model, which answers in the review schema', async () => {
		const projectId = await plannedProject('tasks=1');
		await harness.run(developer, step(projectId, 'T1', { mode: 'auto' }));
		await harness.run(tester, step(projectId, 'T1'));
		const custom = 'Review {{task.id}} in round {{round}}. {{#fence "task"}}{{task.title}}{{/fence}} Reply with JSON: {{schema}}';
		const before = harness.ollama.chatRequests().length;
		const [approved] = await harness.run(
			reviewer,
			step(projectId, 'T1', { model: 'qwen2.5-coder:7b', options: { temperature: 0.3, contextSize: 4096, keepAlive: '10m', seed: 9, promptTemplate: custom } }),
		);
		expect(approved).toMatchObject({ verdict: 'approve', taskStatus: 'done', model: 'qwen2.5-coder:7b' });
		const [call] = harness.ollama.chatRequests().slice(before);
		expect(call.body).toMatchObject({ model: 'qwen2.5-coder:7b', keep_alive: '10m', options: { temperature: 0.3, num_ctx: 4096, seed: 9 } });
		expect(call.body?.format).toEqual(JSON.parse(JSON.stringify(reviewSchema)));
		expect(JSON.stringify(call.body?.messages)).toContain('Review T1 in round 1.');
	}, 60_000);

	it('with Queue Only outputs the job at once, and the service POSTs the review to the Callback URL', async () => {
		const projectId = await plannedProject('tasks=1');
		await harness.run(developer, step(projectId, 'T1', { mode: 'auto' }));
		await harness.run(tester, step(projectId, 'T1'));
		const path = `/resume-${projectId}`;
		const [queued] = await harness.run(reviewer, step(projectId, 'T1', { execution: 'queue', callbackUrl: receiver.url(path) }));
		expect(queued).toEqual({ jobId: `review.${projectId}.T1.1`, projectId, taskId: 'T1' });
		const [delivery] = await receiver.waitFor(path);
		expect(delivery.body).toMatchObject({ jobId: queued.jobId, name: 'review', state: 'completed', result: { projectId, taskId: 'T1', verdict: 'approve', taskStatus: 'done' } });
	}, 60_000);

	it("refuses a task that does not wait for a review, naming the field; with Continue On Fail the other items go on", async () => {
		// Review off (the steps default): the tester finishes a passing task itself.
		const projectId = await plannedProject('tasks=2 waves=1', {});
		for (const taskId of ['T1', 'T2']) await harness.run(developer, step(projectId, taskId, { mode: 'auto' }));
		const [done] = await harness.run(tester, step(projectId, 'T1'));
		expect(done).toMatchObject({ taskStatus: 'done', awaitingReview: false });

		const error = (await harness.run(reviewer, step(projectId, 'T1')).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/task "T1" is done: only a task whose tests passed and that waits for its review can be reviewed/);
		expect(error.description).toMatch(/Field: taskId/);

		const items = await harness.run(reviewer, step(projectId, 'T1', { taskId: (item: IDataObject) => item.taskId }), [{ taskId: 'T1' }, { taskId: 'no-such-task' }], { continueOnFail: true });
		expect(items).toHaveLength(2);
		expect(items[0].error).toMatch(/task "T1" is done/);
		expect(items[1].error).toMatch(/no-such-task/);
	}, 60_000);
});
