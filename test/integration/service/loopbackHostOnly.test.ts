import { request } from 'node:http';

import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from './support';

// Without API_TOKEN the service listens on loopback only, and nothing but the machine itself may
// drive it. A web page the operator opens can still reach it through DNS rebinding (its own name
// made to resolve to 127.0.0.1): the browser then sends that name as Host, and its Origin matches
// it. So without a token every request must be addressed to a loopback name.

const harness = new ServiceHarness();
let service: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	service = await harness.start({}, 'api');
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
});

/** A request with the Host header a rebinding page's browser would send. */
function send(method: string, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
	const { port } = new URL(service.url!);
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port, method, path, headers: { host, ...headers } }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (body += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('error', reject);
		req.end(method === 'POST' ? '{}' : undefined);
	});
}

describe('a service without API_TOKEN answers only requests addressed to loopback', () => {
	it('refuses the API, the dashboard and its posts when Host names another site', async () => {
		const { port } = new URL(service.url!);
		const evil = `rebind.attacker.example:${port}`;
		const list = await send('GET', '/api/projects', evil);
		expect(list.status).toBe(421);
		expect(list.body).toContain('API_TOKEN');
		expect(list.body).not.toContain('"projects"');
		expect((await send('GET', '/ui/', evil, { accept: 'text/html' })).status).toBe(421);
		expect((await send('POST', '/api/projects', evil, { 'content-type': 'application/json', origin: `http://${evil}` })).status).toBe(421);
		expect((await send('GET', '/ui/queues/api/queues', evil)).status).toBe(421);
	});

	it('answers when Host is localhost, 127.0.0.1, [::1] or a *.localhost name', async () => {
		const { port } = new URL(service.url!);
		for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `app.localhost:${port}`, `127.0.0.2:${port}`]) {
			expect({ host, status: (await send('GET', '/api/projects', host)).status }).toEqual({ host, status: 200 });
		}
		expect((await send('GET', '/health', `localhost:${port}`)).status).toBe(200);
	});
});
