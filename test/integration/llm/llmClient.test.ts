import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Message } from 'ollama';

import { LlmOutputError, LlmReplyTooLargeError } from '../../../runtime/llm/errors';
import { LlmClient, type LlmSettings, type StructuredRequest } from '../../../runtime/llm/llmClient';
import type { RetryPolicy } from '../../../runtime/llm/retry';
import { OllamaTestServer, type RecordedRequest } from '../../support/ollamaTestServer';
import { closedPort } from '../../support/ports';
import { llmError } from '../../support/llmErrors';

interface Answer {
	answer: string;
	n: number;
}

const schema = {
	type: 'object',
	properties: { answer: { type: 'string' }, n: { type: 'integer' } },
	required: ['answer', 'n'],
};

const tinyRetry: RetryPolicy = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };
const noRetry: RetryPolicy = { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };

let server: OllamaTestServer;

beforeEach(async () => {
	server = await OllamaTestServer.start();
});

afterEach(async () => {
	jest.restoreAllMocks();
	await server.close();
});

function client(overrides: Partial<LlmSettings> = {}): LlmClient {
	return new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 5_000, retry: tinyRetry, ...overrides });
}

function request(overrides: Partial<StructuredRequest<Answer>> = {}): StructuredRequest<Answer> {
	return { model: 'test-model', system: 'You reply in JSON.', prompt: 'What is the answer?', schema, maxRepairs: 2, ...overrides };
}

function messagesOf(recorded: RecordedRequest): Message[] {
	return recorded.body?.messages as Message[];
}

const valid = JSON.stringify({ answer: 'forty-two', n: 42 });

