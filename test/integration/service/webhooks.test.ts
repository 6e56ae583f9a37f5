import { createHmac } from 'node:crypto';

import { EVENT_TYPES } from '../../../runtime/contracts/webhooks';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver, ServiceHarness, unique, waitForStatus, type Received } from './support';

// Webhook subscriptions (the AI Company Trigger node): every matching change is POSTed once to
// each subscribed URL, whatever made it: auto mode jobs, step jobs, or the API.

const TOKEN = 'hooks-token-789';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let guarded: RuntimeProcess;
let receiver: CallbackReceiver;
/** Subscriptions made by a test, removed after it so they do not receive the next test's events. */
const made: string[] = [];

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	[service, guarded, receiver] = await Promise.all([harness.start({ CONCURRENCY: '4', OLLAMA_NUM_PARALLEL: '2' }), harness.start({ API_TOKEN: TOKEN }, 'api'), CallbackReceiver.start()]);
}, 30_000);

afterEach(async () => {
	for (const id of made.splice(0)) await service.request('DELETE', `/api/webhooks/${id}`);
});

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

async function subscribe(body: Record<string, unknown>): Promise<Record<string, any>> {
	const reply = await service.request<Record<string, any>>('POST', '/api/webhooks', body);
	expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 201 });
	made.push(reply.body.webhookId as string);
	return reply.body;
}

/** What a path received, as "event[:taskId]" strings, for one project. */
function received(path: string, projectId: string): string[] {
	return receiver
		.on(path)
		.filter((r) => r.body.projectId === projectId)
		.map((r) => (r.body.taskId ? `${r.body.event}:${r.body.taskId}` : String(r.body.event)));
}

