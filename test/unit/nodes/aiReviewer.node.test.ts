import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { AiReviewer } from '../../../nodes/AiReviewer/AiReviewer.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { generationOptionProperties } from '../../../nodes/shared/descriptions/generationOptions';
import { runNode, type NodeRun, type SentRequest } from '../../support/nodeExecution';

/**
 * The AI Reviewer node against a stand-in for the service's two routes it uses: POST
 * …/tasks/:taskId/review (202 with the job) and GET /api/jobs/:id (the job, finished). What the
 * real service does with the job is test/integration/nodes/reviewNode.test.ts.
 */
interface FakeJob {
	state: 'completed' | 'failed';
	result?: IDataObject;
	error?: { kind: string; message: string; field?: string };
}

const reviewResult = (taskId: string) => ({
	projectId: 'p-1',
	taskId,
	verdict: 'request_changes',
	taskStatus: 'failed',
	attempt: 1,
	round: 1,
	last: false,
	review: { verdict: 'request_changes', summary: 'Needs a comment', comments: [{ path: 'src/t2.js', line: 1, severity: 'minor', message: 'Say what value() returns.' }], model: 'm', round: 1, attempt: 1, at: '2026-01-01T00:00:00.000Z' },
	model: 'qwen2.5-coder:7b',
	usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, llmMs: 1, wallMs: 2, calls: 1 },
	repairs: 0,
});

let server: Server;
let baseUrl: string;
let jobFor: (taskId: string) => FakeJob = (taskId) => ({ state: 'completed', result: reviewResult(taskId) });

function send(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://x');
	const posted = /^\/api\/projects\/([^/]+)\/tasks\/([^/]+)\/review$/.exec(url.pathname);
	if (req.method === 'POST' && posted) {
		const [, projectId, taskId] = posted.map(decodeURIComponent);
		return send(res, 202, { jobId: `review.${projectId}.${taskId}.1`, name: 'review', state: 'waiting', projectId, taskId });
	}
	const job = /^\/api\/jobs\/review\.([^.]+)\.([^.]+)\.1$/.exec(url.pathname);
	if (req.method === 'GET' && job) {
		const found = jobFor(decodeURIComponent(job[2]));
		return send(res, 200, { jobId: decodeURIComponent(url.pathname.slice('/api/jobs/'.length)), name: 'review', progress: null, attemptsMade: 1, createdAt: '2026-01-01T00:00:00.000Z', ...found });
	}
	send(res, 404, { error: 'not_found', message: `no route ${req.method} ${url.pathname}` });
}

