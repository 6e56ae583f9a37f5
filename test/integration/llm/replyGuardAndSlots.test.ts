import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CallLimiter } from '../../../runtime/llm/callLimiter';
import { LlmClient, type LlmSettings } from '../../../runtime/llm/llmClient';
import { OllamaTestServer } from '../../support/ollamaTestServer';
import { llmError } from '../../support/llmErrors';

// The LlmClient against real HTTP servers: a streamed answer that is not Ollama's is refused at its
// first byte, the size limit is named in bytes (and MiB), and calls sharing a worker's model slots
// spend their Timeout only once their first request has started.

let server: OllamaTestServer;
const others: Server[] = [];

beforeEach(async () => {
	server = await OllamaTestServer.start();
});

afterEach(async () => {
	await server.close();
	for (const other of others.splice(0)) {
		other.closeAllConnections();
		await new Promise<void>((resolve) => other.close(() => resolve()));
	}
});

const valid = JSON.stringify({ answer: 'yes' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function client(overrides: Partial<LlmSettings> = {}): LlmClient {
	return new LlmClient({ connection: { baseUrl: server.url }, timeoutMs: 5_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 }, ...overrides });
}

/** A server that answers 200 with `start` and then sends nothing more, keeping the connection open. */
async function startsAndHangs(start: string, contentType: string): Promise<string> {
	const other = createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': contentType });
		res.write(start);
	});
	others.push(other);
	await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
}

describe('a streamed answer that is not Ollama', () => {
	it('is refused at its first byte, without waiting for the line to end, quoting how it starts', async () => {
		const page = `<html><body>${'x'.repeat(300)}`;
		const baseUrl = await startsAndHangs(page, 'text/html; charset=utf-8');
		const started = Date.now();
		const error = await llmError(client({ connection: { baseUrl }, timeoutMs: 4_000 }).chat('test-model', []));
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(error.code).toBe('not_ollama');
		// The first 200 bytes are decoded, then quoted on one line of at most 80 characters.
		expect(error.message).toContain(`(HTTP 200 text/html starting "${page.slice(0, 80)}…", not JSON)`);
	});

	it('skips blank space and a byte order mark before the first byte it judges', async () => {
		const baseUrl = await startsAndHangs('\ufeff \r\n\t<!doctype html>', 'text/html');
		const error = await llmError(client({ connection: { baseUrl }, timeoutMs: 4_000 }).chat('test-model', []));
		expect(error.code).toBe('not_ollama');
		expect(error.message).toContain('starting "<!doctype html>", not JSON');
	});
});

describe('the reply size limit, as the error names it', () => {
	it.each([
		[20_000, '20000 bytes;'],
		[1024 * 1024, '1048576 bytes (1 MiB);'],
		[2.5 * 1024 * 1024, '2621440 bytes (2.5 MiB);'],
	])('names a limit of %d bytes as "%s"', async (limit, named) => {
		server.respondWith(() => ({ content: 'a'.repeat(limit + 70_000), chunkChars: 64 * 1024 }));
		const error = await llmError(client({ maxReplyBytes: limit }).chat('test-model', []));
		expect(error.code).toBe('reply_too_large');
		expect(error.message).toContain(`grew past the limit of ${named}`);
	});
});

describe('calls sharing model slots (CallLimiter)', () => {
	it("waits in the slots as its owner's (the project's), so a project with no call going is served first", async () => {
		const limiter = new CallLimiter(1);
		const order: string[] = [];
		server.respondWith((request) => {
			order.push(String((request.body?.messages as Array<{ content: string }>)[0].content));
			return { content: valid, delayMs: 50 };
		});
		const big = client({ limiter, limiterOwner: 'big' });
		const small = client({ limiter, limiterOwner: 'small' });
		const calls = ['big 1', 'big 2', 'big 3'].map((content) => big.chat('test-model', [{ role: 'user', content }]));
		await sleep(10);
		calls.push(small.chat('test-model', [{ role: 'user', content: 'small 1' }]));
		await Promise.all(calls);
		expect(order).toEqual(['big 1', 'small 1', 'big 2', 'big 3']);
	});

	it('does not count the wait for a free slot against the Timeout', async () => {
		const limiter = new CallLimiter(1);
		const holder = limiter.run(() => sleep(600));
		server.enqueue({ content: valid });
		const reply = await client({ limiter, timeoutMs: 300 }).chat('test-model', []);
		expect(reply.content).toBe(valid);
		await holder;
	});

	it('ends a retry waiting for a slot at the deadline, as a timeout', async () => {
		const limiter = new CallLimiter(1);
		server.enqueue({ status: 503, delayMs: 100 }, { content: valid });
		const llm = client({ limiter, timeoutMs: 600, retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 50 } });
		const started = Date.now();
		const call = llmError(llm.chat('test-model', []));
		// Queued behind the first attempt: it gets the slot when that attempt's 503 frees it, and keeps it.
		await sleep(30);
		const holder = limiter.run(() => sleep(2_500));
		const error = await call;
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(error.code).toBe('timeout');
		expect(error.message).toContain('did not finish the reply of model "test-model" within 600 ms');
		expect(server.chatRequests()).toHaveLength(1);
		await holder;
	});

	it('ends the wait for a slot when the execution is cancelled, saying so', async () => {
		const limiter = new CallLimiter(1);
		const holder = limiter.run(() => sleep(1_000));
		const controller = new AbortController();
		const call = llmError(client({ limiter, signal: controller.signal }).chat('test-model', []));
		await sleep(50);
		controller.abort();
		const error = await call;
		expect(error.code).toBe('cancelled');
		expect(error.message).toBe('The execution was cancelled while waiting for a free model slot');
		expect(error.baseUrl).toBe(server.url);
		expect(error.model).toBe('test-model');
		expect(server.chatRequests()).toHaveLength(0);
		await holder;
	});
});
