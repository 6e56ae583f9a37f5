import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LlmError } from '../../../runtime/llm/errors';
import { probeOllama } from '../../../runtime/llm/probeOllama';
import { OllamaTestServer, type TestServerOptions } from '../../support/ollamaTestServer';
import { closedPort } from '../../support/ports';

// probeOllama behind the credential's Test button and the health check, in-process against real
// HTTP servers: the Ollama test server, and small servers that answer the way other things do.

const servers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function ollama(options: TestServerOptions = {}): Promise<OllamaTestServer> {
	const server = await OllamaTestServer.start(options);
	servers.push(server);
	return server;
}

/** A server answering every request with `handler`. */
async function other(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
	const server: Server = createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push({
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	});
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function refusal(promise: Promise<unknown>): Promise<LlmError> {
	const error = await promise.then(
		() => {
			throw new Error('expected the probe to fail');
		},
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(LlmError);
	return error as LlmError;
}

describe('probing an Ollama server for the credential test', () => {
	it('returns the server version and the names of its models', async () => {
		const server = await ollama({ models: ['llama3.2:3b', 'qwen2.5-coder:7b'] });
		await expect(probeOllama({ baseUrl: server.url })).resolves.toEqual({ version: '0.12.6', models: ['llama3.2:3b', 'qwen2.5-coder:7b'] });
	});

	it('accepts a Base URL with a trailing slash or /api, and sends the API key as a bearer token', async () => {
		const server = await ollama({ apiKey: 'k3y' });
		await expect(probeOllama({ baseUrl: `${server.url}/api/`, apiKey: 'k3y' })).resolves.toMatchObject({ version: '0.12.6' });
		expect(server.requests.map((r) => r.path)).toEqual(['/api/version', '/api/tags']);
		expect(server.requests.every((r) => r.headers.authorization === 'Bearer k3y')).toBe(true);
	});

	it('refuses a Base URL that is not http(s) before sending anything, naming it', async () => {
		for (const baseUrl of ['ftp://127.0.0.1:11434', '127.0.0.1:11434', 'http://']) {
			const error = await refusal(probeOllama({ baseUrl }));
			expect(error.code).toBe('bad_request');
			expect(error.message).toContain(`Base URL "${baseUrl}" is not an http(s) URL`);
		}
	});

	it('says nothing is there when the port is closed', async () => {
		const error = await refusal(probeOllama({ baseUrl: `http://127.0.0.1:${await closedPort()}` }));
		expect(error.code).toBe('unreachable');
	});

	it('says the credentials were refused on 401', async () => {
		const server = await ollama({ apiKey: 'right' });
		const error = await refusal(probeOllama({ baseUrl: server.url, apiKey: 'wrong' }));
		expect(error.code).toBe('auth_failed');
		expect(error.status).toBe(401);
	});

	it('says a web page is not Ollama', async () => {
		const url = await other((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<!doctype html><html><title>Router</title></html>');
		});
		const error = await refusal(probeOllama({ baseUrl: url }));
		expect(error.code).toBe('not_ollama');
		expect(error.message).toContain(url);
	});

	it('says JSON without a "version" field is not Ollama', async () => {
		const url = await other((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"name":"some other API"}');
		});
		const error = await refusal(probeOllama({ baseUrl: url }));
		expect(error.code).toBe('not_ollama');
		expect(error.message).toBe(`${url} answered, but not like an Ollama server (GET /api/version has no "version" field): check the Base URL`);
		expect(error.baseUrl).toBe(url);
	});

	it('says another API that has no /api/version (404) or fails it (500) is not Ollama, quoting what it said', async () => {
		for (const status of [404, 500]) {
			const url = await other((_req, res) => {
				res.writeHead(status, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ error: `no route here (${status})` }));
			});
			const error = await refusal(probeOllama({ baseUrl: url }));
			expect(error.code).toBe('not_ollama');
			expect(error.message).toContain(`no route here (${status})`);
			expect(error.message).toMatch(/: check the Base URL$/);
		}
	});

	it('gives up at the timeout, saying how long it waited', async () => {
		const url = await other(() => undefined);
		const started = Date.now();
		const error = await refusal(probeOllama({ baseUrl: url }, 300));
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(error.code).toBe('timeout');
		expect(error.message).toBe(`${url} did not answer within 0.3 s: check the Base URL`);
		expect(error.baseUrl).toBe(url);
	});

	it('reports a failing model list as it is, once the version answered', async () => {
		const server = await ollama();
		server.respondToTags({ status: 500, error: 'disk on fire' });
		const error = await refusal(probeOllama({ baseUrl: server.url }));
		expect(error.code).toBe('server_error');
		expect(error.message).toContain('disk on fire');
	});
});
