/**
 * The shipped company template, workflows/autonomous-project.json, in a real n8n 2.41.1 with the
 * package installed the Community Nodes way, against a real runtime service process (the scripted
 * model of test/support/scriptedCompany.ts behind it). Imported as shipped with only its Settings
 * node changed (the git remote base is a local folder), and its credentials' ids as start:local
 * creates them. A client's request on /webhook/new-project becomes a planned, coded, tested,
 * fixed, committed, published and delivered project; the delivered repository's tests pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { ServiceHarness } from '../integration/service/support';
import { closedPort } from '../support/ports';
import { eventually } from '../support/eventually';
import { playCompany } from '../support/scriptedCompany';
import type { RuntimeProcess } from '../support/runtimeProcess';
import * as n8n from '../../scripts/lib/n8nInstance';
import { companyApiCredential, credentialOf, readWorkflow, REPO_ROOT, startN8nWithWorkflows, type Workflow } from './support/n8nWithWorkflows';

const API_TOKEN = 'e2e-autonomous-token';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let servicePort: number;

/** The template as an operator sets it up: only the Settings node's values changed. */
function templateWithSettings(settings: Record<string, unknown>): Workflow {
	const workflow = readWorkflow(path.join(REPO_ROOT, 'workflows', 'autonomous-project.json'));
	const node = workflow.nodes.find((n) => n.name === 'Settings')!;
	const assignments = (node.parameters!.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
	for (const [name, value] of Object.entries(settings)) {
		const assignment = assignments.find((a) => a.name === name);
		if (!assignment) throw new Error(`the Settings node has no "${name}"`);
		assignment.value = value;
	}
	return workflow;
}

const template = templateWithSettings({ gitRemoteBase: harness.gitBase });
const statusTemplate = readWorkflow(path.join(REPO_ROOT, 'workflows', 'project-status.json'));
/** A template whose webhook takes the JSON n8n parses (Webhook v2), for n8n's own cap on bodies. */
const planTemplate = readWorkflow(path.join(REPO_ROOT, 'workflows', 'plan-project.json'));

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	servicePort = await closedPort();
	service = await harness.start({ API_TOKEN, PORT: String(servicePort), CONCURRENCY: '6', OLLAMA_NUM_PARALLEL: '4', JOB_BACKOFF_MS: '1000' });
}, 60_000);

const e2e = startN8nWithWorkflows({
	label: 'autonomous',
	workflows: [template, statusTemplate, planTemplate],
	webhookPaths: ['new-project', 'plan-project'],
	expectNodes: ['projectState'],
	credentials: () => {
		const smtp = credentialOf(template, 'Email the client', 'smtp');
		return [
			companyApiCredential(credentialOf(template, 'Create project', 'aiCompanyApi'), `http://127.0.0.1:${servicePort}`, API_TOKEN),
			{ ...smtp, type: 'smtp', data: { host: '127.0.0.1', port: 2525, user: '', password: '', secure: false } },
		];
	},
	afterStop: () => harness.tearDown(),
});

const api = <T = Record<string, any>>(method: string, apiPath: string) => service.request<T>(method, apiPath, undefined, { authorization: `Bearer ${API_TOKEN}` });
const projectCount = async () => (await api<{ total: number; projects: unknown[] }>('GET', '/api/projects?limit=200')).body.projects.length;

/** The project once it has ended, and its `project.delivered` entries once the workflow logged the end. */
async function delivered(projectId: string): Promise<{ project: Record<string, any>; deliveries: number }> {
	const project = await eventually(`project ${projectId} ended`, async () => {
		const { body } = await api('GET', `/api/projects/${projectId}?wait=20`);
		return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
	});
	const events = await eventually(`project ${projectId} delivered`, async () => {
		const { body } = await api<{ events: Array<{ type: string }> }>('GET', `/api/projects/${projectId}/events?limit=1000`);
		return body.events.some((e) => e.type === 'project.delivered') ? body.events : undefined;
	});
	return { project, deliveries: events.filter((e) => e.type === 'project.delivered').length };
}

const intake = (body: unknown, contentType = 'application/json') =>
	fetch(`${e2e.url}/webhook/new-project`, {
		method: 'POST',
		headers: { 'content-type': contentType },
		body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
	}).then(async (res) => ({
		status: res.status,
		body: (await res.json().catch(() => ({}))) as Record<string, any>,
	}));

