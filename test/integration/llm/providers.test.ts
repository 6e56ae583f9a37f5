import { inspect } from 'node:util';

import { CallLimiter } from '../../../runtime/llm/callLimiter';
import { LlmOutputError } from '../../../runtime/llm/errors';
import { LlmClient, type LlmSettings, type StructuredRequest } from '../../../runtime/llm/llmClient';
import { AnthropicTestServer } from '../../support/anthropicTestServer';
import { llmError } from '../../support/llmErrors';
import { OpenAiTestServer } from '../../support/openaiTestServer';
import type { RecordedRequest, ScriptedApiServer } from '../../support/scriptedApiServer';

// Every guarantee of the Ollama path, for the OpenAI-compatible and the Anthropic providers, through
// the official SDKs against real HTTP servers speaking each API: structured output validated and
// repaired, the reply-size cap on an endless stream, the whole-call timeout, cancel closing the call
// in flight, fair slots between projects, and each HTTP failure as its LlmError, the key in none.

const KEY = 'sk-test-4f9a0c1e7b2d5a8f3c6e9b1d';

interface Kind {
	provider: 'openai' | 'anthropic';
	label: RegExp;
	model: string;
	start(): Promise<ScriptedApiServer & { url: string }>;
}

const KINDS: Kind[] = [
	{ provider: 'openai', label: /OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1/, model: 'gpt-test', start: () => OpenAiTestServer.start({ apiKey: KEY }) },
	{ provider: 'anthropic', label: /Anthropic API at http:\/\/127\.0\.0\.1:\d+/, model: 'claude-test', start: () => AnthropicTestServer.start({ apiKey: KEY }) },
];

