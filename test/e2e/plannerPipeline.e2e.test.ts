/**
 * End to end in a real n8n (2.41.1, Node 24), as a user would run it:
 * the packed package installed like the Community Nodes screen does, a published workflow
 * Webhook → AI Planner → Task Splitter, and a real HTTP server speaking the Ollama API that n8n
 * calls over the network. Needs `npm run build` first; installs n8n into the cache on first use.
 */
import path from 'node:path';

import type { RecordedRequest } from '../support/ollamaTestServer';
import {
	credentialOf,
	executionIds,
	failedExecutionSince,
	n8nOllamaCredential,
	PACKAGE_NAME,
	readWorkflow,
	startN8nWithWorkflows,
} from './support/n8nWithWorkflows';

const MODEL = 'test-model:latest';
const WEBHOOK_PATH = 'e2e-plan';

const workflow = readWorkflow(path.join(__dirname, 'fixtures', 'plan-project.workflow.json'));
const credentialRef = credentialOf(workflow, 'AI Planner', 'aiCompanyOllamaApi');

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

const e2e = startN8nWithWorkflows({
	label: 'plan',
	workflows: [workflow],
	webhookPaths: [WEBHOOK_PATH],
	expectNodes: ['aiPlanner', 'taskSplitter'],
	ollama: { models: [MODEL] },
	credentials: () => [n8nOllamaCredential(credentialRef, e2e.ollama.url)],
});
const postPlanRequest = (body: unknown) => e2e.post(WEBHOOK_PATH, body, 120_000);

test('a client request comes back as a plan split into tasks, in dependency order, after one repair', async () => {
	await e2e.withN8nLog(async () => {
		const brokenReply = '{"summary": "A small todo REST API", "tasks": [ {"id": "T1", "title": ';
		e2e.ollama.enqueue({ content: brokenReply }, { content: JSON.stringify(PLAN) });
		const chatsBefore = e2e.ollama.chatRequests().length;
		const requirements = 'Build a todo REST API with a small web front end. Users can add, complete and delete todos.';

		const { status, text } = await e2e.timed('POST plan request', () =>
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
		const chats = e2e.ollama.chatRequests().slice(chatsBefore);
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
	await e2e.withN8nLog(async () => {
		const chatsBefore = e2e.ollama.chatRequests().length;
		const session = await e2e.session();
		const executionsBefore = await executionIds(session, workflow.id);

		const { status, text } = await postPlanRequest({ requirements: '', title: 'Nothing', projectId: 'acme-empty-1' });
		console.log(`n8n webhook answered ${status}: ${text}`);

		// In responseMode "lastNode", n8n 2.41 answers a failed run with a generic 500; the node's
		// error is in the execution record (and the log), not in the HTTP answer.
		expect(status).toBe(500);
		expect(JSON.parse(text)).toEqual({ message: 'Error in workflow' });

		const failedRun = await failedExecutionSince(session, workflow.id, executionsBefore);
		console.log(`failed execution: ${JSON.stringify(failedRun)}`);
		expect(failedRun).toEqual(expect.objectContaining({ status: 'error', errorNode: 'AI Planner' }));
		expect(failedRun!.errorMessage).toMatch(/requirements/);
		expect(e2e.instance.logs()).toContain(failedRun!.errorMessage);
		expect(e2e.ollama.chatRequests().length).toBe(chatsBefore);
	});
});

test("the editor's model list and credential Test button work inside n8n", async () => {
	await e2e.withN8nLog(async () => {
		const session = await e2e.session();

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
		const ok = await test(e2e.ollama.url);
		const unreachable = await test('http://127.0.0.1:1');
		console.log(`credential test: ${JSON.stringify(ok)} / unreachable: ${JSON.stringify(unreachable)}`);
		expect(ok.status).toBe('OK');
		expect(unreachable.status).toBe('Error');
		expect(unreachable.message).toContain('http://127.0.0.1:1');
	});
});
