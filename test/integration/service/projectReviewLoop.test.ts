import { callOf, playCompany } from '../../support/scriptedCompany';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { CallbackReceiver, ServiceHarness, unique, waitForStatus } from './support';

// The whole project's review (its `review` status) as a bounded loop, through the real service
// process: the scripted project reviewer requests changes on src/tN.js in its first rounds
// (projectReview=TN:rounds, test/support/scriptedCompany.ts); the comments go back to TN's developer,
// TN's tests run again, TN is reviewed once more, and the whole project is reviewed again.

const harness = new ServiceHarness();
let service: RuntimeProcess;
let receiver: CallbackReceiver;

const REPORT = { summary: 'Your project is delivered.', done: ['Everything'], next: [], risks: [] };
const promptOf = (request: { body?: Record<string, unknown> }) => String((request.body?.messages as Array<{ content: string }>)[1].content);

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama, (_call, request) =>
		String((request.body?.messages as Array<{ content: string }>)[0].content).includes('project manager agent') ? { content: JSON.stringify(REPORT) } : undefined,
	);
	[service, receiver] = await Promise.all([harness.start({ CONCURRENCY: '4', OLLAMA_NUM_PARALLEL: '2' }), CallbackReceiver.start()]);
}, 30_000);

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

type Event = { type: string; data: Record<string, any> };

async function post(requirements: string, settings: Record<string, unknown> = {}): Promise<string> {
	const { status, body } = await service.request<Record<string, any>>('POST', '/api/projects', { title: unique('Project review'), requirements: unique(requirements), settings });
	expect(status).toBe(201);
	return body.projectId as string;
}

async function eventsOf(projectId: string): Promise<Event[]> {
	return (await service.request<{ events: Event[] }>('GET', `/api/projects/${projectId}/events?limit=1000`)).body.events;
}

/** The log's review story: project reviews, and T2's attempts and reviews. */
function story(events: Event[]): string[] {
	return events
		.filter((e) => e.type === 'project.reviewed' || (e.data.taskId === 'T2' && e.type !== 'task.work_recorded'))
		.map((e) =>
			e.type === 'project.reviewed'
				? `project.reviewed ${e.data.verdict} #${e.data.round}${e.data.warned ? ' warned' : ''}`
				: e.type === 'task.reviewed'
					? `${e.type} ${e.data.verdict} #${e.data.round}`
					: `${e.type} #${e.data.attempt}${e.data.projectReview ? ` (project review ${e.data.projectReview})` : ''}`,
		);
}

