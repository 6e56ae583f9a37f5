import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialTestFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import { getModels } from '../../../nodes/shared/loadModels';
import { testOllamaCredential } from '../../../nodes/shared/ollamaCredentials';
import { OllamaTestServer } from '../../support/ollamaTestServer';

function credentialTest(baseUrl: string, apiKey = '') {
	return testOllamaCredential.call({} as ICredentialTestFunctions, {
		id: 'c1',
		name: 'Ollama',
		type: 'aiCompanyOllamaApi',
		data: { baseUrl, apiKey },
	});
}

describe('Ollama credential test button', () => {
	let server: OllamaTestServer;
	let guarded: OllamaTestServer;
	let webPage: Server;
	let webPageUrl: string;

	beforeAll(async () => {
		server = await OllamaTestServer.start({ models: ['llama3.2:latest'] });
		guarded = await OllamaTestServer.start({ apiKey: 'secret' });
		webPage = createServer((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/html' });
			res.end('<html><body>Welcome to nginx!</body></html>');
		});
		await new Promise<void>((resolve) => webPage.listen(0, '127.0.0.1', resolve));
		webPageUrl = `http://127.0.0.1:${(webPage.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		await Promise.all([server.close(), guarded.close(), new Promise((resolve) => webPage.close(resolve))]);
	});

	it('says OK with the server version and how many models it has', async () => {
		await expect(credentialTest(server.url)).resolves.toEqual({ status: 'OK', message: 'Connected to Ollama 0.12.6, 1 model(s)' });
	});

	it('says nothing answers at the base URL', async () => {
		const result = await credentialTest('http://127.0.0.1:9');
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Cannot reach Ollama at http:\/\/127\.0\.0\.1:9/);
	});

	it('says the server refused the API key (401)', async () => {
		const result = await credentialTest(guarded.url, 'wrong');
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/HTTP 401.*API Key/);
		await expect(credentialTest(guarded.url, 'secret')).resolves.toMatchObject({ status: 'OK' });
	});

	it('says the base URL answers but is not Ollama', async () => {
		const result = await credentialTest(webPageUrl);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/not like an Ollama server/);
	});

	it('refuses a base URL that is not http(s)', async () => {
		const result = await credentialTest('localhost:11434');
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/not an http\(s\) URL/) });
	});
});

describe('Model dropdown', () => {
	it('lists the models the Ollama server has, sorted, with their size', async () => {
		const server = await OllamaTestServer.start({ models: ['qwen2.5-coder:7b', 'llama3.2:latest'] });
		try {
			const context = {
				getCurrentNodeParameter: (name: string) => (name === 'authentication' ? 'aiCompanyOllamaApi' : undefined),
				getNodeParameter: () => undefined,
				getCredentials: async () => ({ baseUrl: server.url, apiKey: '' }),
				getNode: () => ({ name: 'AI Planner' }),
			} as unknown as ILoadOptionsFunctions;
			const options = await getModels.call(context);
			expect(options.map((o) => o.value)).toEqual(['llama3.2:latest', 'qwen2.5-coder:7b']);
			expect(options[0].description).toContain('7B');
		} finally {
			await server.close();
		}
	});
});
