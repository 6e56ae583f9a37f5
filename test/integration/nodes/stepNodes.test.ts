import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import { TaskSplitter } from '../../../nodes/TaskSplitter/TaskSplitter.node';
import { closedPort } from '../../support/ports';
import { playCompany } from '../../support/scriptedCompany';
import type { SentRequest } from '../../support/nodeExecution';
import { NodesHarness } from './support';

const harness = new NodesHarness();
const planner = new AiPlanner();
const splitter = new TaskSplitter();
const developer = new AiDeveloper();
const tester = new AiTester();
const state = new ProjectState();

beforeAll(async () => {
	await harness.startService();
	playCompany(harness.ollama);
}, 30_000);

afterAll(() => harness.tearDown());

// Intake without a key is idempotent on its content: a number of its own keeps each test's project apart.
let projects = 0;
const createProject = async (requirements: string, extra: IDataObject = {}) =>
	(await harness.run(state, { resource: 'project', operation: 'create', requirements: `${requirements} #${++projects}`, intake: { title: 'Values' }, start: false, settings: {}, ...extra }))[0];

const taskStep = { projectId: (item: IDataObject) => item.projectId, taskId: (item: IDataObject) => (item.task as IDataObject).id, execution: 'wait', waitTimeoutSeconds: 60 };

