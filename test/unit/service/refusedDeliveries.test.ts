// A callback, deploy hook or webhook delivery to a target the outbound policy refuses fails for good
// (never retried), names the field the URL came from, and is counted in /metrics; a redirect is an
// answer, never followed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describeFailure } from '../../../runtime/failures';
import { NOTHING_ALLOWED, OutboundRefusedError, parseOutboundAllow, type OutboundAllow } from '../../../runtime/net/outboundPolicy';
import { ServiceMetrics } from '../../../runtime/service/metrics';
import { callbackFieldOf, callbackJob } from '../../../runtime/worker/jobs/callbackJob';
import type { JobContext } from '../../../runtime/worker/jobContext';
import { jobIds } from '../../../runtime/queue/jobIds';

let server: Server;
let port: number;
let hits: string[];

beforeAll(async () => {
	server = createServer((req, res) => {
		hits.push(req.url ?? '');
		req.resume();
		if (req.url === '/moved') res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
		else res.writeHead(200).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
	hits = [];
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

function contextFor(url: string, jobId: string, allow: OutboundAllow | undefined, metrics = new ServiceMetrics(), webhookId?: string): JobContext {
	return {
		job: { id: jobId, data: { url, projectId: 'p1', body: { ok: true }, ...(webhookId ? { webhookId } : {}) } },
		services: { config: { outboundAllow: allow }, metrics, webhooks: { stored: async () => ({ webhookId, url, events: [], createdAt: '' }) } },
		signal: new AbortController().signal,
	} as unknown as JobContext;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	if (!(error instanceof Error)) throw new Error('expected the delivery to fail');
	return error;
}

async function refusedCount(metrics: ServiceMetrics, field: string): Promise<number> {
	const metric = await metrics.outboundRefused.get();
	return metric.values.find((v) => v.labels.field === field)?.value ?? 0;
}

describe('callbackJob under the outbound policy', () => {
	it('a name resolving to loopback (localhost) fails for good at delivery, naming the field, and is counted', async () => {
		const metrics = new ServiceMetrics();
		const error = await failureOf(callbackJob(contextFor(`http://localhost:${port}/hook`, jobIds.callback('p1', '0-completed'), undefined, metrics)));
		expect(error).toBeInstanceOf(OutboundRefusedError);
		expect(error.message).toMatch(/^settings\.callbackUrl: "http:\/\/localhost:\d+\/hook" is refused: localhost resolves only to refused addresses \(127\.0\.0\.1 is a loopback address/);
		expect(describeFailure(error)).toMatchObject({ kind: 'invalid_input', retryable: false, field: 'settings.callbackUrl' });
		expect(await refusedCount(metrics, 'settings.callbackUrl')).toBe(1);
		expect(hits).toEqual([]);
	});

	it('a refused literal stored before the policy is refused before any connection, under its field', async () => {
		const metrics = new ServiceMetrics();
		const deploy = await failureOf(callbackJob(contextFor(`http://2130706433:${port}/deploy`, jobIds.callback('p1', 'deploy-7'), NOTHING_ALLOWED, metrics)));
		expect(deploy.message).toMatch(/^settings\.deployHookUrl: .*127\.0\.0\.1 is a loopback address/);
		const hook = await failureOf(callbackJob(contextFor(`http://[::ffff:127.0.0.1]:${port}/w`, jobIds.callback('p1', 'hook-wh_1-1-0'), NOTHING_ALLOWED, metrics, 'wh_1')));
		expect(describeFailure(hook)).toMatchObject({ kind: 'invalid_input', retryable: false, field: 'url' });
		expect(await refusedCount(metrics, 'settings.deployHookUrl')).toBe(1);
		expect(await refusedCount(metrics, 'url')).toBe(1);
		expect(hits).toEqual([]);
	});

	it('is delivered where OUTBOUND_ALLOW opens the address or the name', async () => {
		await expect(callbackJob(contextFor(`http://127.0.0.1:${port}/cidr`, jobIds.callback('p1', 'job-x-1'), parseOutboundAllow('127.0.0.0/8')))).resolves.toMatchObject({ status: 200 });
		await expect(callbackJob(contextFor(`http://localhost:${port}/name`, jobIds.callback('p1', 'job-x-2'), parseOutboundAllow('localhost')))).resolves.toMatchObject({ status: 200 });
		expect(hits).toEqual(['/cidr', '/name']);
	});

	it('follows no redirect: a 3xx fails for good, saying so, and its target is never called', async () => {
		const error = await failureOf(callbackJob(contextFor(`http://127.0.0.1:${port}/moved`, jobIds.callback('p1', 'job-x-3'), parseOutboundAllow('127.0.0.1'))));
		expect(error.message).toContain(`callbackUrl: http://127.0.0.1:${port}/moved answered HTTP 302 (a redirect to http://127.0.0.1:${port}/target): the service follows no redirects`);
		expect(describeFailure(error)).toMatchObject({ kind: 'invalid_input', retryable: false });
		expect(hits).toEqual(['/moved']);
	});
});

describe('callbackFieldOf', () => {
	it('names the field a delivery URL was registered as, from the job', () => {
		expect(callbackFieldOf(jobIds.callback('p.1', '2-failed'), {})).toBe('settings.callbackUrl');
		expect(callbackFieldOf(jobIds.callback('p.1', 'deploy-3'), {})).toBe('settings.deployHookUrl');
		expect(callbackFieldOf(jobIds.callback('p.1', 'job-plan.p%2E1.0-abc'), {})).toBe('callbackUrl');
		expect(callbackFieldOf(jobIds.callback('p.1', 'hook-wh_1-1-0'), { webhookId: 'wh_1' })).toBe('url');
	});
});