const schema = { type: 'object', required: ['answer'], properties: { answer: { type: 'string', enum: ['yes', 'no'] } }, additionalProperties: false };
const valid = JSON.stringify({ answer: 'yes' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const noRetry = { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };

/** Resolves once `holds` is true, checking every 20 ms for at most 3 s. */
async function until(what: string, holds: () => boolean): Promise<void> {
	for (const deadline = Date.now() + 3_000; !holds(); await sleep(20)) {
		if (Date.now() > deadline) throw new Error(`${what}: not within 3 s`);
	}
}

/** The text of the messages a request sent (OpenAI's messages, Anthropic's system and messages). */
function sentText(request: RecordedRequest): string {
	return JSON.stringify([request.body?.system ?? '', request.body?.messages ?? []]);
}

describe.each(KINDS)('the $provider provider', (kind) => {
	let server: ScriptedApiServer & { url: string };
	const reference = `${kind.provider}:${kind.model}`;

	beforeEach(async () => {
		server = await kind.start();
	});

	afterEach(async () => {
		await server.close();
	});

	function client(overrides: Partial<LlmSettings> = {}, apiKey = KEY): LlmClient {
		return new LlmClient({
			// Ollama is not running: nothing here may reach it.
			connection: { baseUrl: 'http://127.0.0.1:9' },
			providers: { [kind.provider]: { baseUrl: server.url, apiKey } },
			timeoutMs: 5_000,
			retry: noRetry,
			...overrides,
		});
	}

	function request(overrides: Partial<StructuredRequest<{ answer: string }>> = {}): StructuredRequest<{ answer: string }> {
		return { model: reference, system: 'You answer.', prompt: 'Is it?', schema, maxRepairs: 1, ...overrides };
	}

	it('returns a streamed structured reply, validated, with its usage, asking with the schema the API\'s way', async () => {
		server.enqueue({ content: valid, promptTokens: 11, completionTokens: 7, chunkChars: 3 });
		const result = await client().generateStructured(request());
		expect(result).toMatchObject({ value: { answer: 'yes' }, model: reference, repairs: 0 });
		expect(result.usage).toMatchObject({ promptTokens: 11, completionTokens: 7, totalTokens: 18, calls: 1 });
		const [sent] = server.chatRequests();
		expect(sent.body).toMatchObject({ model: kind.model, stream: true });
		if (kind.provider === 'openai') {
			expect(sent.body?.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'reply', schema } });
		} else {
			expect(sent.body).toMatchObject({ system: 'You answer.', tools: [{ name: 'reply', input_schema: schema }], tool_choice: { type: 'tool', name: 'reply' } });
			expect(sent.headers['anthropic-version']).toBeDefined();
		}
	});

	it('repairs a reply outside the schema by asking again, quoting what was wrong', async () => {
		server.enqueue({ content: JSON.stringify({ answer: 'maybe' }) }, { content: valid });
		const result = await client().generateStructured(request());
		expect(result).toMatchObject({ value: { answer: 'yes' }, repairs: 1 });
		expect(result.usage.calls).toBe(2);
		const second = server.chatRequests()[1];
		expect(sentText(second)).toContain('Your previous reply could not be used because');
		expect(sentText(second)).toContain('maybe');
	});

	it('fails with invalid_output when the repairs run out', async () => {
		server.respondWith(() => ({ content: 'not json at all' }));
		const error = await llmError(client().generateStructured(request({ maxRepairs: 1 })));
		expect(error).toBeInstanceOf(LlmOutputError);
		expect(server.chatRequests()).toHaveLength(2);
	});

	it('stops an endless stream at the reply-size cap and closes the request', async () => {
		server.enqueue({ content: 'abcdefgh'.repeat(512), endless: true, chunkChars: 1024 });
		const started = Date.now();
		const error = await llmError(client({ maxReplyBytes: 20_000 }).chat(reference, [{ role: 'user', content: 'go' }], { format: schema }));
		expect(error.code).toBe('reply_too_large');
		expect(error.message).toContain('grew past the limit of 20000 bytes');
		expect(Date.now() - started).toBeLessThan(3_000);
		await until('the server sees the client close the request', () => server.chatRequests()[0].closedByClient === true);
	});

	it('ends the whole call at its timeout, mid-stream, and closes the request', async () => {
		server.enqueue({ content: valid, hangMidStream: true, chunkChars: 2 });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 400 }).generateStructured(request()));
		expect(error.code).toBe('timeout');
		expect(error.retryable).toBe(true);
		expect(error.message).toMatch(kind.label);
		expect(error.message).toContain('within 400 ms');
		expect(Date.now() - started).toBeLessThan(2_000);
		await until('the server sees the client close the request', () => server.chatRequests()[0].closedByClient === true);
	});

	it('closes the call in flight when the execution is cancelled', async () => {
		server.enqueue({ content: valid, hangMidStream: true, chunkChars: 2 });
		const controller = new AbortController();
		const call = llmError(client({ signal: controller.signal }).generateStructured(request()));
		await until('the request arrives', () => server.chatRequests().length === 1);
		await sleep(100);
		controller.abort();
		const error = await call;
		expect(error.code).toBe('cancelled');
		expect(error.retryable).toBe(false);
		await until('the server sees the client close the request', () => server.chatRequests()[0].closedByClient === true);
	});

	it("shares its provider's slots fairly: a project with no call going is served before a busy one's queue", async () => {
		const slots = new CallLimiter(1);
		// The other providers' slots are all taken: only this provider's own may be used.
		const ollamaSlots = new CallLimiter(1);
		let release = () => undefined as void;
		const holder = ollamaSlots.run(() => new Promise<void>((resolve) => (release = resolve)));
		const order: string[] = [];
		server.respondWith((sent) => {
			order.push(/(big|small) \d/.exec(sentText(sent))![0]);
			return { content: valid, delayMs: 50 };
		});
		const limiters = { [kind.provider]: slots, ollama: ollamaSlots };
		const big = client({ limiters, limiter: ollamaSlots, limiterOwner: 'big' });
		const small = client({ limiters, limiter: ollamaSlots, limiterOwner: 'small' });
		const calls = ['big 1', 'big 2', 'big 3'].map((content) => big.chat(reference, [{ role: 'user', content }]));
		await sleep(10);
		calls.push(small.chat(reference, [{ role: 'user', content: 'small 1' }]));
		await Promise.all(calls);
		expect(order).toEqual(['big 1', 'small 1', 'big 2', 'big 3']);
		expect(server.peakInFlight).toBe(1);
		release();
		await holder;
	});

	it('reports a refused key (401) as auth_failed naming the provider, without retrying and without the key', async () => {
		const error = await llmError(client({ retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 1 } }, 'sk-wrong-key-0000111122223333').generateStructured(request()));
		expect(error.code).toBe('auth_failed');
		expect(error.retryable).toBe(false);
		expect(error.provider).toBe(kind.provider);
		expect(error.message).toMatch(kind.label);
		expect(error.message).toContain(kind.provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY');
		// The server quoted the key back; neither it nor its ends are kept anywhere in the error.
		for (const text of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error)]) {
			expect(text).not.toContain('sk-wrong-key-0000111122223333');
			expect(text).not.toContain('22223333');
		}
		expect(server.chatRequests()).toHaveLength(1);
	});

	it('reports a model the server does not have as model_not_found', async () => {
		const error = await llmError(client().chat(`${kind.provider}:no-such-model`, []));
		expect(error.code).toBe('model_not_found');
		expect(error.message).toContain('Model "no-such-model" is not available');
		expect(error.retryable).toBe(false);
	});

	it('waits at least the Retry-After of a 429 before trying again', async () => {
		server.enqueue({ status: 429, error: 'slow down', retryAfter: '1' }, { content: valid });
		const result = await client({ retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 10 } }).generateStructured(request());
		expect(result.value).toEqual({ answer: 'yes' });
		const [first, second] = server.chatRequests();
		expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1_000);
	});

	it('gives up on a 429 at once when its Retry-After ends after the whole-call timeout', async () => {
		server.enqueue({ status: 429, error: 'slow down', retryAfter: '30' }, { content: valid });
		const started = Date.now();
		const error = await llmError(client({ timeoutMs: 2_000, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 10 } }).chat(reference, []));
		expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 30_000, retryable: true });
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(server.chatRequests()).toHaveLength(1);
	});

	it.each(kind.provider === 'anthropic' ? [500, 503, 529] : [500, 503])('retries a %i as a transient server_error', async (status) => {
		server.enqueue({ status, error: 'busy' }, { content: valid });
		const result = await client({ retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } }).generateStructured(request());
		expect(result.value).toEqual({ answer: 'yes' });
		expect(result.usage.calls).toBe(2);
		server.enqueue({ status, error: 'busy' });
		const error = await llmError(client().chat(reference, []));
		expect(error).toMatchObject({ code: 'server_error', status, retryable: true });
	});

	it('never writes the key to the console, whatever fails', async () => {
		const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((level) => jest.spyOn(console, level).mockImplementation(() => undefined));
		try {
			server.enqueue({ status: 500, error: `upstream said ${KEY}` }, { content: valid, dropMidStream: true, chunkChars: 2 });
			const errors = [await llmError(client().chat(reference, [])), await llmError(client().chat(reference, []))];
			await llmError(client({}, 'sk-other-key-99998888777766665555').chat(reference, []));
			for (const error of errors) expect(inspect(error, { depth: 10 })).not.toContain(KEY);
			expect(errors.map((e) => e.code)).toEqual(['server_error', 'unreachable']);
			for (const spy of spies) expect(spy).not.toHaveBeenCalled();
		} finally {
			for (const spy of spies) spy.mockRestore();
		}
	});

	it('lists the server\'s models as references of the provider', async () => {
		server.models = ['m-one', 'm-two'];
		const models = await client().listModels(kind.provider);
		expect(models).toEqual([
			{ name: `${kind.provider}:m-one`, provider: kind.provider },
			{ name: `${kind.provider}:m-two`, provider: kind.provider },
		]);
	});
});