/** The stored runs of a workflow, newest first, each with the size of its recorded data. */
async function recordedRuns(workflowId: string): Promise<Array<{ id: string; status: string; dataChars: number }>> {
	const session = await e2e.session();
	const list = await session.get(`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`);
	const runs = [];
	for (const { id } of list.results as Array<{ id: string }>) {
		const full = await session.get(`/executions/${id}`);
		runs.push({ id: String(id), status: full.status as string, dataChars: JSON.stringify(full.data).length });
	}
	return runs;
}

test('a client request becomes a delivered project whose repository passes its own npm test from a clean clone; the fix loop repaired the buggy task, the reviewer had one task reworked and approved every task', async () => {
	await e2e.withN8nLog(async () => {
		const answer = await intake({ requirements: 'tasks=4 waves=2 bug=T3 review=T2 (autonomous)', title: 'Autonomous', clientName: 'Ada', clientEmail: 'ada@example.com', key: 'auto-1' });
		console.log(`new-project answered ${answer.status}: ${JSON.stringify(answer.body)}`);
		expect(answer.status).toBe(202);
		expect(answer.body).toMatchObject({ status: 'intake', created: true });

		const { project, deliveries } = await delivered(answer.body.projectId);
		expect(project.status).toBe('completed');
		expect(Object.fromEntries(Object.entries(project.tasks).map(([id, t]: [string, any]) => [id, [t.status, t.attempts]]))).toEqual({
			T1: ['done', 1],
			T2: ['done', 2],
			T3: ['done', 2],
			T4: ['done', 1],
		});
		// Every task reviewed and approved; T2 only in the second round, after the first asked for changes.
		expect(Object.fromEntries(Object.entries(project.tasks).map(([id, t]: [string, any]) => [id, [t.review?.verdict, t.review?.round]]))).toEqual({
			T1: ['approve', 1],
			T2: ['approve', 2],
			T3: ['approve', 1],
			T4: ['approve', 1],
		});
		expect(project.delivery).toMatchObject({ stack: 'node', testCommand: 'npm test', verified: true });
		expect(deliveries).toBe(1);

		const clone = mkdtempSync(path.join(tmpdir(), 'aic-delivered-'));
		try {
			execFileSync('git', ['clone', '-q', path.join(harness.gitBase, `${project.id}.git`), clone]);
			const log = execFileSync('git', ['log', '--format=%s'], { cwd: clone, encoding: 'utf8' }).trim().split('\n');
			expect(log[0]).toMatch(/^Packaging: /);
			// What a client reads first names the command, and the CI file runs it.
			expect(readFileSync(path.join(clone, 'README.md'), 'utf8')).toContain('npm test');
			const ci = parseYaml(readFileSync(path.join(clone, '.github/workflows/ci.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
			expect(Object.values(ci.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''))).toContain('npm test');
			// The manifest's own test command, with nothing installed beyond Node.
			const output = execFileSync('npm', ['test'], { cwd: clone, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: clone } });
			console.log(`delivered repository's tests:\n${output.split('\n').filter((l) => /^# (tests|pass|fail)/.test(l)).join('\n')}`);
			expect(output).toMatch(/^# pass 4$/m);
			expect(output).toMatch(/^# fail 0$/m);
		} finally {
			rmSync(clone, { recursive: true, force: true });
		}

		// The client asks the project-status template with their id and key; a wrong key learns nothing.
		const status = (projectId: string, key: string) =>
			fetch(`${e2e.url}/webhook/project-status?${new URLSearchParams({ projectId, key })}`).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, any> }));
		expect(await status(project.id, 'auto-1')).toEqual({
			status: 200,
			body: expect.objectContaining({ projectId: project.id, status: 'completed', progress: { done: 4, total: 4 }, repository: path.join(harness.gitBase, `${project.id}.git`) }),
		});
		const wrongKey = await status(project.id, 'someone-else');
		const unknown = await status('no-such-project', 'auto-1');
		expect(wrongKey).toEqual({ status: 404, body: { error: 'not_found', message: 'No project with this id and key' } });
		expect(unknown).toEqual(wrongKey);
	});
}, 240_000);

