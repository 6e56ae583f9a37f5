/**
 * End to end in a real n8n (2.41.1, Node 24), as a user would run it:
 * the packed package installed like the Community Nodes screen does, a published workflow
 * Webhook → AI Planner → Task Splitter, and a real HTTP server speaking the Ollama API that n8n
 * calls over the network. Needs `npm run build` first; installs n8n into the cache on first use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as n8n from '../../scripts/lib/n8nInstance';
import { OllamaTestServer, type RecordedRequest } from '../support/ollamaTestServer';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-ai-company';
const MODEL = 'test-model:latest';
const WEBHOOK_PATH = 'e2e-plan';
const OWNER = { email: 'e2e-owner@example.com', password: 'E2e-owner-password-1' };

interface WorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name: string }>;
}
const workflow = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'plan-project.workflow.json'), 'utf8')) as {
	id: string;
	nodes: WorkflowNode[];
};
const credentialRef = workflow.nodes.find((node) => node.name === 'AI Planner')!.credentials!.aiCompanyOllamaApi;

/** The plan the scripted model finally returns: T1; T2 and T3 after T1; T4 after both. */
const PLAN = {
	summary: 'A small todo REST API with a web front end',
	techStack: ['Node.js', 'PostgreSQL'],
	tasks: [
		task('T1', 'Set up the repository and CI', []),
		task('T2', 'Design the database schema', ['T1']),
		task('T3', 'Build the web front end skeleton', ['T1']),
		task('T4', 'Implement the todo endpoints', ['T2', 'T3']),
	],
	risks: [{ risk: 'Scope creep', mitigation: 'Agree on the scope up front' }],
};

function task(id: string, title: string, dependsOn: string[]) {
	return { id, title, description: `${title}.`, dependsOn, acceptanceCriteria: [`${title}: done and reviewed`], estimateHours: 3 };
}

type ChatMessage = { role: string; content: string };
const messagesOf = (request: RecordedRequest) => (request.body?.messages ?? []) as ChatMessage[];

let ollama: OllamaTestServer | undefined;
let instance: n8n.N8nHandle | undefined;
let userFolder: string | undefined;
let failed = false;
const timings: Record<string, number> = {};

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
	const started = Date.now();
	try {
		return await step();
	} finally {
		timings[label] = Date.now() - started;
	}
}

/** Runs a test body; on failure, adds the tail of n8n's log to the error. */
async function withN8nLog(body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		failed = true;
		throw instance ? n8n.withLogTail(error, `n8n log (${instance.logFile})`, instance.tail(60)) : error;
	}
}

