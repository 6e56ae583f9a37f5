import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { AiPlanner } from '../../../nodes/AiPlanner/AiPlanner.node';
import { getModels } from '../../../nodes/shared/loadModels';
import { checkModelReference } from '../../../runtime/config/modelProviders';
import { InvalidInputError } from '../../../runtime/errors';
import { hookContext } from '../../support/nodeExecution';

// The nodes' Model dropdown, from GET /api/models as the service answers it: a configured provider
// that could not list its models shows as an option telling the operator so, whose value is no
// model's name and which the service refuses at intake if a workflow sends it anyway.

const TOKEN = 'dropdown-token';
let server: Server;
let answer: unknown;

beforeAll(async () => {
	server = createServer((req, res) => {
		const ok = req.url === '/api/models' && req.headers.authorization === `Bearer ${TOKEN}`;
		res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? answer : { error: 'not_found', message: 'no' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function dropdown(): Promise<Awaited<ReturnType<typeof getModels>>> {
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const context = hookContext(new AiPlanner(), { parameters: {}, credentials: { aiCompanyApi: { baseUrl, apiToken: TOKEN } }, webhookUrl: '', staticData: {} });
	return getModels.call(context as unknown as ILoadOptionsFunctions);
}

const OPENAI_DOWN = 'Cannot reach the OpenAI-compatible server at http://10.0.0.7:8000/v1 (ECONNREFUSED): check OPENAI_BASE_URL and that the server is running';

describe("the Model dropdown with a provider the service cannot list", () => {
	it('shows the provider as an unavailable entry, after Service Default and before the models', async () => {
		answer = {
			models: [{ name: 'qwen2.5-coder:7b', provider: 'ollama' }, { name: 'anthropic:claude-test', provider: 'anthropic' }],
			unavailable: [{ provider: 'openai', error: OPENAI_DOWN }],
		};
		const options = await dropdown();
		expect(options.map((o) => o.value)).toEqual(['', 'openai:', 'anthropic:claude-test', 'qwen2.5-coder:7b']);
		const notice = options[1];
		expect(notice.name).toMatch(/^openai: unavailable \(Cannot reach the OpenAI-compatible server at http:\/\/10\.0\.0\.7:8000\/v1 .{0,40}…\)$/);
		expect(notice.name.length).toBeLessThan(110);
		expect(notice.description).toContain(OPENAI_DOWN);
		expect(notice.disabled).toBe(true);
	});

	it("gives the entry a value the service refuses at intake, naming the field (a provider's reference with no model)", async () => {
		answer = { models: [], unavailable: [{ provider: 'openai', error: 'HTTP 500' }, { provider: 'ollama', error: 'no answer' }] };
		const values = (await dropdown()).slice(1).map((o) => String(o.value));
		expect(values).toEqual(['openai:', 'ollama:']);
		const config = { openaiBaseUrl: 'http://127.0.0.1:8000/v1', anthropicBaseUrl: 'https://api.anthropic.com' };
		for (const value of values) {
			let refused: unknown;
			try {
				checkModelReference(value, config, 'model');
			} catch (error) {
				refused = error;
			}
			expect(refused).toBeInstanceOf(InvalidInputError);
			expect((refused as InvalidInputError).field).toBe('model');
			expect((refused as Error).message).toContain('no model after the');
		}
	});

	it('shows no such entry when every provider listed its models', async () => {
		answer = { models: [{ name: 'openai:gpt-test', provider: 'openai' }] };
		expect((await dropdown()).map((o) => o.value)).toEqual(['', 'openai:gpt-test']);
	});
});