test('five requests at once all complete, each exactly once; the same key twice gives one project', async () => {
	await e2e.withN8nLog(async () => {
		const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => intake({ requirements: `tasks=3 waves=2 bug=T2 (client ${i})`, title: `Client ${i}`, key: `five-${i}` })));
		expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
		const ids = answers.map((a) => a.body.projectId as string);
		expect(new Set(ids).size).toBe(5);

		const again = await intake({ requirements: 'tasks=3 waves=2 bug=T2 (client 1)', title: 'Client 1', key: 'five-1' });
		expect(again).toMatchObject({ status: 202, body: { projectId: ids[0], created: false } });

		const results = await Promise.all(ids.map(delivered));
		for (const { project, deliveries } of results) {
			expect(project.status).toBe('completed');
			expect(Object.values(project.tasks).map((t: any) => t.attempts)).toEqual([1, 2, 1]);
			expect(deliveries).toBe(1);
		}
		const { body } = await api<{ projects: Array<{ title: string }> }>('GET', '/api/projects?status=completed&limit=200');
		expect(body.projects.filter((p) => p.title === 'Client 1')).toHaveLength(1);
	});
}, 300_000);

test.each([
	['no requirements', { title: 'x' }, [{ field: 'requirements', message: 'is required' }]],
	['wrong types', { requirements: 42, clientEmail: 'not-an-address' }, [
		{ field: 'requirements', message: 'must be text, not number' },
		{ field: 'clientEmail', message: 'is not an email address' },
	]],
	['100 kB of text', { requirements: 'x'.repeat(100_000) }, [{ field: 'requirements', message: 'is 100000 characters; at most 20000' }]],
])('a bad request (%s) gets 400 with every problem by field, and nothing is created', async (_name, body, fields) => {
	await e2e.withN8nLog(async () => {
		const before = await projectCount();
		const answer = await intake(body);
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ error: 'invalid_request', fields });
		expect(await projectCount()).toBe(before);
	});
}, 60_000);

const sendJsonObject = 'send a JSON object, e.g. { "requirements": "..." }';
test.each([
	['malformed JSON', '{"requirements": "a shop",', 'application/json', expect.stringMatching(/^is not valid JSON \(.+\); send a JSON object/)],
	['text that is not JSON', 'build me a shop', 'text/plain', expect.stringMatching(/^is not valid JSON \(.+\); send a JSON object/)],
	['no body', '', 'application/json', `is empty; ${sendJsonObject}`],
	['a JSON list', '[{"requirements": "a shop"}]', 'application/json', 'must be a JSON object, e.g. { "requirements": "..." }'],
	['bytes that are not UTF-8', Buffer.from([...Buffer.from('{"requirements": "caf'), 0xe9, ...Buffer.from('"}')]), 'application/json', 'is not valid UTF-8'],
])('a body that is not a JSON object (%s) gets the template\'s 400 naming the body, not n8n\'s 422, and nothing is created', async (_name, body, contentType, message) => {
	await e2e.withN8nLog(async () => {
		const before = await projectCount();
		const answer = await intake(body, contentType);
		expect(answer).toEqual({ status: 400, body: { error: 'invalid_request', message: expect.stringMatching(/^The request has problems: body /), fields: [{ field: 'body', message }] } });
		expect(await projectCount()).toBe(before);
	});
}, 60_000);

test('a 5 MB intake gets the template\'s 413 unread: nothing is created and its run records none of it', async () => {
	await e2e.withN8nLog(async () => {
		const before = await projectCount();
		const body = JSON.stringify({ requirements: 'x'.repeat(5 * 1024 * 1024) });
		const answer = await intake(body);
		expect(answer).toEqual({
			status: 413,
			body: { error: 'too_large', message: `The request has problems: body is ${body.length} bytes; at most 1048576`, fields: [{ field: 'body', message: `is ${body.length} bytes; at most 1048576` }] },
		});
		expect(await projectCount()).toBe(before);
		const [latest] = await recordedRuns(template.id);
		expect(latest.status).toBe('success');
		expect(latest.dataChars).toBeLessThan(100_000);
	});
}, 60_000);

test('n8n refuses a JSON body above N8N_PAYLOAD_SIZE_MAX (1 MiB, as start:local and compose set it) before any workflow runs', async () => {
	await e2e.withN8nLog(async () => {
		const runsBefore = (await recordedRuns(planTemplate.id)).length;
		const res = await fetch(`${e2e.url}/webhook/plan-project`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ requirements: 'x'.repeat(1024 * 1024) }),
		});
		// n8n 2.41.1 answers its PayloadTooLargeError with 500, not 413.
		expect({ status: res.status, body: await res.json() }).toEqual({ status: 500, body: { code: 0, message: 'There was a problem executing the workflow' } });
		expect(e2e.instance.logs()).toMatch(/PayloadTooLargeError: request entity too large/);
		await n8n.sleep(1000);
		expect(await recordedRuns(planTemplate.id)).toHaveLength(runsBefore);
	});
}, 60_000);