describe('LlmClient.generateStructured: valid replies', () => {
	it('returns the parsed value, the raw reply and the usage of a first reply that is valid', async () => {
		server.enqueue({ content: valid, promptTokens: 11, completionTokens: 7 });
		const result = await client().generateStructured(request());
		expect(result.value).toEqual({ answer: 'forty-two', n: 42 });
		expect(result.raw).toBe(valid);
		expect(result.model).toBe('test-model');
		expect(result.repairs).toBe(0);
		// The test server reports total_duration = 5 ms + 1 ms per completion token.
		expect(result.usage).toMatchObject({ promptTokens: 11, completionTokens: 7, totalTokens: 18, llmMs: 12, calls: 1 });
		expect(result.usage.wallMs).toBeGreaterThanOrEqual(0);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('sends the schema as format, streams, and sends the system prompt and the prompt', async () => {
		server.enqueue({ content: valid });
		await client().generateStructured(request());
		const [sent] = server.chatRequests();
		expect(sent.body?.format).toEqual(schema);
		expect(sent.body?.stream).toBe(true);
		expect(sent.body?.model).toBe('test-model');
		expect(messagesOf(sent)).toEqual([
			{ role: 'system', content: 'You reply in JSON.' },
			{ role: 'user', content: 'What is the answer?' },
		]);
	});

	it('sends temperature, num_ctx, seed and num_predict as options and keepAlive as keep_alive', async () => {
		server.enqueue({ content: valid });
		await client().generateStructured(
			request({ options: { temperature: 0.15, num_ctx: 4096, seed: 1234, num_predict: 512 }, keepAlive: '10m' }),
		);
		const [sent] = server.chatRequests();
		expect(sent.body?.options).toEqual({ temperature: 0.15, num_ctx: 4096, seed: 1234, num_predict: 512 });
		expect(sent.body?.keep_alive).toBe('10m');
	});

	it('sends a numeric keepAlive as a number', async () => {
		server.enqueue({ content: valid });
		await client().generateStructured(request({ keepAlive: -1 }));
		expect(server.chatRequests()[0].body?.keep_alive).toBe(-1);
	});

	it('sends the same options on every repair request', async () => {
		server.enqueue({ content: 'nope' }, { content: valid });
		await client().generateStructured(request({ options: { temperature: 0, seed: 7 }, keepAlive: '5m' }));
		const [first, second] = server.chatRequests();
		expect(second.body?.options).toEqual({ temperature: 0, seed: 7 });
		expect(second.body?.keep_alive).toBe('5m');
		expect(second.body?.format).toEqual(first.body?.format);
	});

	it('accepts JSON wrapped in a code fence without a repair', async () => {
		server.enqueue({ content: `Here you go:\n\`\`\`json\n${valid}\n\`\`\`` });
		const result = await client().generateStructured(request());
		expect(result.value).toEqual({ answer: 'forty-two', n: 42 });
		expect(result.repairs).toBe(0);
	});

	it('reports progress as the reply streams in', async () => {
		const progress: number[] = [];
		server.enqueue({ content: 'x'.repeat(64 - valid.length) + valid });
		await client({ onProgress: ({ completionTokens }) => progress.push(completionTokens) }).chat('test-model', []);
		// 64 characters arrive as four 16-character chunks, then the final done chunk.
		expect(progress).toEqual([1, 2, 3, 4, 5]);
	});
});

describe('LlmClient.generateStructured: repairs', () => {
	it('repairs broken JSON: the second request quotes the broken reply and the parser problem', async () => {
		const broken = '{"answer": "forty-two", "n": ';
		server.enqueue({ content: broken, promptTokens: 10, completionTokens: 5 }, { content: valid, promptTokens: 30, completionTokens: 6 });
		const result = await client().generateStructured(request());
		expect(result.value).toEqual({ answer: 'forty-two', n: 42 });
		expect(result.repairs).toBe(1);
		expect(result.usage).toMatchObject({ promptTokens: 40, completionTokens: 11, totalTokens: 51, llmMs: 10 + 11, calls: 2 });

		const requests = server.chatRequests();
		expect(requests).toHaveLength(2);
		const messages = messagesOf(requests[1]);
		expect(messages.slice(0, 3)).toEqual([
			{ role: 'system', content: 'You reply in JSON.' },
			{ role: 'user', content: 'What is the answer?' },
			{ role: 'assistant', content: broken },
		]);
		expect(messages).toHaveLength(4);
		expect(messages[3].role).toBe('user');
		expect(messages[3].content).toMatch(/^Your previous reply could not be used because:\n- the reply is not valid JSON \(.+\)\n/);
		expect(messages[3].content).toContain('Reply again with only the corrected JSON object');
	});

	it('lists at most the first 20 problems in a repair request', async () => {
		server.enqueue({ content: valid }, { content: valid });
		const problems = Array.from({ length: 25 }, (_, i) => `problem ${i + 1}`);
		await llmError(client().generateStructured(request({ maxRepairs: 1, check: () => problems })));
		const repair = messagesOf(server.chatRequests()[1]).at(-1)!.content;
		const listed = repair.split('\n').filter((line) => line.startsWith('- '));
		expect(listed).toEqual(problems.slice(0, 20).map((p) => `- ${p}`));
	});

	it('throws LlmOutputError with the raw reply, problems and model once the repairs are used up', async () => {
		server.respondWith(() => ({ content: 'Sorry, I cannot answer.' }));
		const error = await llmError(client().generateStructured(request({ maxRepairs: 2 })));
		expect(error).toBeInstanceOf(LlmOutputError);
		const output = error as LlmOutputError;
		expect(output.code).toBe('invalid_output');
		expect(output.retryable).toBe(false);
		expect(output.attempts).toBe(3);
		expect(output.rawReply).toBe('Sorry, I cannot answer.');
		expect(output.problems).toEqual([expect.stringMatching(/^the reply is not valid JSON/)]);
		expect(output.model).toBe('test-model');
		expect(output.message).toMatch(/^Model "test-model" did not return valid output after 3 attempts: the reply is not valid JSON/);
		expect(server.chatRequests()).toHaveLength(3);
		expect(output.usage?.calls).toBe(3);
		expect(output.usage?.completionTokens).toBeGreaterThan(0);
	});

	it('keeps every repair round in the conversation', async () => {
		server.enqueue({ content: 'first' }, { content: 'second' }, { content: valid });
		await client().generateStructured(request({ maxRepairs: 2 }));
		const roles = messagesOf(server.chatRequests()[2]).map((m) => m.role);
		expect(roles).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
		expect(messagesOf(server.chatRequests()[2])[4].content).toBe('second');
	});

	it('makes one call and no repair when maxRepairs is 0', async () => {
		server.respondWith(() => ({ content: '{' }));
		const error = (await llmError(client().generateStructured(request({ maxRepairs: 0 })))) as LlmOutputError;
		expect(error.attempts).toBe(1);
		expect(error.message).toContain('after 1 attempt:');
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('treats a maxRepairs that is not a number (NaN) as 0 instead of looping forever', async () => {
		server.respondWith(() => ({ content: '{' }));
		const error = (await llmError(client().generateStructured(request({ maxRepairs: Number.NaN })))) as LlmOutputError;
		expect(error.attempts).toBe(1);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('repairs a reply that breaks the schema, quoting each schema problem', async () => {
		server.enqueue({ content: JSON.stringify({ answer: 42 }) }, { content: valid });
		const result = await client().generateStructured(request());
		expect(result.repairs).toBe(1);
		const repair = messagesOf(server.chatRequests()[1])[3].content;
		expect(repair).toContain('- (the top level) is missing the required field "n"');
		expect(repair).toContain('- /answer must be of type string');
	});

	it('repairs a schema-valid reply that the check rejects, quoting the check problems', async () => {
		server.enqueue({ content: JSON.stringify({ answer: 'negative', n: -1 }) }, { content: valid });
		const check = (value: Answer) => (value.n < 0 ? [`n is ${value.n}; it must not be negative`] : []);
		const result = await client().generateStructured(request({ check }));
		expect(result.value.n).toBe(42);
		expect(result.repairs).toBe(1);
		expect(messagesOf(server.chatRequests()[1])[3].content).toContain('- n is -1; it must not be negative');
	});

	it('does not run the check on a reply that breaks the schema', async () => {
		server.enqueue({ content: '{"answer": 1}' }, { content: valid });
		const check = jest.fn(() => []);
		await client().generateStructured(request({ check }));
		expect(check).toHaveBeenCalledTimes(1);
		expect(check).toHaveBeenCalledWith({ answer: 'forty-two', n: 42 });
	});

	it('explains a reply cut off at the token limit (done_reason "length") before the parser problem', async () => {
		server.enqueue({ content: '{"answer": "a very long ans', doneReason: 'length' }, { content: valid });
		await client().generateStructured(request());
		const repair = messagesOf(server.chatRequests()[1])[3].content;
		expect(repair).toMatch(/- the reply was cut off before it was complete \(it hit the token limit: raise Context Size or Max Tokens\)\n- the reply is not valid JSON/);
	});

	it('puts the cut-off explanation first in the final error when the reply stays cut off', async () => {
		server.respondWith(() => ({ content: '{"answer": "tr', doneReason: 'length' }));
		const error = (await llmError(client().generateStructured(request({ maxRepairs: 0 })))) as LlmOutputError;
		expect(error.problems[0]).toMatch(/^the reply was cut off/);
		expect(error.message).toContain('cut off');
	});

	it('does not mention a cut-off for broken JSON that ended normally', async () => {
		server.enqueue({ content: '{"answer": "tr' }, { content: valid });
		await client().generateStructured(request());
		expect(messagesOf(server.chatRequests()[1])[3].content).not.toContain('cut off');
	});

	it('quotes at most 8000 characters of a long broken reply back to the model', async () => {
		const long = `{"answer": "${'z'.repeat(20_000)}`;
		server.enqueue({ content: long }, { content: valid });
		await client().generateStructured(request());
		const quoted = messagesOf(server.chatRequests()[1])[2];
		expect(quoted).toEqual({ role: 'assistant', content: long.slice(0, 8000) });
	});
});

describe('LlmClient: errors from the server', () => {
	it('reports an unknown model as model_not_found with the ollama pull command, without retrying', async () => {
		const error = await llmError(client().generateStructured(request({ model: 'mistral:7b' })));
		expect(error.code).toBe('model_not_found');
		expect(error.status).toBe(404);
		expect(error.model).toBe('mistral:7b');
		expect(error.retryable).toBe(false);
		expect(error.message).toContain('Model "mistral:7b" is not available on ' + server.url);
		expect(error.message).toContain('ollama pull mistral:7b');
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('reports a Base URL that is not the Ollama API (404 page not found) as bad_request naming the Base URL', async () => {
		jest.spyOn(console, 'log').mockImplementation(() => undefined); // the ollama client logs text error bodies
		const error = await llmError(client({ connection: { baseUrl: `${server.url}/v1` } }).chat('test-model', []));
		expect(error.code).toBe('bad_request');
		expect(error.status).toBe(404);
		expect(error.message).toContain(`${server.url}/v1`);
		expect(error.message).toContain('Base URL');
		expect(error.message).not.toContain('ollama pull');
	});

	it('accepts a Base URL ending in /api/ and reaches the same server', async () => {
		server.enqueue({ content: valid });
		const reply = await client({ connection: { baseUrl: `${server.url}/api/` } }).chat('test-model', []);
		expect(reply.content).toBe(valid);
	});

	it('reports a server that is not there as unreachable, naming the Base URL', async () => {
		const baseUrl = `http://127.0.0.1:${await closedPort()}`;
		const error = await llmError(client({ connection: { baseUrl }, retry: noRetry }).generateStructured(request()));
		expect(error.code).toBe('unreachable');
		expect(error.retryable).toBe(true);
		expect(error.baseUrl).toBe(baseUrl);
		expect(error.message).toBe(
			`Cannot reach Ollama at ${baseUrl} (ECONNREFUSED): check the credential's Base URL and that Ollama is running`,
		);
	});

	it('reaches a server that comes back while the retry waits', async () => {
		const port = await closedPort();
		let revived: OllamaTestServer | undefined;
		const starting = new Promise<void>((resolve) =>
			setTimeout(async () => {
				revived = await OllamaTestServer.start({ port });
				revived.enqueue({ content: valid });
				resolve();
			}, 50),
		);
		try {
			const llm = client({ connection: { baseUrl: `http://127.0.0.1:${port}` }, retry: { retries: 1, baseDelayMs: 400, maxDelayMs: 400 } });
			const result = await llm.generateStructured(request());
			expect(result.value.n).toBe(42);
			expect(revived!.chatRequests()).toHaveLength(1);
		} finally {
			await starting;
			await revived?.close();
		}
	});

	it('retries a 503 and succeeds, counting both calls in the usage', async () => {
		server.enqueue({ status: 503, error: 'server busy, please try again' }, { content: valid });
		const result = await client().generateStructured(request());
		expect(result.value.n).toBe(42);
		expect(result.repairs).toBe(0);
		expect(result.usage.calls).toBe(2);
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('gives up on a server that answers 500 every time after retries + 1 calls with server_error', async () => {
		server.respondWith(() => ({ status: 500, error: 'llama runner process has terminated' }));
		const error = await llmError(client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } }).generateStructured(request()));
		expect(error.code).toBe('server_error');
		expect(error.status).toBe(500);
		expect(error.message).toBe(`Ollama at ${server.url} answered HTTP 500: llama runner process has terminated`);
		expect(server.chatRequests()).toHaveLength(3);
	});

	it('does not retry a 400 and reports it as bad_request with the server message', async () => {
		server.respondWith(() => ({ status: 400, error: 'invalid format' }));
		const error = await llmError(client().generateStructured(request()));
		expect(error.code).toBe('bad_request');
		expect(error.message).toContain('invalid format');
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('reports a failure streamed mid-reply as server_error with the server message', async () => {
		server.enqueue({ content: valid + ' '.repeat(64), streamError: 'out of memory' });
		const error = await llmError(client({ retry: noRetry }).generateStructured(request()));
		expect(error.code).toBe('server_error');
		expect(error.message).toBe(`Ollama at ${server.url} failed during the reply: out of memory`);
	});

	it('retries a failure streamed mid-reply, as it is transient', async () => {
		server.enqueue({ content: valid + ' '.repeat(64), streamError: 'out of memory' }, { content: valid });
		const result = await client().generateStructured(request());
		expect(result.value.n).toBe(42);
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('reports a connection cut mid-reply as unreachable', async () => {
		server.enqueue({ content: valid + ' '.repeat(64), dropMidStream: true });
		const error = await llmError(client({ retry: noRetry }).generateStructured(request()));
		expect(error.code).toBe('unreachable');
	});
});

describe('LlmClient: API key', () => {
	let guarded: OllamaTestServer;

	beforeEach(async () => {
		guarded = await OllamaTestServer.start({ apiKey: 'sekret' });
	});

	afterEach(async () => {
		await guarded.close();
	});

	it('reports a refused request (401) as auth_failed pointing at the API key, without retrying', async () => {
		const llm = new LlmClient({ connection: { baseUrl: guarded.url }, timeoutMs: 5_000, retry: tinyRetry });
		const error = await llmError(llm.generateStructured(request()));
		expect(error.code).toBe('auth_failed');
		expect(error.status).toBe(401);
		expect(error.message).toMatch(/refused the request with HTTP 401 .*API Key/);
		expect(guarded.chatRequests()).toHaveLength(1);
	});

	it('reports a 403 from a proxy as auth_failed too', async () => {
		server.enqueue({ status: 403, error: 'forbidden' });
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('auth_failed');
		expect(error.status).toBe(403);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('reports a wrong API key as auth_failed', async () => {
		const llm = new LlmClient({ connection: { baseUrl: guarded.url, apiKey: 'wrong' }, timeoutMs: 5_000, retry: tinyRetry });
		expect((await llmError(llm.listModels())).code).toBe('auth_failed');
	});

	it('sends the API key as a Bearer token and gets the reply', async () => {
		guarded.enqueue({ content: valid });
		const llm = new LlmClient({ connection: { baseUrl: guarded.url, apiKey: 'sekret' }, timeoutMs: 5_000, retry: tinyRetry });
		const result = await llm.generateStructured(request());
		expect(result.value.n).toBe(42);
		expect(guarded.chatRequests()[0].headers.authorization).toBe('Bearer sekret');
	});

	it('sends no Authorization header without an API key', async () => {
		server.enqueue({ content: valid });
		await client().generateStructured(request());
		expect(server.chatRequests()[0].headers.authorization).toBeUndefined();
	});
});

describe('LlmClient: timeout and cancel', () => {
	it('ends a call whose reply never comes at the timeout, with code timeout', async () => {
		server.enqueue({ hang: true });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 300, retry: noRetry }).generateStructured(request()));
		const elapsed = Date.now() - started;
		expect(error.code).toBe('timeout');
		expect(error.retryable).toBe(true);
		expect(error.message).toBe(
			`Ollama at ${server.url} did not finish the reply of model "test-model" within 300 ms (the Timeout option; 0 means no limit)`,
		);
		expect(elapsed).toBeGreaterThanOrEqual(290);
		expect(elapsed).toBeLessThan(2_000);
	});

	it('states a timeout of whole seconds in seconds', async () => {
		server.enqueue({ hang: true });
		const error = await llmError(client({ timeoutMs: 1_000, retry: noRetry }).chat('test-model', []));
		expect(error.message).toContain('within 1 s (the Timeout option');
	});

	it('does not retry a timed-out call: the timeout is for the whole call, retries included', async () => {
		server.enqueue({ hang: true }, { content: valid });
		const error = await llmError(client({ timeoutMs: 300 }).generateStructured(request()));
		expect(error.code).toBe('timeout');
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('ends an endless stream at the timeout even with retries left (1.5 s, not 3 × 1.5 s)', async () => {
		server.respondWith(() => ({ content: 'x'.repeat(64), endless: true, chunkDelayMs: 20 }));
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 1_500, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 } }).chat('test-model', []));
		const elapsed = Date.now() - started;
		expect(error.code).toBe('timeout');
		expect(error.message).toContain('within 1.5 s (the Timeout option');
		expect(elapsed).toBeGreaterThanOrEqual(1_490);
		expect(elapsed).toBeLessThan(2_200);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('gives a retry after a 503 only what is left of the timeout', async () => {
		server.enqueue({ status: 503, error: 'busy' }, { hang: true });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 1_000, retry: { retries: 2, baseDelayMs: 200, maxDelayMs: 200 } }).chat('test-model', []));
		const elapsed = Date.now() - started;
		expect(error.code).toBe('timeout');
		// The operator's setting is named, not the part of it the second attempt had.
		expect(error.message).toContain('within 1 s (the Timeout option');
		expect(elapsed).toBeGreaterThanOrEqual(990);
		expect(elapsed).toBeLessThan(1_500);
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('does not wait for a retry that could not start before the timeout: the last error is reported at once', async () => {
		server.respondWith(() => ({ status: 503, error: 'server busy' }));
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 1_000, retry: { retries: 3, baseDelayMs: 5_000, maxDelayMs: 5_000 } }).chat('test-model', []));
		expect(error.code).toBe('server_error');
		expect(error.message).toContain('server busy');
		expect(Date.now() - started).toBeLessThan(500);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('limits the whole call, not just the wait for the first byte: a reply still streaming is ended', async () => {
		// 40 chunks, 50 ms apart: 2 s of streaming against a 400 ms limit.
		server.enqueue({ content: 'x'.repeat(16 * 40), chunkDelayMs: 50 });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 400, retry: noRetry }).chat('test-model', []));
		expect(error.code).toBe('timeout');
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	it('ends a reply that stops streaming halfway at the timeout', async () => {
		server.enqueue({ content: 'x'.repeat(64), hangMidStream: true });
		const error = await llmError(client({ timeoutMs: 300, retry: noRetry }).chat('test-model', []));
		expect(error.code).toBe('timeout');
	});

	it('completes a reply whose headers come after 1.2 s and whose chunks stream for another 0.4 s when there is no timeout', async () => {
		server.enqueue({ content: valid + ' '.repeat(16 * 8), delayMs: 1_200, chunkDelayMs: 50 });
		const started = Date.now();
		const result = await client({ timeoutMs: 0 }).generateStructured(request());
		expect(result.value.n).toBe(42);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
		expect(result.usage.wallMs).toBeGreaterThanOrEqual(1_500);
	});

	it('ends the call at once with code cancelled when the signal aborts mid-call, without retrying', async () => {
		server.enqueue({ hang: true });
		const controller = new AbortController();
		const llm = client({ signal: controller.signal, timeoutMs: 0 });
		const started = Date.now();
		setTimeout(() => controller.abort(), 100);
		const error = await llmError(llm.generateStructured(request()));
		expect(error.code).toBe('cancelled');
		expect(error.retryable).toBe(false);
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('cancels a reply that is streaming', async () => {
		server.enqueue({ content: 'x'.repeat(16 * 100), chunkDelayMs: 20 });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 150);
		const started = Date.now();
		const error = await llmError(client({ signal: controller.signal, timeoutMs: 0 }).chat('test-model', []));
		expect(error.code).toBe('cancelled');
		expect(Date.now() - started).toBeLessThan(1_000);
	});

	it('cancels during the wait before a retry, without another call', async () => {
		server.respondWith(() => ({ status: 503, error: 'busy' }));
		const controller = new AbortController();
		// A timeout longer than the backoff, so the retry is waited for (a retry that cannot fit is not).
		const llm = client({ signal: controller.signal, timeoutMs: 60_000, retry: { retries: 3, baseDelayMs: 5_000, maxDelayMs: 5_000 } });
		setTimeout(() => controller.abort(), 150);
		const started = Date.now();
		const error = await llmError(llm.generateStructured(request()));
		expect(error.code).toBe('cancelled');
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('makes no request at all when the signal is already aborted', async () => {
		const controller = new AbortController();
		controller.abort();
		const error = await llmError(client({ signal: controller.signal }).generateStructured(request()));
		expect(error.code).toBe('cancelled');
		expect(server.requests).toHaveLength(0);
	});
});

describe('LlmClient.listModels', () => {
	it("returns the server's models with size, parameter size and family", async () => {
		server.models = ['llama3.2:latest', 'qwen2.5-coder:7b'];
		await expect(client().listModels()).resolves.toEqual([
			{ name: 'llama3.2:latest', provider: 'ollama', sizeBytes: 4_000_000_000, parameterSize: '7B', family: 'llama' },
			{ name: 'qwen2.5-coder:7b', provider: 'ollama', sizeBytes: 4_000_000_000, parameterSize: '7B', family: 'llama' },
		]);
		expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/tags']);
	});

	it('returns an empty list for a server without models', async () => {
		server.models = [];
		await expect(client().listModels()).resolves.toEqual([]);
	});

	it('ends at the timeout with code timeout when the server does not answer', async () => {
		server.respondToTags({ hang: true });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 300 }).listModels());
		expect(error.code).toBe('timeout');
		expect(error.message).toBe(`Ollama at ${server.url} did not answer within 300 ms (the Timeout option; 0 means no limit)`);
		expect(Date.now() - started).toBeLessThan(2_000);
	});

	it('ends with code cancelled when the signal aborts', async () => {
		server.respondToTags({ hang: true });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const error = await llmError(client({ signal: controller.signal, timeoutMs: 0 }).listModels());
		expect(error.code).toBe('cancelled');
	});

	it('reports a Base URL that is not the Ollama API as bad_request, not as a missing model', async () => {
		jest.spyOn(console, 'log').mockImplementation(() => undefined); // the ollama client logs text error bodies
		const error = await llmError(client({ connection: { baseUrl: `${server.url}/v1` } }).listModels());
		expect(error.code).toBe('bad_request');
		expect(error.message).toContain('Base URL');
		expect(error.message).not.toMatch(/undefined|ollama pull/);
	});

	it('reports a server error as server_error', async () => {
		server.respondToTags({ status: 500, error: 'disk full' });
		const error = await llmError(client().listModels());
		expect(error.code).toBe('server_error');
		expect(error.message).toContain('disk full');
	});

	it('reports an unreachable server as unreachable', async () => {
		const baseUrl = `http://127.0.0.1:${await closedPort()}`;
		expect((await llmError(client({ connection: { baseUrl } }).listModels())).code).toBe('unreachable');
	});
});

describe('LlmClient: replies that are not Ollama\'s', () => {
	function spyOnConsole() {
		return (['log', 'warn', 'error', 'info', 'debug'] as const).map((name) => jest.spyOn(console, name).mockImplementation(() => undefined));
	}

	it('reports an HTML page with status 200 as not_ollama after exactly one call, naming the Base URL', async () => {
		const spies = spyOnConsole();
		server.respondWith(() => ({ body: '<!doctype html>\n<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>\n', contentType: 'text/html' }));
		const error = await llmError(client().generateStructured(request()));
		expect(error.code).toBe('not_ollama');
		expect(error.retryable).toBe(false);
		expect(error.baseUrl).toBe(server.url);
		expect(error.message).toContain(`${server.url} answered, but not like an Ollama server`);
		expect(error.message).toContain('Base URL');
		expect(server.chatRequests()).toHaveLength(1);
		for (const spy of spies) expect(spy).not.toHaveBeenCalled();
	});

	it('fails 5 MB of non-JSON quickly with not_ollama and writes nothing to the console', async () => {
		const spies = spyOnConsole();
		server.respondWith(() => ({ body: 'this is not json at all\n'.repeat(220_000), contentType: 'application/x-ndjson' }));
		const started = Date.now();
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('not_ollama');
		expect(error.message.length).toBeLessThan(1_000);
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(server.chatRequests()).toHaveLength(1);
		for (const spy of spies) expect(spy).not.toHaveBeenCalled();
	});

	it('reports NDJSON lines that start like JSON but do not parse as not_ollama, without console output', async () => {
		const spies = spyOnConsole();
		server.respondWith(() => ({ body: '{"model": "test-model", oops}\n'.repeat(10), contentType: 'application/x-ndjson' }));
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('not_ollama');
		expect(server.chatRequests()).toHaveLength(1);
		for (const spy of spies) expect(spy).not.toHaveBeenCalled();
	});

	it('reports JSON lines without Ollama\'s "done" field as not_ollama', async () => {
		server.respondWith(() => ({ body: '{"choices": [{"delta": {"content": "hi"}}]}\n', contentType: 'application/x-ndjson' }));
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('not_ollama');
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('writes nothing to the console for an error page that is not JSON (404 page not found)', async () => {
		const spies = spyOnConsole();
		const error = await llmError(client({ connection: { baseUrl: `${server.url}/v1` } }).chat('test-model', []));
		expect(error.code).toBe('bad_request');
		expect(error.message).toContain('404 page not found');
		for (const spy of spies) expect(spy).not.toHaveBeenCalled();
	});

	it('reports an HTML page at /api/tags as not_ollama', async () => {
		const page = await startHtmlServer();
		try {
			const error = await llmError(client({ connection: { baseUrl: page.url } }).listModels());
			expect(error.code).toBe('not_ollama');
			expect(error.retryable).toBe(false);
		} finally {
			await page.close();
		}
	});
});

describe('LlmClient: reply size and depth limits', () => {
	it('stops reading a reply longer than maxReplyBytes with reply_too_large, keeping only its head and tail', async () => {
		server.respondWith(() => ({ content: 'a'.repeat(10_000) + 'b'.repeat(30_000) + 'z'.repeat(10_000) }));
		const error = await llmError(client({ maxReplyBytes: 20_000 }).chat('test-model', []));
		expect(error.code).toBe('reply_too_large');
		expect(error.retryable).toBe(false);
		expect(error).toBeInstanceOf(LlmReplyTooLargeError);
		const tooLarge = error as LlmReplyTooLargeError;
		expect(tooLarge.limitBytes).toBe(20_000);
		expect(tooLarge.message).toContain('20000 bytes');
		expect(tooLarge.rawReply.length).toBeLessThan(10_000);
		expect(tooLarge.rawReply.startsWith('aaaa')).toBe(true);
		expect(tooLarge.rawReply.endsWith('bbbb')).toBe(true);
		expect(tooLarge.rawReply).toMatch(/characters left out/);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('caps a reply at 2 MB by default and aborts the request while it is still streaming', async () => {
		server.respondWith(() => ({ content: 'x'.repeat(64 * 1024), chunkChars: 64 * 1024, endless: true, chunkDelayMs: 2 }));
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 20_000 }).chat('test-model', []));
		expect(error.code).toBe('reply_too_large');
		expect((error as LlmReplyTooLargeError).limitBytes).toBe(2 * 1024 * 1024);
		expect(Date.now() - started).toBeLessThan(5_000);
		await waitFor(() => server.chatRequests()[0].closedByClient === true);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('refuses a reply of 3 MB sent in large chunks (the whole reply, not only one chunk, counts)', async () => {
		server.enqueue({ content: 'y'.repeat(3 * 1024 * 1024), chunkChars: 256 * 1024 });
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('reply_too_large');
	});

	it('refuses one 5 MB NDJSON line without waiting for its end', async () => {
		const line = `${JSON.stringify({ model: 'test-model', message: { role: 'assistant', content: 'q'.repeat(5 * 1024 * 1024) }, done: true, done_reason: 'stop' })}\n`;
		server.enqueue({ body: line, contentType: 'application/x-ndjson' });
		const started = Date.now();
		const error = await llmError(client().chat('test-model', []));
		expect(error.code).toBe('reply_too_large');
		expect((error as LlmReplyTooLargeError).rawReply.length).toBeLessThan(10_000);
		expect(Date.now() - started).toBeLessThan(3_000);
	});

	it('counts the bytes of the reply, not its characters (multi-byte UTF-8)', async () => {
		// 4 000 characters of 3 bytes each: 12 000 bytes.
		server.enqueue({ content: '€'.repeat(4_000) });
		expect((await llmError(client({ maxReplyBytes: 10_000 }).chat('test-model', []))).code).toBe('reply_too_large');
		server.enqueue({ content: '€'.repeat(3_000) });
		await expect(client({ maxReplyBytes: 10_000 }).chat('test-model', [])).resolves.toMatchObject({ content: '€'.repeat(3_000) });
	});

	it('keeps only the head and tail of a long invalid reply in LlmOutputError.rawReply', async () => {
		server.respondWith(() => ({ content: `START${'m'.repeat(1_000_000)}END`, chunkChars: 64 * 1024 }));
		const error = (await llmError(client().generateStructured(request({ maxRepairs: 0 })))) as LlmOutputError;
		expect(error.code).toBe('invalid_output');
		expect(error.rawReply.length).toBeLessThan(10_000);
		expect(error.rawReply.startsWith('START')).toBe(true);
		expect(error.rawReply.endsWith('END')).toBe(true);
	});

	it('repairs a reply nested 100 000 levels deep instead of failing with a RangeError', async () => {
		const deep = `{"answer": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "n": 1}`;
		server.enqueue({ content: deep, chunkChars: 64 * 1024 }, { content: valid });
		const result = await client().generateStructured(request({ schema: { type: 'object', properties: { answer: {}, n: { type: 'integer' } }, required: ['answer', 'n'] } }));
		expect(result.repairs).toBe(1);
		const repair = messagesOf(server.chatRequests()[1])[3].content;
		expect(repair).toContain('nested deeper than 64 levels');
	});

	it('refuses a maxReplyBytes that is not a positive number', () => {
		expect(() => client({ maxReplyBytes: 0 })).toThrow(RangeError);
		expect(() => client({ maxReplyBytes: Number.NaN })).toThrow(RangeError);
	});
});

describe('LlmClient: usage from the server', () => {
	it('keeps usage finite when the server reports absurd token counts, even added up over repairs', async () => {
		server.enqueue({ content: 'not json', promptTokens: 1e308, completionTokens: 1e308 }, { content: valid, promptTokens: 1e308, completionTokens: -5 });
		const result = await client().generateStructured(request());
		expect(result.repairs).toBe(1);
		for (const value of Object.values(result.usage)) expect(Number.isSafeInteger(value)).toBe(true);
		expect(result.usage.promptTokens).toBe(Number.MAX_SAFE_INTEGER);
		expect(result.usage.totalTokens).toBe(Number.MAX_SAFE_INTEGER);
		expect(JSON.parse(JSON.stringify(result.usage))).toEqual(result.usage);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > until) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** A web server answering every request with an HTML page and status 200. */
async function startHtmlServer(): Promise<{ url: string; close: () => Promise<void> }> {
	const web = createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/html' });
		res.end('<!doctype html><html><body>It works!</body></html>');
	});
	await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
	const { port } = web.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () => {
			web.closeAllConnections();
			return new Promise<void>((resolve) => web.close(() => resolve()));
		},
	};
}