beforeAll(async () => {
	server = createServer((req, res) => {
		req.resume();
		req.on('end', () => void answer(req, res));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

afterEach(() => {
	jobFor = (taskId) => ({ state: 'completed', result: reviewResult(taskId) });
});

const node = new AiReviewer();
const reviewRun = (parameters: NodeRun['parameters'] = {}, items: IDataObject[] = [{ projectId: 'p-1', taskId: 'T2', awaitingReview: true }], extra: Partial<NodeRun> = {}): NodeRun => ({
	items,
	credentials: { aiCompanyApi: { baseUrl, apiToken: 't' } },
	parameters: {
		projectId: (item: IDataObject) => item.projectId,
		taskId: (item: IDataObject) => (item.task as IDataObject | undefined)?.id ?? item.taskId,
		model: '',
		execution: 'wait',
		waitTimeoutSeconds: 30,
		options: {},
		...parameters,
	},
	...extra,
});

describe('AI Reviewer node: one review job per item', () => {
	it("waits for the review and outputs the job's result (verdict, task status, round, the review), paired to its item", async () => {
		const sent: SentRequest[] = [];
		const [items] = await runNode(node, reviewRun(), sent);
		expect(items).toEqual([{ json: reviewResult('T2'), pairedItem: { item: 0 } }]);
		expect(sent[0]).toMatchObject({ method: 'POST', url: `${baseUrl}/api/projects/p-1/tasks/T2/review`, body: {} });
		expect(sent.slice(1).map((r) => [r.method, new URL(r.url).pathname])).toEqual([['GET', '/api/jobs/review.p-1.T2.1']]);
	});

	it('sends the model, only the options added, and the custom prompt template', async () => {
		const sent: SentRequest[] = [];
		const promptTemplate = 'Review {{task.id}}: {{#fence "task"}}{{task.title}}{{/fence}} {{schema}}';
		await runNode(node, reviewRun({ model: 'llama3.1:8b', options: { temperature: 0, seed: 7, maxRepairAttempts: 1, promptTemplate } }), sent);
		expect(sent[0].body).toEqual({ model: 'llama3.1:8b', llm: { temperature: 0, seed: 7, maxRepairAttempts: 1 }, promptTemplate });
	});

	it('Queue Only outputs { jobId, projectId, taskId } at once and hands the Callback URL to the service', async () => {
		const sent: SentRequest[] = [];
		const [items] = await runNode(node, reviewRun({ execution: 'queue', callbackUrl: 'http://127.0.0.1:5678/webhook-waiting/42' }), sent);
		expect(items).toEqual([{ json: { jobId: 'review.p-1.T2.1', projectId: 'p-1', taskId: 'T2' }, pairedItem: { item: 0 } }]);
		expect(sent).toHaveLength(1);
		expect(sent[0].body).toEqual({ callbackUrl: 'http://127.0.0.1:5678/webhook-waiting/42' });
	});

	it('an empty Task ID stops the item before any request, naming the parameter and the item', async () => {
		const sent: SentRequest[] = [];
		const error = (await runNode(node, reviewRun({}, [{ projectId: 'p-1' }]), sent).catch((e: unknown) => e)) as NodeOperationError;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('"Task ID" is empty');
		expect(error.context.itemIndex).toBe(0);
		expect(sent).toEqual([]);
	});

	it("a review the service refuses fails the item with the service's message; Continue On Fail outputs it and the other items go on", async () => {
		const refusal = { kind: 'invalid_input', field: 'taskId', message: 'taskId: task "T1" is done: only a task whose tests passed and that waits for its review can be reviewed' };
		jobFor = (taskId) => (taskId === 'T1' ? { state: 'failed', error: refusal } : { state: 'completed', result: reviewResult(taskId) });
		const items = [{ projectId: 'p-1', taskId: 'T1' }, { projectId: 'p-1', taskId: 'T2' }];

		const error = (await runNode(node, reviewRun({}, items)).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(refusal.message);
		expect(error.description).toBe('Job review.p-1.T1.1 (review) failed: invalid_input. Field: taskId');

		const [output] = await runNode(node, reviewRun({}, items, { continueOnFail: true }));
		expect(output).toEqual([
			{ json: { error: refusal.message, description: 'Job review.p-1.T1.1 (review) failed: invalid_input. Field: taskId' }, pairedItem: { item: 0 } },
			{ json: reviewResult('T2'), pairedItem: { item: 1 } },
		]);
	});
});

describe("AI Reviewer node's output of a rejection", () => {
	it("leaves out the files the stored review keeps for the next round (reviewedFiles), and nothing else of the job's result", async () => {
		const rejected = reviewResult('T2');
		const reviewedFiles = [{ path: 'src/t2.js', content: 'x'.repeat(60_000) }];
		jobFor = () => ({ state: 'completed', result: { ...rejected, review: { ...rejected.review, reviewedFiles } } });
		const [items] = await runNode(node, reviewRun());
		expect(items).toEqual([{ json: rejected, pairedItem: { item: 0 } }]);
		expect(JSON.stringify(items).length).toBeLessThan(2_000);
	});
});

describe("AI Reviewer node's description: built like the other AI nodes", () => {
	const { description } = node;
	const tester = new AiTester().description;
	const property = (name: string, from = description.properties) => from.find((p) => p.name === name);

	it('is an AI Agent tool with its own icon, the service credential and a Model dropdown from the service', () => {
		expect(description).toMatchObject({ name: 'aiReviewer', usableAsTool: true, icon: { light: 'file:aiReviewer.svg', dark: 'file:aiReviewer.dark.svg' }, credentials: tester.credentials });
		expect(property('model')).toMatchObject({ type: 'options', typeOptions: { loadOptionsMethod: 'getModels' }, default: '' });
		expect(node.methods.loadOptions.getModels).toBeDefined();
	});

	it("offers the AI Tester's execution modes and model-call options, and a reviewer prompt template", () => {
		const same = ['projectId', 'callbackUrl', 'waitTimeoutSeconds'];
		expect(same.map((name) => property(name))).toEqual(same.map((name) => property(name, tester.properties)));
		const modes = (p?: INodeProperties) => ({ default: p?.default, values: (p?.options as Array<{ value: string }>).map((o) => o.value) });
		expect(modes(property('execution'))).toEqual(modes(property('execution', tester.properties)));
		const options = (property('options')?.options ?? []) as INodeProperties[];
		expect(options.map((o) => o.name).sort()).toEqual([...generationOptionProperties.map((o) => o.name), 'promptTemplate'].sort());
		expect(property('promptTemplate', options)?.description).toMatch(/runtime\/prompts\/reviewer\.hbs/);
	});

	it('describes every field it shows', () => {
		const fields = [...description.properties, ...((property('options')?.options ?? []) as INodeProperties[])];
		for (const field of fields) expect({ field: field.name, described: (field.description ?? '').length > 10 }).toEqual({ field: field.name, described: true });
	});
});
