// The service sends requests only where its operator allows (OUTBOUND_ALLOW): against the real
// service process, a refused literal target is a 400 naming the field when it is registered, a
// name resolving to a refused address fails its delivery for good (log and /metrics), no redirect
// is followed, and the allow-list opens a CIDR and a host name.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique } from './support';

/** Records every request; `/moved` answers 302 to `/target` on the same receiver. */
class Receiver {
	readonly hits: string[] = [];
	private constructor(
		private readonly server: Server,
		private readonly host: string,
	) {}

	static async start(host: string): Promise<Receiver> {
		let receiver: Receiver | undefined;
		const server = createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				receiver!.hits.push(req.url ?? '/');
				if (req.url === '/moved') res.writeHead(302, { location: receiver!.url('/target') }).end();
				else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			});
		});
		receiver = new Receiver(server, host);
		await new Promise<void>((resolve) => server.listen(0, host, resolve));
		return receiver;
	}

	get port(): number {
		return (this.server.address() as AddressInfo).port;
	}

	url(path: string, host = this.host): string {
		return `http://${host}:${this.port}${path}`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

/** Nothing opened: the defaults. */
const closed = new ServiceHarness();
/** 127.0.0.2 opened by address and localhost by name (127.0.0.1 itself stays refused). */
const opened = new ServiceHarness();
let closedService: RuntimeProcess;
let openedService: RuntimeProcess;
let loopback: Receiver;
let second: Receiver;

beforeAll(async () => {
	await Promise.all([closed.setUp(), opened.setUp()]);
	playCompany(closed.ollama);
	playCompany(opened.ollama);
	[closedService, openedService, loopback, second] = await Promise.all([
		closed.start({ OUTBOUND_ALLOW: '', JOB_BACKOFF_MS: '100' }),
		opened.start({ OUTBOUND_ALLOW: '127.0.0.2/32,localhost', JOB_BACKOFF_MS: '100' }),
		Receiver.start('127.0.0.1'),
		Receiver.start('127.0.0.2'),
	]);
}, 60_000);

afterAll(async () => {
	await Promise.all([loopback?.close(), second?.close()]);
	await Promise.all([closed.tearDown(), opened.tearDown()]);
});

const SPELLINGS = ['http://127.0.0.1:6379/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://127.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://10.0.0.1/', 'http://0.0.0.0/', 'http://224.0.0.1/'];

async function projectIn(service: RuntimeProcess): Promise<string> {
	const { status, body } = await service.request<{ projectId: string }>('POST', '/api/projects', { requirements: unique('outbound'), start: false });
	expect(status).toBe(201);
	return body.projectId;
}

async function planWithCallback(service: RuntimeProcess, url: string): Promise<{ status: number; body: Record<string, any> }> {
	return service.request('POST', `/api/projects/${await projectIn(service)}/plan`, { callbackUrl: url });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
	for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** The service's log lines about a callback job that failed. */
function callbackFailures(service: RuntimeProcess): Array<Record<string, any>> {
	return service.logs().filter((line) => line.job === 'callback' && line.kind !== undefined);
}

describe('a refused target is a 400 naming the field when it is registered', () => {
	it.each(SPELLINGS)('%s as settings.callbackUrl and settings.deployHookUrl', async (url) => {
		for (const field of ['callbackUrl', 'deployHookUrl']) {
			const { status, body } = await closedService.request('POST', '/api/projects', { requirements: unique('outbound intake'), settings: { [field]: url } });
			expect(status).toBe(400);
			expect(body).toMatchObject({ error: 'invalid_input', field: `settings.${field}` });
			expect(body.message).toMatch(/is refused: .* address; the service sends requests only where its operator allows \(OUTBOUND_ALLOW\)$/);
		}
	});

	it.each(SPELLINGS)('%s as a webhook subscription url', async (url) => {
		const { status, body } = await closedService.request('POST', '/api/webhooks', { url, events: ['project.completed'] });
		expect(status).toBe(400);
		expect(body).toMatchObject({ error: 'invalid_input', field: 'url' });
	});

	it.each(SPELLINGS)("%s as a step's callbackUrl", async (url) => {
		const { status, body } = await planWithCallback(closedService, url);
		expect(status).toBe(400);
		expect(body).toMatchObject({ error: 'invalid_input', field: 'callbackUrl' });
	});

	it('a refused subscription is not stored', async () => {
		const { body } = await closedService.request<{ webhooks: Array<{ url: string }> }>('GET', '/api/webhooks');
		expect(body.webhooks.filter((w) => SPELLINGS.includes(w.url))).toEqual([]);
	});
});

describe('a name resolving to a refused address fails its delivery, for good', () => {
	it('localhost (127.0.0.1): the callback is never sent, the log says why, /metrics counts it, and it is not retried', async () => {
		const url = loopback.url('/by-name', 'localhost');
		const { status } = await planWithCallback(closedService, url);
		expect(status).toBe(202);
		await until('the refused delivery in the log', () => callbackFailures(closedService).some((line) => String(line.msg).includes(url)));
		const failures = callbackFailures(closedService).filter((line) => String(line.msg).includes(url));
		expect(failures).toHaveLength(1);
		expect(failures[0]).toMatchObject({ kind: 'invalid_input', retrying: false });
		expect(failures[0].msg).toBe(`callbackUrl: ${JSON.stringify(url)} is refused: localhost resolves only to refused addresses (127.0.0.1 is a loopback address); the service sends requests only where its operator allows (OUTBOUND_ALLOW)`);
		const metrics = await closedService.request<string>('GET', '/metrics');
		expect(metrics.body).toMatch(/^aic_outbound_refused_total\{field="callbackUrl"\} 1$/m);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(loopback.hits).not.toContain('/by-name');
	}, 30_000);
});

describe('OUTBOUND_ALLOW opens what the operator lists', () => {
	it('a CIDR: a receiver on 127.0.0.2 gets its callback, while 127.0.0.1 stays refused', async () => {
		expect((await planWithCallback(openedService, second.url('/cidr'))).status).toBe(202);
		await until('the callback on 127.0.0.2', () => second.hits.includes('/cidr'));
		const refused = await planWithCallback(openedService, loopback.url('/literal'));
		expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_input', field: 'callbackUrl' } });
	}, 30_000);

	it('a host name: localhost gets its callback from the service that lists it, whatever it resolves to, and not from the one that does not', async () => {
		const url = loopback.url('/named', 'localhost');
		expect((await planWithCallback(closedService, url)).status).toBe(202);
		await until('the refusal by the service that does not list localhost', () => callbackFailures(closedService).some((line) => String(line.msg).includes(url)));
		expect(loopback.hits).not.toContain('/named');
		expect((await planWithCallback(openedService, url)).status).toBe(202);
		await until('the callback to localhost', () => loopback.hits.includes('/named'));
	}, 30_000);

	it('follows no redirect: a 302 fails the delivery for good, and its target gets nothing', async () => {
		const url = second.url('/moved');
		expect((await planWithCallback(openedService, url)).status).toBe(202);
		await until('the redirect in the log', () => callbackFailures(openedService).some((line) => String(line.msg).includes(url)));
		const failure = callbackFailures(openedService).find((line) => String(line.msg).includes(url))!;
		expect(failure).toMatchObject({ kind: 'invalid_input', retrying: false });
		expect(failure.msg).toContain('answered HTTP 302');
		expect(failure.msg).toContain('the service follows no redirects');
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(second.hits.filter((hit) => hit === '/moved')).toHaveLength(1);
		expect(second.hits).not.toContain('/target');
	}, 30_000);
});