async function postPlanRequest(body: unknown): Promise<{ status: number; text: string }> {
	const res = await fetch(`${instance!.url}/webhook/${WEBHOOK_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(120_000),
	});
	return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
	const started = Date.now();
	try {
		ollama = await OllamaTestServer.start({ models: [MODEL] });
		await timed('ensureN8nInstalled', () => n8n.ensureN8nInstalled());
		userFolder = mkdtempSync(path.join(tmpdir(), 'aic-e2e-'));
		const tarball = await timed('npm pack', () => n8n.packPackage(REPO_ROOT, path.join(userFolder!, 'pack')));
		await timed('install like Community Nodes', () => n8n.installLikeCommunityNodes(userFolder!, tarball));
		await timed('import:credentials', () =>
			n8n.importCredentials(userFolder!, [
				{ ...credentialRef, type: 'aiCompanyOllamaApi', data: { baseUrl: ollama!.url, apiKey: '' } },
			]),
		);
		await timed('import:workflow', () => n8n.importWorkflow(userFolder!, workflow));
		await timed('publish:workflow', () => n8n.publishWorkflow(userFolder!, workflow.id));
		instance = await timed('n8n start', () =>
			n8n.startN8n({
				userFolder: userFolder!,
				owner: OWNER,
				onSpawn: (spawned) => {
					instance = spawned; // so afterAll stops it even if the start times out
				},
			}),
		);
		const loaded = await n8n.assertPackageLoaded(userFolder, PACKAGE_NAME, { expectNodes: ['aiPlanner', 'taskSplitter'] });
		console.log(`n8n ${n8n.N8N_VERSION} at ${instance.url} loaded ${loaded.nodes.join(', ')} (credentials: ${loaded.credentials.join(', ')})`);
		await timed('webhook registered', () => n8n.waitForWebhook(instance!.url, WEBHOOK_PATH, 'POST'));
	} catch (error) {
		failed = true;
		throw error;
	} finally {
		timings['beforeAll total'] = Date.now() - started;
	}
}, 15 * 60_000);

afterAll(async () => {
	await instance?.stop();
	await ollama?.close();
	console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
	if (userFolder && !failed) rmSync(userFolder, { recursive: true, force: true });
	else if (userFolder) console.log(`kept the n8n user folder for inspection: ${userFolder} (log: ${path.join(userFolder, 'n8n.log')})`);
}, 60_000);

test('a client request comes back as a plan split into tasks, in dependency order, after one repair', async () => {
	await withN8nLog(async () => {
		const brokenReply = '{"summary": "A small todo REST API", "tasks": [ {"id": "T1", "title": ';
		ollama!.enqueue({ content: brokenReply }, { content: JSON.stringify(PLAN) });
		const chatsBefore = ollama!.chatRequests().length;
		const requirements = 'Build a todo REST API with a small web front end. Users can add, complete and delete todos.';

		const { status, text } = await timed('POST plan request', () =>
			postPlanRequest({ requirements, title: 'Todo API', projectId: 'acme-todo-1' }),
		);
		console.log(`n8n webhook answered ${status}:\n${text}`);

		expect(status).toBe(200);
		const items = JSON.parse(text) as Array<Record<string, unknown> & { task: { id: string; title: string; dependsOn: string[] } }>;
		expect(items).toHaveLength(4);
		expect(items.map((item) => item.task.id)).toEqual(['T1', 'T2', 'T3', 'T4']);
		expect(items.map((item) => item.wave)).toEqual([1, 2, 2, 3]);
		items.forEach((item, index) => {
			const planned = PLAN.tasks.find((t) => t.id === item.task.id)!;
			expect(item).toEqual({
				projectId: 'acme-todo-1',
				task: expect.objectContaining({ id: planned.id, title: planned.title, dependsOn: planned.dependsOn }),
				wave: expect.any(Number),
				waveCount: 3,
				position: index + 1,
				taskCount: 4,
			});
			// Every dependency comes earlier in the list.
			const earlier = items.slice(0, index).map((other) => other.task.id);
			for (const dependency of item.task.dependsOn) expect(earlier).toContain(dependency);
		});

		// n8n called the model over HTTP twice: the broken reply was sent back for repair.
		const chats = ollama!.chatRequests().slice(chatsBefore);
		expect(chats).toHaveLength(2);
		expect(chats.map((chat) => chat.body?.model)).toEqual([MODEL, MODEL]);
		const [first, repair] = chats.map(messagesOf);
		expect(first.map((m) => m.content).join('\n')).toContain(requirements);
		expect(repair).toHaveLength(first.length + 2);
		expect(repair[first.length]).toEqual({ role: 'assistant', content: brokenReply });
		expect(repair[first.length + 1].role).toBe('user');
	});
});

test('a request without requirements fails the workflow, and the failed execution names "requirements"', async () => {
	await withN8nLog(async () => {
		const chatsBefore = ollama!.chatRequests().length;
		const session = await n8n.restSession(instance!.url, OWNER);
		const executionsBefore = new Set((await n8n.listExecutions(session, workflow.id)).map((e) => e.id));

		const { status, text } = await postPlanRequest({ requirements: '', title: 'Nothing', projectId: 'acme-empty-1' });
		console.log(`n8n webhook answered ${status}: ${text}`);

		// In responseMode "lastNode", n8n 2.41 answers a failed run with a generic 500; the node's
		// error is in the execution record (and the log), not in the HTTP answer.
		expect(status).toBe(500);
		expect(JSON.parse(text)).toEqual({ message: 'Error in workflow' });

		let failedRun: n8n.ExecutionSummary | undefined;
		for (const deadline = Date.now() + 30_000; !failedRun && Date.now() < deadline; ) {
			failedRun = (await n8n.listExecutions(session, workflow.id)).find((e) => !executionsBefore.has(e.id) && e.status === 'error');
			if (!failedRun) await n8n.sleep(250);
		}
		console.log(`failed execution: ${JSON.stringify(failedRun)}`);
		expect(failedRun).toEqual(expect.objectContaining({ status: 'error', errorNode: 'AI Planner' }));
		expect(failedRun!.errorMessage).toMatch(/requirements/);
		expect(instance!.logs()).toContain(failedRun!.errorMessage);
		expect(ollama!.chatRequests().length).toBe(chatsBefore);
	});
});

test("the editor's model list and credential Test button work inside n8n", async () => {
	await withN8nLog(async () => {
		const session = await n8n.restSession(instance!.url, OWNER);

		// What the "Model" dropdown of the AI Planner asks n8n for (the node's loadOptions method).
		const models = (await session.post('/dynamic-node-parameters/options', {
			nodeTypeAndVersion: { name: `${PACKAGE_NAME}.aiPlanner`, version: 1 },
			methodName: 'getModels',
			path: 'model',
			currentNodeParameters: { authentication: 'aiCompanyOllamaApi', model: '', options: {} },
			credentials: { aiCompanyOllamaApi: credentialRef },
		})) as Array<{ name: string; value: string }>;
		expect(models.map((model) => model.value)).toEqual([MODEL]);

		// The credential's Test button (our credentialTest method), against the test server and against nothing.
		const test = (baseUrl: string) =>
			session.post('/credentials/test', {
				credentials: { ...credentialRef, type: 'aiCompanyOllamaApi', data: { baseUrl, apiKey: '' } },
			}) as Promise<{ status: string; message: string }>;
		const ok = await test(ollama!.url);
		const unreachable = await test('http://127.0.0.1:1');
		console.log(`credential test: ${JSON.stringify(ok)} / unreachable: ${JSON.stringify(unreachable)}`);
		expect(ok.status).toBe('OK');
		expect(unreachable.status).toBe('Error');
		expect(unreachable.message).toContain('http://127.0.0.1:1');
	});
});