async function settle(ms = 1500): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForDelivery(path: string, projectId: string, event: string): Promise<Received> {
	const deadline = Date.now() + 20_000;
	for (;;) {
		const found = receiver.on(path).find((r) => r.body.projectId === projectId && r.body.event === event);
		if (found) return found;
		if (Date.now() > deadline) throw new Error(`no ${event} for ${projectId} at ${path}; received ${JSON.stringify(receiver.on(path).map((r) => r.body.event))}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('a whole project run in auto mode is announced to its subscribers, each event once', () => {
	it('POSTs project.planned, task.reviewed and task.done for each task and project.completed exactly once, with the project outcome', async () => {
		await subscribe({ url: receiver.url('/all'), events: [...EVENT_TYPES] });
		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Hooked'), requirements: `${unique('Hooked')} tasks=3 waves=2` });
		const id = posted.projectId as string;
		const project = await waitForStatus(service, id, ['completed'], 60_000);
		await waitForDelivery('/all', id, 'project.completed');
		await settle();
		expect(received('/all', id).sort()).toEqual(['project.completed', 'project.planned', 'task.done:T1', 'task.done:T2', 'task.done:T3', 'task.reviewed:T1', 'task.reviewed:T2', 'task.reviewed:T3']);
		const completed = receiver.on('/all').find((r) => r.body.projectId === id && r.body.event === 'project.completed')!;
		expect(completed.body).toMatchObject({ event: 'project.completed', projectId: id, project: { projectId: id, status: 'completed', tasks: expect.any(Array) } });
		expect(Date.parse(completed.body.at)).toBeGreaterThanOrEqual(Date.parse(project.createdAt));
		const taskDone = receiver.on('/all').find((r) => r.body.projectId === id && r.body.event === 'task.done')!;
		expect(taskDone.body).toEqual({ event: 'task.done', projectId: id, taskId: expect.stringMatching(/^T\d$/), at: expect.any(String), project: expect.objectContaining({ projectId: id }) });
	}, 60_000);

	it('announces a failed attempt as task.failed and its fix as task.done; a subscription gets only the events it lists', async () => {
		await subscribe({ url: receiver.url('/tasks'), events: ['task.failed', 'task.done'] });
		await subscribe({ url: receiver.url('/ends'), events: ['project.completed'] });
		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Fixed'), requirements: `${unique('Fixed')} tasks=2 waves=1 bug=T2` });
		const id = posted.projectId as string;
		await waitForStatus(service, id, ['completed'], 60_000);
		await waitForDelivery('/ends', id, 'project.completed');
		await settle();
		expect(received('/tasks', id).sort()).toEqual(['task.done:T1', 'task.done:T2', 'task.failed:T2']);
		expect(received('/ends', id)).toEqual(['project.completed']);
	}, 60_000);
});

describe('step jobs and API status changes are announced too', () => {
	it('announces a step workflow (plan, develop, test) and a cancel through the API; a project-scoped subscription hears only its project', async () => {
		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Steps'), requirements: `${unique('Steps')} tasks=1 waves=1`, start: false });
		const { body: other } = await service.request('POST', '/api/projects', { title: unique('Other'), requirements: unique('Other'), start: false });
		const id = posted.projectId as string;
		await subscribe({ url: receiver.url('/scoped'), events: ['project.planned', 'task.done', 'project.cancelled'], projectId: id });

		for (const step of ['plan', 'tasks/T1/develop', 'tasks/T1/test']) {
			const { body: job } = await service.request<Record<string, any>>('POST', `/api/projects/${id}/${step}`);
			const { body: view } = await service.request<Record<string, any>>('GET', `/api/jobs/${encodeURIComponent(job.jobId as string)}?wait=20`);
			expect(view.state).toBe('completed');
		}
		await waitForDelivery('/scoped', id, 'task.done');
		expect((await service.request('POST', `/api/projects/${id}/cancel`, { reason: 'client withdrew' })).status).toBe(200);
		expect((await service.request('POST', `/api/projects/${other.projectId as string}/status`, { status: 'cancelled' })).status).toBe(200);
		const cancelled = await waitForDelivery('/scoped', id, 'project.cancelled');
		expect(cancelled.body.project).toMatchObject({ status: 'cancelled', reason: 'client withdrew' });
		await settle();
		expect(received('/scoped', id).sort()).toEqual(['project.cancelled', 'project.planned', 'task.done:T1']);
		expect(receiver.on('/scoped').filter((r) => r.body.projectId !== id)).toEqual([]);
	}, 60_000);

	it('announces project.failed set through POST /api/projects/:id/status', async () => {
		await subscribe({ url: receiver.url('/failed'), events: ['project.failed'] });
		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Failed'), requirements: unique('Failed'), start: false });
		const id = posted.projectId as string;
		expect((await service.request('POST', `/api/projects/${id}/status`, { status: 'failed', reason: 'budget gone' })).status).toBe(200);
		const failed = await waitForDelivery('/failed', id, 'project.failed');
		expect(failed.body.project).toMatchObject({ status: 'failed', reason: 'budget gone' });
	}, 30_000);
});

describe('subscriptions: idempotent, readable, removable', () => {
	it('answers the same url, events and project again with the subscription already there (200), in any event order', async () => {
		const first = await subscribe({ url: receiver.url('/same'), events: ['task.done', 'project.completed'] });
		expect(first).toEqual({ webhookId: expect.stringMatching(/^wh_/), url: receiver.url('/same'), events: ['project.completed', 'task.done'], signed: false, createdAt: expect.any(String) });
		const again = await service.request('POST', '/api/webhooks', { url: receiver.url('/same'), events: ['project.completed', 'task.done'] });
		expect(again).toMatchObject({ status: 200, body: first });
		const other = await service.request<Record<string, any>>('POST', '/api/webhooks', { url: receiver.url('/same'), events: ['task.done'] });
		expect(other.status).toBe(201);
		made.push(other.body.webhookId as string);
		expect(other.body.webhookId).not.toBe(first.webhookId);

		expect(await service.request('GET', `/api/webhooks/${first.webhookId as string}`)).toMatchObject({ status: 200, body: first });
		const { body: listed } = await service.request<{ webhooks: Array<{ webhookId: string }> }>('GET', '/api/webhooks');
		expect(listed.webhooks.map((w) => w.webhookId)).toEqual(expect.arrayContaining([first.webhookId, other.body.webhookId]));
	});

	it('delivers nothing more after a subscription is removed; removing or reading it again answers 404', async () => {
		const hook = await subscribe({ url: receiver.url('/gone'), events: ['project.cancelled', 'project.planned'] });
		const removed = await service.request('DELETE', `/api/webhooks/${hook.webhookId as string}`);
		expect(removed).toMatchObject({ status: 200, body: { webhookId: hook.webhookId, deleted: true } });
		made.splice(made.indexOf(hook.webhookId as string), 1);
		expect(await service.request('GET', `/api/webhooks/${hook.webhookId as string}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
		expect(await service.request('DELETE', `/api/webhooks/${hook.webhookId as string}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });

		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Unheard'), requirements: unique('Unheard'), start: false });
		await service.request('POST', `/api/projects/${posted.projectId as string}/cancel`);
		await settle(2000);
		expect(receiver.on('/gone')).toEqual([]);
	});

	it.each([
		['no url', { events: ['task.done'] }, 'url'],
		['a url that is not http(s)', { url: 'ftp://example.com/hook', events: ['task.done'] }, 'url'],
		['a url without a host', { url: 'http://', events: ['task.done'] }, 'url'],
		['a url over 2000 characters', { url: `http://example.com/${'a'.repeat(2000)}`, events: ['task.done'] }, 'url'],
		['no events', { url: 'http://example.com/hook' }, 'events'],
		['an empty events list', { url: 'http://example.com/hook', events: [] }, 'events'],
		['an unknown event', { url: 'http://example.com/hook', events: ['project.started'] }, 'events.0'],
		['an event twice', { url: 'http://example.com/hook', events: ['task.done', 'task.done'] }, 'events'],
		['an empty projectId', { url: 'http://example.com/hook', events: ['task.done'], projectId: '' }, 'projectId'],
		['an unknown field', { url: 'http://example.com/hook', events: ['task.done'], token: 'x' }, 'token'],
		['a secret under 16 characters', { url: 'http://example.com/hook', events: ['task.done'], secret: 'short-secret' }, 'secret'],
		['a secret with a space', { url: 'http://example.com/hook', events: ['task.done'], secret: 'a secret with spaces in it' }, 'secret'],
		['a secret over 200 characters', { url: 'http://example.com/hook', events: ['task.done'], secret: 's'.repeat(201) }, 'secret'],
	])('refuses %s with 400 naming the field, and stores nothing', async (_what, body, field) => {
		const before = (await service.request<{ webhooks: unknown[] }>('GET', '/api/webhooks')).body.webhooks.length;
		const reply = await service.request('POST', '/api/webhooks', body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field } });
		expect((await service.request<{ webhooks: unknown[] }>('GET', '/api/webhooks')).body.webhooks).toHaveLength(before);
	});

	it('answers 404 to a subscription for a project that does not exist', async () => {
		const reply = await service.request('POST', '/api/webhooks', { url: 'http://example.com/hook', events: ['task.done'], projectId: 'no-such-project-0000' });
		expect(reply).toMatchObject({ status: 404, body: { error: 'not_found' } });
	});

	it('needs the API token when API_TOKEN is set', async () => {
		expect((await guarded.request('GET', '/api/webhooks')).status).toBe(401);
		expect((await guarded.request('POST', '/api/webhooks', { url: 'http://example.com/hook', events: ['task.done'] })).status).toBe(401);
		expect((await guarded.request('DELETE', '/api/webhooks/wh_x')).status).toBe(401);
		const authorized = await guarded.request('GET', '/api/webhooks', undefined, { authorization: `Bearer ${TOKEN}` });
		expect(authorized.status).toBe(200);
	});

	it('is listed in the OpenAPI document with the event types', async () => {
		const { body } = await service.request<Record<string, any>>('GET', '/openapi.json');
		expect(body.paths['/api/webhooks'].post).toBeDefined();
		expect(body.paths['/api/webhooks/{webhookId}'].delete).toBeDefined();
		const schema = body.paths['/api/webhooks'].post.requestBody.content['application/json'].schema;
		expect(schema.properties.events.items.enum).toEqual([...EVENT_TYPES]);
	});
});