describe('the OpenAI-compatible provider and a server that refuses JSON schemas', () => {
	let server: OpenAiTestServer;

	beforeEach(async () => {
		server = await OpenAiTestServer.start({ apiKey: KEY, refuseSchemas: true });
	});

	afterEach(async () => {
		await server.close();
	});

	it('falls back to json_object with the schema in the prompt, and asks that server so from then on', async () => {
		server.respondWith(() => ({ content: valid }));
		const llm = new LlmClient({ connection: { baseUrl: 'http://127.0.0.1:9' }, providers: { openai: { baseUrl: server.url, apiKey: KEY } }, timeoutMs: 5_000, retry: noRetry });
		const ask = { model: 'openai:gpt-test', system: 'You answer.', prompt: 'Is it?', schema, maxRepairs: 0 };
		expect((await llm.generateStructured(ask)).value).toEqual({ answer: 'yes' });
		expect((await llm.generateStructured(ask)).value).toEqual({ answer: 'yes' });
		const formats = server.chatRequests().map((r) => (r.body?.response_format as { type: string }).type);
		expect(formats).toEqual(['json_schema', 'json_object', 'json_object']);
		const fallback = server.chatRequests()[1].body?.messages as Array<{ role: string; content: string }>;
		expect(fallback[0]).toEqual({ role: 'system', content: `Reply with one JSON object that satisfies this JSON schema:\n${JSON.stringify(schema)}` });
	});
});

describe('a model reference to a provider the client has not configured', () => {
	it('fails as a bad request naming the provider, before any call', async () => {
		const llm = new LlmClient({ connection: { baseUrl: 'http://127.0.0.1:9' }, timeoutMs: 1_000 });
		const error = await llmError(llm.chat('anthropic:claude-test', []));
		expect(error.code).toBe('bad_request');
		expect(error.message).toContain('names provider "anthropic", which this service has not configured');
	});
});