describe('the whole project\'s review loops like a task\'s', () => {
	it('sends its comments back to the task whose file they name, tests and reviews that task again, reviews the project again, and completes', async () => {
		const projectId = await post('tasks=3 waves=1 projectReview=T2:1', { callbackUrl: receiver.url('/ended') });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 120_000);
		expect({ status: project.status, reason: project.statusReason }).toEqual({ status: 'completed', reason: null });

		expect(project.review).toMatchObject({ verdict: 'approve', round: 2 });
		// T2: approved in round 1, sent back by the project's review (round 2 of its reviews), fixed on attempt 2, approved again.
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 2, review: { verdict: 'approve', round: 3, attempt: 2 } });
		expect(project.tasks.T2.files).toEqual([{ path: 'src/t2.js', content: '// value() returns 2.\nexports.value = () => 2;\n' }]);
		for (const id of ['T1', 'T3']) expect(project.tasks[id]).toMatchObject({ status: 'done', attempts: 1, review: { verdict: 'approve', round: 1 } });
		expect(story(await eventsOf(projectId))).toEqual([
			'task.started #1',
			'task.reviewed approve #1',
			'task.done #1',
			'project.reviewed request_changes #1',
			'task.failed #1 (project review 1)',
			'task.started #2',
			'task.reviewed approve #3',
			'task.done #2',
			'project.reviewed approve #2',
		]);
		// The rework's code was tested again (every finished task's tests) before its review.
		const rework = (await eventsOf(projectId)).filter((e) => e.type === 'task.work_recorded' && e.data.taskId === 'T2' && e.data.attempt === 2 && e.data.testStatus);
		expect(rework.map((e) => e.data.testStatus)).toEqual(['passed']);

		// The developer's fix prompt carried the project review's comment, fenced.
		const fix = harness.ollama
			.chatRequests()
			.filter((r) => callOf(r).role === 'developer' && callOf(r).taskId === 'T2')
			.map((r) => String((r.body?.messages as Array<{ content: string }>)[1].content))
			.find((p) => p.includes('Project review round 1'));
		expect(fix).toMatch(/<CLIENT_DATA_[0-9a-f]{12}>\n- \[minor\] src\/t2\.js:1: Project review round 1: say what value\(\) returns\.\n<\/CLIENT_DATA_[0-9a-f]{12}>/);
		// 3 task reviews, the project's first review, T2's rework review, the project's second review.
		expect(project.usage.byRole.reviewer.calls).toBe(6);
		expect(project.delivery).toMatchObject({ verified: true });

		// The end callback's outcome tells each task's review, the project's, and the delivery.
		const deadline = Date.now() + 20_000;
		while (Date.now() < deadline && !receiver.on('/ended').some((r) => r.body.projectId === projectId)) await new Promise((resolve) => setTimeout(resolve, 100));
		const outcome = receiver.on('/ended').find((r) => r.body.projectId === projectId)!.body;
		expect(outcome.tasks).toEqual([
			{ id: 'T1', status: 'done', attempts: 1, review: { verdict: 'approve', summary: 'T1 does what it says', rounds: 1, warned: false } },
			{ id: 'T2', status: 'done', attempts: 2, review: { verdict: 'approve', summary: 'T2 does what it says', rounds: 3, warned: false } },
			{ id: 'T3', status: 'done', attempts: 1, review: { verdict: 'approve', summary: 'T3 does what it says', rounds: 1, warned: false } },
		]);
		expect(outcome.review).toEqual({ verdict: 'approve', summary: 'The project does what it says', rounds: 2, warned: false });
		expect(outcome.delivery).toEqual({ testCommand: 'npm test', verified: true, files: project.delivery.files.map((f: { path: string }) => f.path) });

		// The client report: its input tells the reviews (fenced summaries), and its result carries the project's review and the delivery.
		const queued = await service.request<Record<string, any>>('POST', `/api/projects/${projectId}/report`);
		expect(queued.status).toBe(202);
		const { body: job } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(queued.body.jobId as string)}?wait=30`);
		expect(job.result).toMatchObject({ report: REPORT, review: outcome.review, delivery: outcome.delivery });
		const reporterPrompt = harness.ollama.chatRequests().map(promptOf).find((p) => p.includes('progress report') && p.includes(project.title));
		expect(reporterPrompt).toMatch(/Code review: approve after 3 round\(s\); the reviewer said <CLIENT_DATA_[0-9a-f]{12}>T2 does what it says<\/CLIENT_DATA_[0-9a-f]{12}>/);
		expect(reporterPrompt).toMatch(/Review of the whole project: approve after 2 round\(s\); the reviewer said <CLIENT_DATA_[0-9a-f]{12}>The project does what it says<\/CLIENT_DATA_[0-9a-f]{12}>/);
		expect(reporterPrompt).toContain('Delivery: the repository\'s own test command `npm test` passed in a clean clone');
	}, 150_000);

	it('fails the project with the reviewer\'s summary when the last round (reviewRounds) still requests changes', async () => {
		const projectId = await post('tasks=2 waves=1 projectReview=T2:9', { reviewRounds: 2 });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 120_000);
		expect(project.status).toBe('failed');
		expect(project.statusReason).toBe('the project\'s review requested changes in its last round (2 of 2): The project: T2 needs a comment');
		expect(project.review).toMatchObject({ verdict: 'request_changes', round: 2 });
		expect(project.review.warned).toBeUndefined();
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 2 });
		expect(story(await eventsOf(projectId)).filter((line) => line.startsWith('project.'))).toEqual(['project.reviewed request_changes #1', 'project.reviewed request_changes #2']);
		expect(project.delivery ?? null).toBeNull();
	}, 150_000);

	it('only warns on a last rejection when reviewLastRejection is "warn": stored warned, no rework, the project completes', async () => {
		const projectId = await post('tasks=2 waves=1 projectReview=T2:9', { reviewRounds: 1, reviewLastRejection: 'warn' });
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 120_000);
		expect({ status: project.status, reason: project.statusReason }).toEqual({ status: 'completed', reason: null });
		expect(project.review).toMatchObject({ verdict: 'request_changes', round: 1, warned: true });
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 1 });
		expect(story(await eventsOf(projectId)).filter((line) => line.startsWith('project.'))).toEqual(['project.reviewed request_changes #1 warned']);
	}, 150_000);
});

describe('a task\'s later review round', () => {
	/** The reviewer prompts of one project's task, by the round they name. */
	function reviewerPrompts(requirementsMark: string, taskId: string): Map<number, string> {
		const prompts = new Map<number, string>();
		for (const request of harness.ollama.chatRequests()) {
			const call = callOf(request);
			const prompt = String((request.body?.messages as Array<{ content: string }>)[1].content);
			if (call.role === 'reviewer' && call.taskId === taskId && prompt.includes(requirementsMark)) prompts.set(call.round, prompt);
		}
		return prompts;
	}

	it('shows the reviewer what changed since the previous round (the answer to its comments), beside the diff against the code before the task', async () => {
		const projectId = await post('tasks=2 waves=1 review=T2');
		const project = await waitForStatus(service, projectId, ['completed', 'failed'], 120_000);
		expect(project.status).toBe('completed');
		expect(project.tasks.T2).toMatchObject({ attempts: 2, review: { verdict: 'approve', round: 2 } });
		// The rejection kept the code it read; an approval keeps nothing.
		expect(project.tasks.T2.review.reviewedFiles).toBeUndefined();

		const prompts = reviewerPrompts(project.plan.summary, 'T2');
		const fence = (body: string) => new RegExp(`<CLIENT_DATA_[0-9a-f]{12}>\\n${body}\\n</CLIENT_DATA_[0-9a-f]{12}>`);
		// Round 1: only the diff against the code before the task (a new file).
		expect(prompts.get(1)).toMatch(fence('diff of src/t2\\.js\\n@@ line 1\\n\\+exports\\.value = \\(\\) => 2;'));
		expect(prompts.get(1)).not.toContain('since review round');
		// Round 2: the same diff against the code before the task, and what changed since round 1.
		expect(prompts.get(2)).toMatch(fence('diff of src/t2\\.js\\n@@ line 1\\n\\+// value\\(\\) returns 2\\.\\n\\+exports\\.value = \\(\\) => 2;'));
		expect(prompts.get(2)).toMatch(fence('changes to src/t2\\.js since review round 1\\n@@ line 1\\n\\+// value\\(\\) returns 2\\.\\n exports\\.value = \\(\\) => 2;'));
	}, 150_000);
});