describe('deliveries of a subscription with a secret are signed', () => {
	const SECRET = 'first-secret-0123456789abcdef';
	const hmac = (secret: string, timestamp: string, raw: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;

	it('signs each delivery over its timestamp and raw body; the secret is never shown; unsigned subscriptions get no signature', async () => {
		const signed = await subscribe({ url: receiver.url('/signed'), events: ['project.cancelled'], secret: SECRET });
		expect(signed).toEqual({ webhookId: expect.stringMatching(/^wh_/), url: receiver.url('/signed'), events: ['project.cancelled'], signed: true, createdAt: expect.any(String) });
		await subscribe({ url: receiver.url('/unsigned'), events: ['project.cancelled'] });
		const shown = JSON.stringify([(await service.request('GET', `/api/webhooks/${signed.webhookId as string}`)).body, (await service.request('GET', '/api/webhooks')).body]);
		expect(shown).not.toContain(SECRET);

		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Signed'), requirements: unique('Signed'), start: false });
		const sentAt = Math.floor(Date.now() / 1000);
		await service.request('POST', `/api/projects/${posted.projectId as string}/cancel`);
		const delivery = await waitForDelivery('/signed', posted.projectId as string, 'project.cancelled');
		const timestamp = String(delivery.headers['x-ai-company-timestamp']);
		expect(Math.abs(Number(timestamp) - sentAt)).toBeLessThanOrEqual(5);
		expect(delivery.headers['x-ai-company-signature']).toBe(hmac(SECRET, timestamp, delivery.raw));
		expect(delivery.headers['x-ai-company-signature']).not.toBe(hmac('another-secret-0123456789', timestamp, delivery.raw));
		const plain = await waitForDelivery('/unsigned', posted.projectId as string, 'project.cancelled');
		expect(plain.headers['x-ai-company-signature']).toBeUndefined();
		expect(plain.headers['x-ai-company-timestamp']).toBeUndefined();
	});

	it('posted again with another secret (a trigger activated anew), keeps its id and signs with the new secret only', async () => {
		const first = await subscribe({ url: receiver.url('/renewed'), events: ['project.cancelled'], secret: SECRET });
		const renewed = await service.request<Record<string, any>>('POST', '/api/webhooks', { url: receiver.url('/renewed'), events: ['project.cancelled'], secret: 'second-secret-0123456789abcdef' });
		expect(renewed).toMatchObject({ status: 200, body: { webhookId: first.webhookId, signed: true, createdAt: first.createdAt } });

		const { body: posted } = await service.request('POST', '/api/projects', { title: unique('Renewed'), requirements: unique('Renewed'), start: false });
		await service.request('POST', `/api/projects/${posted.projectId as string}/cancel`);
		const delivery = await waitForDelivery('/renewed', posted.projectId as string, 'project.cancelled');
		const timestamp = String(delivery.headers['x-ai-company-timestamp']);
		expect(delivery.headers['x-ai-company-signature']).toBe(hmac('second-secret-0123456789abcdef', timestamp, delivery.raw));
		expect(delivery.headers['x-ai-company-signature']).not.toBe(hmac(SECRET, timestamp, delivery.raw));
	});
});
