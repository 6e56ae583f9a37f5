/**
 * The nodes in a real n8n (2.41.1, Node 24), installed from the packed package the way the
 * Community Nodes screen installs it, talking to a real runtime service process (its own key
 * prefix on the test Redis, a local folder as git remote) whose model is the Ollama-speaking test
 * server playing the company (test/support/scriptedCompany.ts: the requirements say how many tasks
 * and which task's first code has a bug; the generated tests really run in the sandbox).
 *
 * Four workflows, each started by its webhook or by the service:
 *  - the company step by step: Webhook → Project State create → AI Planner → Task Splitter →
 *    AI Developer → AI Tester → IF failed → AI Developer … → Project State publish → get;
 *  - AI Planner in Queue Only, a Wait node resumed by the service's callback;
 *  - AI Company, Run Whole Project;
 *  - AI Company Trigger on project.completed, logging back to the project.
 * And the shipped plan-project and develop-project templates as shipped (develop-project with its
 * review gate: AI Tester → AI Reviewer → on request_changes back to the AI Developer).
 * Needs `npm run build` first; installs n8n into the cache on first use.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';

import { ServiceHarness } from '../integration/service/support';
import { closedPort } from '../support/ports';
import { eventually } from '../support/eventually';
import { callOf, playCompany } from '../support/scriptedCompany';
import type { RuntimeProcess } from '../support/runtimeProcess';
import { companyApiCredential, credentialOf, executionIds, failedExecutionSince, PACKAGE_NAME, readWorkflow, REPO_ROOT, startN8nWithWorkflows } from './support/n8nWithWorkflows';

const API_TOKEN = 'e2e-service-token';
const fixture = (name: string) => readWorkflow(path.join(__dirname, 'fixtures', `${name}.workflow.json`));
const steps = fixture('company-steps');
const queued = fixture('queued-planner');
const whole = fixture('whole-project');
const trigger = fixture('company-trigger');
const credentialRef = credentialOf(steps, 'AI Planner', 'aiCompanyApi');

// The shipped templates, imported as shipped: their credential id is the one start:local creates.
const planTemplate = readWorkflow(path.join(REPO_ROOT, 'workflows', 'plan-project.json'));
const developTemplate = readWorkflow(path.join(REPO_ROOT, 'workflows', 'develop-project.json'));
const templateCredential = credentialOf(developTemplate, 'AI Planner', 'aiCompanyApi');

const harness = new ServiceHarness();
let service: RuntimeProcess;
let servicePort: number;

// Before n8n starts: its credential names the service's URL.
beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	servicePort = await closedPort();
	service = await harness.start({ API_TOKEN, PORT: String(servicePort), CONCURRENCY: '4', JOB_BACKOFF_MS: '1000' });
}, 60_000);

const e2e = startN8nWithWorkflows({
	label: 'company',
	workflows: [steps, queued, whole, trigger, planTemplate, developTemplate],
	webhookPaths: ['e2e-steps', 'e2e-queued', 'e2e-whole', 'plan-project', 'develop-project'],
	expectNodes: ['aiPlanner', 'taskSplitter', 'projectState', 'aiDeveloper', 'aiTester', 'aiReviewer', 'aiCompany', 'aiCompanyTrigger'],
	credentials: () => [
		companyApiCredential(credentialRef, `http://127.0.0.1:${servicePort}`, API_TOKEN),
		companyApiCredential(templateCredential, `http://127.0.0.1:${servicePort}`, API_TOKEN),
	],
	afterStop: () => harness.tearDown(),
});

const api = <T = Record<string, any>>(method: string, apiPath: string, body?: unknown) => service.request<T>(method, apiPath, body, { authorization: `Bearer ${API_TOKEN}` });
const eventsOf = async (projectId: string) => (await api<{ events: Array<{ type: string; message?: string; data?: any }> }>('GET', `/api/projects/${projectId}/events?limit=1000`)).body.events;

const gitLog = (projectId: string) =>
	execFileSync('git', ['--git-dir', path.join(harness.gitBase, `${projectId}.git`), 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n').reverse();

test('the company step by step: planned, developed, tested, the failing task fixed by the loop, published', async () => {
	await e2e.withN8nLog(async () => {
		const chatsBefore = harness.ollama.chatRequests().length;
		const { status, text } = await e2e.post('e2e-steps', { requirements: 'tasks=2 waves=1 bug=T2 (steps)', title: 'Steps', key: 'e2e-steps-1' }, 180_000);
		console.log(`e2e-steps answered ${status}: ${text.slice(0, 400)}`);
		expect(status).toBe(200);
		const answer = JSON.parse(text) as Array<Record<string, any>>;
		const project = answer[answer.length - 1];
		expect(project).toMatchObject({ title: 'Steps', status: 'completed' });
		expect(Object.fromEntries(Object.entries(project.tasks).map(([id, t]: [string, any]) => [id, [t.status, t.attempts]]))).toEqual({ T1: ['done', 1], T2: ['done', 2] });
		expect(gitLog(project.id)).toEqual(['Start Steps', expect.stringMatching(/^T[12]: /), expect.stringMatching(/^T[12]: /), expect.stringMatching(/^Packaging: /)]);

		const calls = harness.ollama.chatRequests().slice(chatsBefore);
		expect(calls.map(callOf).map((c) => `${c.role}${c.taskId ? `:${c.taskId}` : ''}${c.fix ? ':fix' : ''}`).sort()).toEqual(
			['planner', 'developer:T1', 'developer:T2', 'developer:T2:fix', 'tester:T1', 'tester:T2'].sort(),
		);
		// The node options reach the model through n8n and the service.
		expect(calls[0].body).toMatchObject({ model: 'llama3.2:3b', options: { temperature: 0.1 } });
	});
}, 240_000);

test('AI Planner in Queue Only: the workflow goes on in a Wait node when the service posts the plan to its resume URL', async () => {
	await e2e.withN8nLog(async () => {
		const { status } = await e2e.post('e2e-queued', { requirements: 'tasks=3 (queued)', title: 'Queued', key: 'e2e-queued-1' });
		expect(status).toBe(200);
		// The webhook answers on receipt; the project is created right after.
		const projectId = await eventually('the queued project', async () => {
			const { body: list } = await api<{ projects: Array<{ projectId: string; title: string }> }>('GET', '/api/projects?limit=200');
			return list.projects.find((p) => p.title === 'Queued')?.projectId;
		});
		const logged = await eventually('the plan logged by the resumed workflow', async () => (await eventsOf(projectId)).find((e) => e.type === 'plan.received'));
		// The event's message is kept as data.message.
		expect(logged.data).toMatchObject({ message: '3 tasks', state: 'completed', tasks: ['T1', 'T2', 'T3'], jobId: expect.stringContaining(projectId) });
	});
}, 120_000);

test('AI Company runs the whole project and answers with its outcome; the trigger hears of the completion', async () => {
	await e2e.withN8nLog(async () => {
		const { status, text } = await e2e.post('e2e-whole', { requirements: 'tasks=4 waves=2 bug=T3 (whole)', title: 'Whole', key: 'e2e-whole-1' }, 200_000);
		console.log(`e2e-whole answered ${status}: ${text.slice(0, 400)}`);
		expect(status).toBe(200);
		const [outcome] = JSON.parse(text) as Array<Record<string, any>>;
		expect(outcome).toMatchObject({ title: 'Whole', status: 'completed', reason: null });
		expect(outcome.tasks.map((t: any) => [t.id, t.status, t.attempts])).toEqual([
			['T1', 'done', 1],
			['T2', 'done', 1],
			['T3', 'done', 2],
			['T4', 'done', 1],
		]);
		// Start, one commit per task, then DevOps's packaging commit.
		expect(gitLog(outcome.projectId)).toHaveLength(6);
		expect(gitLog(outcome.projectId).at(-1)).toMatch(/^Packaging: /);

		// The AI Company Trigger's workflow, started by the service's webhook call, logs back to the project.
		const fired = await eventually('the trigger workflow', async () => (await eventsOf(outcome.projectId)).find((e) => e.type === 'trigger.fired'));
		expect(fired).toMatchObject({ data: { message: 'project.completed', status: 'completed' } });

		// Its webhook URL alone does not start it: n8n answers 401 to a delivery the service did not
		// sign with the trigger's secret (none, another secret, or a signed body changed), and the
		// workflow does not run.
		const { body: hooks } = await api<{ webhooks: Array<{ url: string; signed: boolean }> }>('GET', '/api/webhooks');
		const hook = hooks.webhooks.find((w) => w.url.includes('/webhook/'));
		expect(hook).toMatchObject({ signed: true });
		const body = JSON.stringify({ event: 'project.completed', projectId: outcome.projectId, at: new Date().toISOString(), project: { status: 'completed' } });
		const forge = (headers: Record<string, string>) => fetch(hook!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
		const timestamp = String(Math.floor(Date.now() / 1000));
		const forged = [
			await forge({}),
			await forge({ 'x-ai-company-timestamp': timestamp, 'x-ai-company-signature': `sha256=${createHmac('sha256', 'not-the-secret').update(`${timestamp}.${body}`).digest('hex')}` }),
		];
		expect(forged.map((r) => r.status)).toEqual([401, 401]);
		expect(await forged[0].json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('not a signed delivery') });
		await new Promise((resolve) => setTimeout(resolve, 2000));
		expect((await eventsOf(outcome.projectId)).filter((e) => e.type === 'trigger.fired')).toHaveLength(1);
	});
}, 240_000);

test('bad input: a request without requirements fails the execution at the node, naming the field; nothing is created', async () => {
	await e2e.withN8nLog(async () => {
		const session = await e2e.session();
		const before = await executionIds(session, steps.id);
		const { body: listBefore } = await api<{ total?: number; projects: unknown[] }>('GET', '/api/projects?limit=200');
		const { status } = await e2e.post('e2e-steps', { requirements: '', title: 'Nothing' });
		expect(status).toBe(500);
		const failed = await failedExecutionSince(session, steps.id, before);
		expect(failed).toEqual(expect.objectContaining({ status: 'error', errorNode: 'Create project' }));
		expect(failed!.errorMessage).toBe('"Requirements" is empty');
		const { body: listAfter } = await api<{ projects: unknown[] }>('GET', '/api/projects?limit=200');
		expect(listAfter.projects.length).toBe(listBefore.projects.length);
	});
}, 60_000);

test("the editor's model list and the credential's Test button work inside n8n", async () => {
	await e2e.withN8nLog(async () => {
		const session = await e2e.session();
		const models = (await session.post('/dynamic-node-parameters/options', {
			nodeTypeAndVersion: { name: `${PACKAGE_NAME}.aiPlanner`, version: 1 },
			methodName: 'getModels',
			path: 'model',
			currentNodeParameters: { projectId: '', model: '', options: {} },
			credentials: { aiCompanyApi: credentialRef },
		})) as Array<{ value: string }>;
		expect(models.map((m) => m.value)).toEqual(['', ...[...harness.ollama.models].sort()]);

		const test = (baseUrl: string, apiToken: string) =>
			session.post('/credentials/test', { credentials: { ...credentialRef, type: 'aiCompanyApi', data: { baseUrl, apiToken } } }) as Promise<{ status: string; message: string }>;
		const ok = await test(service.url!, API_TOKEN);
		const refused = await test(service.url!, 'wrong-token');
		const nothing = await test(`http://127.0.0.1:${await closedPort()}`, API_TOKEN);
		console.log(`credential test: ${JSON.stringify({ ok, refused, nothing })}`);
		expect(ok.status).toBe('OK');
		expect(refused).toEqual({ status: 'Error', message: 'The service refused the API token: set the API_TOKEN the service was started with' });
		expect(nothing.status).toBe('Error');
	});
}, 60_000);

test('the shipped plan-project template, as shipped: the webhook answers with one item per task', async () => {
	await e2e.withN8nLog(async () => {
		const { status, text } = await e2e.post('plan-project', { requirements: 'tasks=3 waves=2 (plan template)', title: 'Plan template' });
		expect(status).toBe(200);
		const items = JSON.parse(text) as Array<Record<string, any>>;
		expect(items.map((i) => [i.task.id, i.wave])).toEqual([
			['T1', 1],
			['T2', 1],
			['T3', 2],
		]);
	});
}, 120_000);

test("the shipped develop-project template, as shipped: task by task through the fix loop and the review gate (T2 reworked after the reviewer's request for changes) to a published, completed project", async () => {
	await e2e.withN8nLog(async () => {
		const chatsBefore = harness.ollama.chatRequests().length;
		// bug=T2: T2's first code fails its tests; review=T2: the first review of T2 (its fixed code) requests changes.
		const { status, text } = await e2e.post('develop-project', { requirements: 'tasks=3 waves=2 bug=T2 review=T2 (develop template)', title: 'Develop template' }, 280_000);
		console.log(`develop-project answered ${status}: ${text.slice(0, 300)}`);
		expect(status).toBe(200);
		const project = JSON.parse(text) as Record<string, any>;
		expect(project).toMatchObject({ title: 'Develop template', status: 'completed' });
		// T2: attempt 1 fails its tests, attempt 2 passes and is sent back by the review, attempt 3 is approved.
		expect(Object.fromEntries(Object.entries(project.tasks).map(([id, t]: [string, any]) => [id, [t.status, t.attempts, t.review?.verdict, t.review?.round]]))).toEqual({
			T1: ['done', 1, 'approve', 1],
			T2: ['done', 3, 'approve', 2],
			T3: ['done', 1, 'approve', 1],
		});
		const reviewed = (await eventsOf(project.id)).filter((e) => e.type === 'task.reviewed').map((e) => [e.data.taskId, e.data.attempt, e.data.round, e.data.verdict]);
		expect(reviewed).toEqual([
			['T1', 1, 1, 'approve'],
			['T2', 2, 1, 'request_changes'],
			['T2', 3, 2, 'approve'],
			['T3', 1, 1, 'approve'],
		]);

		const calls = harness.ollama.chatRequests().slice(chatsBefore).map(callOf);
		expect(calls.filter((c) => c.role === 'reviewer').map((c) => `${c.taskId}:${c.round}`)).toEqual(['T1:1', 'T2:1', 'T2:2', 'T3:1']);
		// Two fixes of T2: one from its failing tests, one from the reviewer's comments.
		expect(calls.filter((c) => c.role === 'developer' && c.taskId === 'T2').map((c) => c.fix)).toEqual([false, true, true]);

		const log = gitLog(project.id);
		expect(log.slice(0, 4)).toEqual(['Start Develop template', 'T1: Value 1', 'T2: Value 2', 'T3: Value 3']);
		expect(log.slice(4)).toEqual([expect.stringMatching(/^Packaging: /)]);
	});
}, 300_000);
