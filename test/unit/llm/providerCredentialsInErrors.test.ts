import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AnthropicProvider } from '../../../runtime/llm/providers/anthropic';
import { OllamaProvider } from '../../../runtime/llm/providers/ollama';
import { OpenAiProvider } from '../../../runtime/llm/providers/openai';
import type { ModelProvider } from '../../../runtime/llm/providers/provider';

// A provider's base URL may carry a user and password (a model server behind a proxy's basic
// auth). Whatever fails, the error a project stores (task.error, statusReason: shown in the
// dashboard, the API, the callbacks and webhooks sent to clients' URLs) never carries them.

const PASSWORD = 'pr0xy-s3cret-pw';
let server: Server;
let port: number;

beforeAll(async () => {
	// Answers every request 500 with a body that names nothing secret.
	server = createServer((_request, response) => {
		response.writeHead(500, { 'content-type': 'application/json' });
		response.end(JSON.stringify({ error: { message: 'overloaded, try later', type: 'api_error' } }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

const call = { model: 'some-model', messages: [{ role: 'user', content: 'hi' }], timeoutMs: 5000, maxReplyBytes: 10_000 };

const providers: Array<[string, (base: string) => ModelProvider, string]> = [
	['OpenAI-compatible', (base) => new OpenAiProvider({ baseUrl: `${base}/v1`, apiKey: 'k' }), '/v1'],
	['Anthropic', (base) => new AnthropicProvider({ baseUrl: base, apiKey: 'k' }), ''],
	['Ollama', (base) => new OllamaProvider({ baseUrl: base }), ''],
];

describe("a provider's base URL with a user and password", () => {
	it.each(providers)('%s: a failed chat names the server without the password', async (_name, make) => {
		const provider = make(`http://proxyuser:${PASSWORD}@127.0.0.1:${port}`);
		expect(provider.baseUrl).not.toContain(PASSWORD);
		const error = (await provider.streamChat(call).then(
			() => null,
			(e: unknown) => e,
		)) as Error & { baseUrl?: string; rawReply?: string };
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toContain(`127.0.0.1:${port}`);
		expect(error.message).not.toContain(PASSWORD);
		expect(String(error.baseUrl ?? '')).not.toContain(PASSWORD);
		expect(JSON.stringify(error)).not.toContain(PASSWORD);
	});

	it.each(providers)('%s: a failed model list names the server without the password', async (_name, make) => {
		const provider = make(`http://proxyuser:${PASSWORD}@127.0.0.1:${port}`);
		const error = (await provider.listModels({ timeoutMs: 5000 }).then(
			() => null,
			(e: unknown) => e,
		)) as Error;
		expect(error).toBeInstanceOf(Error);
		expect(error.message).not.toContain(PASSWORD);
		expect(JSON.stringify(error)).not.toContain(PASSWORD);
	});
});