describe('the step nodes drive a project through the service, as a canvas workflow does', () => {
	it('create → plan → ready tasks → develop → test → fix the failing task → test → publish: completed, one commit per task, then the packaging commit', async () => {
		const created = await createProject('tasks=2 waves=2 bug=T1');
		expect(created).toMatchObject({ status: 'intake', created: true, mode: 'steps' });

		const [planned] = await harness.run(planner, { projectId: created.projectId, execution: 'wait', waitTimeoutSeconds: 60 });
		expect(planned).toMatchObject({ projectId: created.projectId, title: 'Values', reusedStoredPlan: false });
		expect(((planned.plan as IDataObject).tasks as IDataObject[]).map((t) => t.id)).toEqual(['T1', 'T2']);

		const ready = () => harness.run(splitter, { source: 'stored', projectId: created.projectId, mode: 'ready' });
		let wave = await ready();
		expect(wave.map((i) => (i.task as IDataObject).id)).toEqual(['T1']);

		const [written] = await harness.run(developer, { ...taskStep, mode: 'auto' }, wave);
		expect(written).toMatchObject({ projectId: created.projectId, taskId: 'T1', attempt: 1 });
		const [failed] = await harness.run(tester, taskStep, wave);
		expect(failed).toMatchObject({ taskId: 'T1', status: 'failed', taskStatus: 'failed', attempt: 1, wroteTests: true });

		// The IF → AI Developer loop: "Write or Fix" fixes after a failed run.
		const [fixed] = await harness.run(developer, { ...taskStep, mode: 'auto' }, wave);
		expect(fixed).toMatchObject({ taskId: 'T1', attempt: 2 });
		const [passed] = await harness.run(tester, taskStep, wave);
		expect(passed).toMatchObject({ taskId: 'T1', status: 'passed', taskStatus: 'done', wroteTests: false });

		wave = await ready();
		expect(wave.map((i) => (i.task as IDataObject).id)).toEqual(['T2']);
		await harness.run(developer, { ...taskStep, mode: 'auto' }, wave);
		expect((await harness.run(tester, taskStep, wave))[0]).toMatchObject({ taskId: 'T2', status: 'passed', taskStatus: 'done' });
		expect(await ready()).toEqual([]);

		const [published] = await harness.run(state, { resource: 'project', operation: 'publish', projectId: created.projectId, branch: '', execution: 'wait', waitTimeoutSeconds: 60 });
		expect(published).toMatchObject({ projectId: created.projectId });
		const [project] = await harness.run(state, { resource: 'project', operation: 'get', projectId: created.projectId });
		expect(project.status).toBe('completed');
		const log = execFileSync('git', ['--git-dir', join(harness.gitBase, `${created.projectId}.git`), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
		expect(log.trim().split('\n').reverse()).toEqual(['Start Values', 'T1: Value 1', 'T2: Value 2', 'Packaging: package.json, README.md, .gitignore, CI']);
	}, 90_000);

	it('every model option the AI nodes show reaches the model request', async () => {
		const created = await createProject('tasks=1');
		const options = { temperature: 0.7, contextSize: 4096, keepAlive: '10m', maxTokens: 900, seed: 42, maxRepairAttempts: 1, maxRetries: 0, timeoutSeconds: 120 };
		const before = harness.ollama.chatRequests().length;
		const [planned] = await harness.run(planner, { projectId: created.projectId, model: 'qwen2.5-coder:7b', execution: 'wait', waitTimeoutSeconds: 60, options: { ...options, maxTasks: 5 } });
		expect(planned.model).toBe('qwen2.5-coder:7b');
		const [request] = harness.ollama.chatRequests().slice(before);
		expect(request.body).toMatchObject({ model: 'qwen2.5-coder:7b', keep_alive: '10m', options: { temperature: 0.7, num_ctx: 4096, num_predict: 900, seed: 42 } });

		const [item] = await harness.run(splitter, { source: 'stored', projectId: created.projectId, mode: 'ready' });
		const custom = 'Write {{task.id}} now. {{#fence "task"}}{{task.title}}{{/fence}} Reply with JSON: {{schema}}';
		const sentBefore = harness.ollama.chatRequests().length;
		await harness.run(developer, { ...taskStep, mode: 'write', model: 'llama3.2:3b', options: { temperature: 0.1, contextSize: 2048, promptTemplate: custom, contextTokens: 1000 } }, [item]);
		const [developerRequest] = harness.ollama.chatRequests().slice(sentBefore);
		expect(developerRequest.body).toMatchObject({ model: 'llama3.2:3b', options: { temperature: 0.1, num_ctx: 2048 } });
		expect(JSON.stringify(developerRequest.body?.messages)).toContain('Write T1 now.');
	}, 60_000);

	it('Queue Only outputs the job at once; the job id answers with the same result later', async () => {
		const created = await createProject('tasks=1');
		const [queued] = await harness.run(planner, { projectId: created.projectId, execution: 'queue', callbackUrl: '' });
		expect(Object.keys(queued).sort()).toEqual(['jobId', 'projectId']);
		expect(queued.projectId).toBe(created.projectId);
		const { body: job } = await harness.api('GET', `/api/jobs/${encodeURIComponent(String(queued.jobId))}?wait=30`);
		expect(job).toMatchObject({ state: 'completed', result: { projectId: created.projectId } });
	}, 60_000);
});

describe('bad input to the nodes: an n8n error naming the field and the item; Continue On Fail goes on', () => {
	it('an empty Project ID stops the item before any request, naming the parameter and the item', async () => {
		const sent: SentRequest[] = [];
		const error = await harness.run(developer, { ...taskStep, projectId: '' }, [{ task: { id: 'T1' } }], {}, sent).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe('"Project ID" is empty');
		expect((error as NodeOperationError).context.itemIndex).toBe(0);
		expect(sent).toEqual([]);
	});

	it("a value the service refuses comes back as a NodeApiError with the service's message naming the field", async () => {
		const created = await createProject('tasks=1');
		const error = (await harness.run(planner, { projectId: created.projectId, execution: 'wait', options: { temperature: 5 } }).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(`${error.message} ${error.description}`).toMatch(/llm\.temperature/);
	});

	it('an unknown project is a 404 naming the project; with Continue On Fail the other items still run', async () => {
		const created = await createProject('tasks=1');
		const items = await harness.run(state, { resource: 'project', operation: 'get', projectId: (item: IDataObject) => item.id }, [{ id: 'no-such-project' }, { id: created.projectId }], {
			continueOnFail: true,
		});
		expect(items[0].error).toMatch(/no-such-project/);
		expect(items[1]).toMatchObject({ id: created.projectId, status: 'intake' });
	});

	it('a wrong token is refused with what to set; a service that is not there is named by its URL', async () => {
		const wrongToken = await harness
			.run(state, { resource: 'project', operation: 'getAll', statusFilter: 'active', returnAll: false, limit: 5 }, [{}], { credentials: harness.credentials({ apiToken: 'wrong' }) })
			.catch((e: unknown) => e);
		expect(wrongToken).toBeInstanceOf(NodeApiError);
		expect((wrongToken as NodeApiError).httpCode).toBe('401');
		expect((wrongToken as NodeApiError).description).toMatch(/API Token of the "AI Company API" credential/);

		const port = await closedPort();
		const nothing = await harness
			.run(state, { resource: 'project', operation: 'getAll', statusFilter: 'active', returnAll: false, limit: 5 }, [{}], { credentials: harness.credentials({ baseUrl: `http://127.0.0.1:${port}` }) })
			.catch((e: unknown) => e);
		expect((nothing as NodeApiError).message).toBe(`Could not reach the AI Company service at http://127.0.0.1:${port}/api/projects: ECONNREFUSED`);
	});

	it('the planner without a Project ID creates the project from the requirements, and refuses empty requirements by name', async () => {
		const [planned] = await harness.run(planner, { projectId: '', requirements: 'tasks=2 from the planner', title: 'From requirements', execution: 'wait', waitTimeoutSeconds: 60 });
		expect(planned).toMatchObject({ title: 'From requirements' });
		expect(((planned.plan as IDataObject).tasks as IDataObject[]).length).toBe(2);
		const error = await harness.run(planner, { projectId: '', requirements: '  ', execution: 'wait' }).catch((e: unknown) => e);
		expect((error as NodeOperationError).message).toBe('"Requirements" is empty');
	}, 60_000);
});

describe('Project State over the service', () => {
	it('lists, moves, logs events, cancels and deletes', async () => {
		const create = { resource: 'project', operation: 'create', requirements: 'tasks=1 listed', intake: { title: 'Listed', idempotencyKey: 'key-listed', clientName: 'Ada' }, start: false, settings: {} };
		const [created] = await harness.run(state, create);
		const [again] = await harness.run(state, create);
		expect(again).toMatchObject({ projectId: created.projectId, created: false });

		const listed = await harness.run(state, { resource: 'project', operation: 'getAll', statusFilter: 'intake', returnAll: true });
		expect(listed.map((p) => p.projectId)).toContain(created.projectId);

		const [moved] = await harness.run(state, { resource: 'project', operation: 'updateStatus', projectId: created.projectId, status: 'on_hold', reason: 'client away', expectedVersion: 0 });
		expect(moved).toMatchObject({ projectId: created.projectId, status: 'on_hold' });

		const [event] = await harness.run(state, { resource: 'event', operation: 'create', projectId: created.projectId, eventType: 'client.notified', message: 'mailed', data: '{"to":"ada@example.com"}' });
		expect(event).toMatchObject({ projectId: created.projectId });
		const events = await harness.run(state, { resource: 'event', operation: 'getAll', projectId: created.projectId, after: '', limit: 100 });
		expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['project.created', 'client.notified']));

		const [cancelled] = await harness.run(state, { resource: 'project', operation: 'cancel', projectId: created.projectId, reason: 'client left' });
		expect(cancelled).toMatchObject({ status: 'cancelled' });
		const [deleted] = await harness.run(state, { resource: 'project', operation: 'delete', projectId: created.projectId });
		expect(deleted).toEqual({ projectId: created.projectId, deleted: true });
		expect((await harness.api('GET', `/api/projects/${created.projectId}`)).status).toBe(404);
	}, 30_000);

	it('refuses event data that is not a JSON object, naming the parameter', async () => {
		const created = await createProject('tasks=1');
		const error = await harness.run(state, { resource: 'event', operation: 'create', projectId: created.projectId, eventType: 'x', message: '', data: '[1,2]' }).catch((e: unknown) => e);
		expect((error as NodeOperationError).message).toMatch(/^"Data" must be a JSON object/);
	});
});
