import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LlmClient } from '../../../runtime/llm/llmClient';
import { llmError } from '../../support/llmErrors';

// An error status whose body is a web page (a proxy's or load balancer's, not Ollama's JSON): the
// error says what the page says, briefly: its title, or else its text without the tags.

const servers: Server[] = [];
afterEach(async () => {
	for (const server of servers.splice(0)) {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
});

async function answering(status: number, body: string): Promise<string> {
	const server = createServer((_req, res) => {
		res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end(body);
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failureOf(baseUrl: string) {
	const client = new LlmClient({ connection: { baseUrl }, timeoutMs: 5_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 } });
	return llmError(client.chat('test-model', [{ role: 'user', content: 'hi' }]));
}

describe('an error page instead of Ollama', () => {
	it("is named by the page's title", async () => {
		const baseUrl = await answering(502, '<!DOCTYPE html>\n<html><head><title lang="en">502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>');
		const error = await failureOf(baseUrl);
		expect(error.status).toBe(502);
		expect(error.message).toBe(`Ollama at ${baseUrl} answered HTTP 502: 502 Bad Gateway`);
	});

	it('without a title, by its text with the tags taken out', async () => {
		const baseUrl = await answering(503, '<html><body><p>Service</p><p>unavailable:</p><div><b>maintenance</b> until 10:00</div></body></html>');
		const error = await failureOf(baseUrl);
		expect(error.message).toBe(`Ollama at ${baseUrl} answered HTTP 503: Service unavailable: maintenance until 10:00`);
	});
});
