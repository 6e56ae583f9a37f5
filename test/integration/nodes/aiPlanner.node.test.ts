import { NodeOperationError } from 'n8n-workflow';

import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { diamondPlan } from '../../support/fixtures/plans';
import { runNode, type NodeRun } from '../../support/nodeExecution';
import { OllamaTestServer } from '../../support/ollamaTestServer';

describe('AI Planner node', () => {
	let server: OllamaTestServer;
	const node = new AiPlanner();

	beforeAll(async () => {
		server = await OllamaTestServer.start({ models: ['llama3.2:latest', 'qwen2.5-coder:7b'] });
	});
	afterAll(() => server.close());
	beforeEach(() => server.requests.splice(0));

	function plannerRun(overrides: Partial<NodeRun> = {}): NodeRun {
		return {
			items: [{ requirements: 'A todo API with users', title: 'Todo', projectId: 'p-1', client: { name: 'Ada' } }],
			parameters: {
				authentication: 'aiCompanyOllamaApi',
				model: 'llama3.2:latest',
				requirements: (item: { requirements?: unknown }) => item.requirements,
				title: (item: { title?: unknown }) => item.title,
				projectId: (item: { projectId?: unknown }) => item.projectId,
				options: {},
			},
			credentials: { aiCompanyOllamaApi: { baseUrl: server.url, apiKey: '' } },
			...overrides,
		};
	}

	it('outputs the validated plan with the model, usage and the input\'s project fields, paired to its item', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const [items] = await runNode(node, plannerRun());
		expect(items).toHaveLength(1);
		const json = items[0].json as Record<string, any>;
		expect(json.plan).toEqual(diamondPlan());
		expect(json).toMatchObject({ projectId: 'p-1', title: 'Todo', model: 'llama3.2:latest', repairs: 0, client: { name: 'Ada' } });
		expect(json.usage.promptTokens).toBeGreaterThan(0);
		expect(json.usage.completionTokens).toBeGreaterThan(0);
		expect(json.usage.calls).toBe(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('sends every option it shows to Ollama: temperature, context size, seed, max tokens, keep alive', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const run = plannerRun();
		run.parameters.options = { temperature: 0.7, contextSize: 4096, seed: 42, maxTokens: 777, keepAlive: '10m' };
		await runNode(node, run);
		const [request] = server.chatRequests();
		expect(request.body?.options).toEqual({ temperature: 0.7, num_ctx: 4096, seed: 42, num_predict: 777 });
		expect(request.body?.keep_alive).toBe('10m');
		expect(request.body?.stream).toBe(true);
		expect(request.body?.format).toMatchObject({ type: 'object', required: ['summary', 'techStack', 'tasks', 'risks'] });
	});

	it('sends a numeric keep alive such as -1 as a number, as Ollama expects', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const run = plannerRun();
		run.parameters.options = { keepAlive: '-1' };
		await runNode(node, run);
		expect(server.chatRequests()[0].body?.keep_alive).toBe(-1);
	});

	it('uses a custom prompt template with the same variables', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const run = plannerRun();
		run.parameters.options = { promptTemplate: 'PLAN THIS for {{client.name}}: <{{fence}}>{{requirements}}</{{fence}}>' };
		await runNode(node, run);
		const messages = server.chatRequests()[0].body?.messages as Array<{ role: string; content: string }>;
		expect(messages[1].content).toMatch(/^PLAN THIS for Ada: <CLIENT_DATA_[0-9a-f]{12}>A todo API with users<\/CLIENT_DATA_[0-9a-f]{12}>$/);
	});

	it('repairs a broken first reply inside the node', async () => {
		server.enqueue({ content: '{"summary": "oops", ' }, { content: JSON.stringify(diamondPlan()) });
		const [items] = await runNode(node, plannerRun());
		expect(items[0].json.repairs).toBe(1);
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('fails with an error that shows the raw reply and names the model when repair does not help', async () => {
		server.enqueue({ content: 'I am sorry, I cannot plan.' }, { content: 'Still no plan.' });
		const run = plannerRun();
		run.parameters.options = { maxRepairAttempts: 1 };
		const failure = runNode(node, run);
		await expect(failure).rejects.toBeInstanceOf(NodeOperationError);
		const error = (await failure.catch((e: unknown) => e)) as NodeOperationError;
		expect(error.message).toContain('llama3.2:latest');
		expect(error.description).toContain('Still no plan.');
		expect(server.chatRequests()).toHaveLength(2);
	});

	it.each([
		['empty', '   ', /requirements: is empty/],
		['missing', undefined, /requirements: is missing/],
		['not text', { text: 'x' }, /requirements: must be text/],
		['over the limit', 'x'.repeat(101), /requirements: is 101 characters long; the limit is 100/],
	])('refuses %s requirements with an error naming the field, before calling the model', async (_case, requirements, message) => {
		const run = plannerRun({ items: [{ requirements }] });
		run.parameters.options = { maxRequirementsLength: 100 };
		await expect(runNode(node, run)).rejects.toThrow(message);
		expect(server.chatRequests()).toHaveLength(0);
	});

	it('with Continue On Fail, outputs the error for the bad item and plans the good one', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const [items] = await runNode(node, plannerRun({ items: [{ requirements: '' }, { requirements: 'A blog' }], continueOnFail: true }));
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toMatch(/requirements: is empty/);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json.plan).toEqual(diamondPlan());
		expect(items[1].pairedItem).toEqual({ item: 1 });
	});

	it('names a model the server does not have and how to get it', async () => {
		const run = plannerRun();
		run.parameters.model = 'mistral:7b';
		await expect(runNode(node, run)).rejects.toThrow(/Model "mistral:7b" is not available on .*ollama pull mistral:7b/);
	});

	it('says which base URL it could not reach', async () => {
		const run = plannerRun({ credentials: { aiCompanyOllamaApi: { baseUrl: 'http://127.0.0.1:9', apiKey: '' } } });
		run.parameters.options = { maxRetries: 0 };
		await expect(runNode(node, run)).rejects.toThrow(/Cannot reach Ollama at http:\/\/127\.0\.0\.1:9/);
	});

	it('stops waiting at the Timeout option and says it was the timeout', async () => {
		server.enqueue({ hang: true });
		const run = plannerRun();
		run.parameters.options = { timeoutSeconds: 0.3, maxRetries: 0 };
		await expect(runNode(node, run)).rejects.toThrow(/did not finish .* within 0 s|within 0\.3 s|Timeout option/);
	});

	it('retries a busy server (503) as many times as Max Retries allows', async () => {
		server.enqueue({ status: 503, error: 'server busy' }, { content: JSON.stringify(diamondPlan()) });
		const run = plannerRun();
		run.parameters.options = { maxRetries: 1 };
		const [items] = await runNode(node, run);
		expect(items[0].json.plan).toEqual(diamondPlan());
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('uses n8n\'s built-in Ollama credential when chosen, sending its API key as a bearer token', async () => {
		server.enqueue({ content: JSON.stringify(diamondPlan()) });
		const run = plannerRun({ credentials: { ollamaApi: { baseUrl: server.url, apiKey: 'sk-local' } } });
		run.parameters.authentication = 'ollamaApi';
		await runNode(node, run);
		expect(server.chatRequests()[0].headers.authorization).toBe('Bearer sk-local');
	});

	it('stops at once when the execution is cancelled', async () => {
		server.enqueue({ hang: true });
		const cancel = new AbortController();
		const started = Date.now();
		setTimeout(() => cancel.abort(), 200);
		await expect(runNode(node, plannerRun({ cancelSignal: cancel.signal }))).rejects.toThrow(/cancelled/);
		expect(Date.now() - started).toBeLessThan(5000);
	});
});
