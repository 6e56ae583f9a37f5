import { keysWithPrefix, testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { CallbackReceiver, ServiceHarness, unique } from './support';

// What the AI Company node asks of a project besides running it: waiting for its end, a token
// check, status moves, events of its own, deletion.

const TOKEN = 'control-token-456';
const harness = new ServiceHarness();
/** API and worker, no token. */
let service: RuntimeProcess;
/** API only, API_TOKEN set. */
let guarded: RuntimeProcess;
let receiver: CallbackReceiver;

beforeAll(async () => {
	await harness.setUp();
	// Every model call takes 300 ms, so a whole project takes a few seconds.
	playCompany(harness.ollama, undefined, { delayMs: 300 });
	[service, guarded, receiver] = await Promise.all([harness.start({ CONCURRENCY: '2', OLLAMA_NUM_PARALLEL: '2' }), harness.start({ API_TOKEN: TOKEN }, 'api'), CallbackReceiver.start()]);
}, 30_000);

afterAll(async () => {
	await receiver?.close();
	await harness.tearDown();
});

async function createProject(body: Record<string, unknown>): Promise<string> {
	const { status, body: reply } = await service.request('POST', '/api/projects', { title: unique('Control'), ...body });
	expect(status).toBe(201);
	return reply.projectId as string;
}

describe('GET /api/projects/:id?wait=SECONDS answers when the run ends or the wait is over', () => {
	it('holds the answer until a whole project completes, then gives the full project with its run', async () => {
		const id = await createProject({ requirements: `${unique('Wait')} tasks=2 waves=2` });
		const { body: now } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(['intake', 'planning', 'planned', 'development']).toContain(now.status);
		const started = Date.now();
		const { status, body } = await service.request<Record<string, any>>('GET', `/api/projects/${id}?wait=30`);
		expect(status).toBe(200);
		expect(body).toMatchObject({ id, status: 'completed', run: { mode: 'auto', round: 0 }, tasks: { T1: { status: 'done' }, T2: { status: 'done' } } });
		// Four model calls of 300 ms at the least, one after another.
		expect(Date.now() - started).toBeGreaterThan(600);
	}, 40_000);

	it('answers after the wait with the project as it stands when its run does not end', async () => {
		const id = await createProject({ requirements: unique('Waits in intake'), start: false });
		const started = Date.now();
		const { status, body } = await service.request<Record<string, any>>('GET', `/api/projects/${id}?wait=1.5`);
		const waited = Date.now() - started;
		expect(status).toBe(200);
		expect(body).toMatchObject({ id, status: 'intake', run: { mode: 'steps' } });
		expect(waited).toBeGreaterThanOrEqual(1400);
		expect(waited).toBeLessThan(3000);
	});

	it('answers at once for a project whose run has ended, 404 at once for an unknown one, 400 naming wait over 60', async () => {
		const id = await createProject({ requirements: unique('Ended'), start: false });
		await service.request('POST', `/api/projects/${id}/cancel`);
		const started = Date.now();
		expect((await service.request('GET', `/api/projects/${id}?wait=30`)).body).toMatchObject({ status: 'cancelled' });
		const unknown = await service.request('GET', '/api/projects/no-such-project-0000?wait=30');
		expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found' } });
		expect(Date.now() - started).toBeLessThan(1500);
		const tooLong = await service.request('GET', `/api/projects/${id}?wait=61`);
		expect(tooLong).toMatchObject({ status: 400, body: { error: 'invalid_input', field: 'wait' } });
	});
});

describe('GET /api/health is /health behind the token', () => {
	it('answers 401 without the token or with a wrong one, and /health\'s body with it; /health stays open', async () => {
		expect((await guarded.request('GET', '/api/health')).status).toBe(401);
		expect((await guarded.request('GET', '/api/health', undefined, { authorization: 'Bearer wrong-token-4567' })).status).toBe(401);
		const checked = await guarded.request<Record<string, any>>('GET', '/api/health', undefined, { authorization: `Bearer ${TOKEN}` });
		const open = await guarded.request<Record<string, any>>('GET', '/health');
		expect(checked.status).toBe(200);
		expect(open.status).toBe(200);
		expect(checked.body).toMatchObject({ status: 'ok', service: 'ai-company-runtime', redis: { ok: true }, ollama: { ok: true, url: harness.ollama.url } });
		expect(Object.keys(checked.body).sort()).toEqual(Object.keys(open.body).sort());
	});
});

describe('POST /api/projects/:id/status moves a project along its lifecycle', () => {
	it('moves it and answers its summary; the event log records the move with its reason', async () => {
		const id = await createProject({ requirements: unique('Status'), start: false });
		const moved = await service.request<Record<string, any>>('POST', `/api/projects/${id}/status`, { status: 'planning', reason: 'planned by hand' });
		expect(moved.status).toBe(200);
		expect(moved.body).toMatchObject({ projectId: id, status: 'planning', statusReason: 'planned by hand', version: 2, tasks: { total: 0 } });
		const { body } = await service.request<{ events: Array<{ type: string; source: string; data: any }> }>('GET', `/api/projects/${id}/events`);
		expect(body.events.at(-1)).toMatchObject({ type: 'project.status_changed', source: 'api', data: { from: 'intake', to: 'planning', reason: 'planned by hand' } });
	});

	it('refuses a move the lifecycle does not allow (409 conflict), a stale expectedVersion (409 version_conflict), and changes nothing', async () => {
		const id = await createProject({ requirements: unique('Refused move'), start: false });
		const illegal = await service.request<Record<string, any>>('POST', `/api/projects/${id}/status`, { status: 'completed' });
		expect(illegal).toMatchObject({ status: 409, body: { error: 'conflict' } });
		expect(illegal.body.message).toContain('cannot go from "intake" to "completed"');
		const stale = await service.request('POST', `/api/projects/${id}/status`, { status: 'planning', expectedVersion: 7 });
		expect(stale).toMatchObject({ status: 409, body: { error: 'version_conflict' } });
		const { body } = await service.request<Record<string, any>>('GET', `/api/projects/${id}`);
		expect(body).toMatchObject({ status: 'intake', version: 1 });
		const current = await service.request('POST', `/api/projects/${id}/status`, { status: 'planning', expectedVersion: 1 });
		expect(current).toMatchObject({ status: 200, body: { status: 'planning', version: 2 } });
	});

	it.each([
		['an unknown status', { status: 'done' }, 'status'],
		['no status', { reason: 'x' }, 'status'],
		['a reason over 2000 characters', { status: 'planning', reason: 'x'.repeat(2001) }, 'reason'],
		['expectedVersion 0', { status: 'planning', expectedVersion: 0 }, 'expectedVersion'],
		['an unknown field', { status: 'planning', force: true }, 'force'],
	])('refuses %s with 400 naming the field', async (_what, body, field) => {
		const id = await createProject({ requirements: unique('Bad status body'), start: false });
		const reply = await service.request('POST', `/api/projects/${id}/status`, body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field } });
	});

	it("fires the project's end callback when the move ends its run (cancelled), once", async () => {
		const id = await createProject({ requirements: unique('Cancelled by status'), start: false, settings: { callbackUrl: receiver.url(`/end-${'status'}`) } });
		const reply = await service.request('POST', `/api/projects/${id}/status`, { status: 'cancelled', reason: 'client withdrew' });
		expect(reply).toMatchObject({ status: 200, body: { status: 'cancelled' } });
		const [callback] = await receiver.waitFor('/end-status');
		expect(callback.body).toMatchObject({ projectId: id, status: 'cancelled', reason: 'client withdrew' });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(receiver.on('/end-status')).toHaveLength(1);
	});

	it('answers 404 for an unknown project', async () => {
		expect(await service.request('POST', '/api/projects/no-such-project-0000/status', { status: 'planning' })).toMatchObject({ status: 404, body: { error: 'not_found' } });
	});
});

describe("POST /api/projects/:id/events adds to the project's log", () => {
	it('answers 201 with the event id; the log holds the type, the source api, the data and the message, and the project version stays', async () => {
		const id = await createProject({ requirements: unique('Events'), start: false });
		const reply = await service.request<Record<string, any>>('POST', `/api/projects/${id}/events`, { type: 'review.requested', message: 'please look', data: { reviewer: 'Ada' } });
		expect(reply.status).toBe(201);
		expect(reply.body).toEqual({ projectId: id, eventId: expect.stringMatching(/^\d+-\d+$/) });
		const { body } = await service.request<{ events: Array<Record<string, any>> }>('GET', `/api/projects/${id}/events`);
		expect(body.events.at(-1)).toMatchObject({ id: reply.body.eventId, type: 'review.requested', source: 'api', data: { reviewer: 'Ada', message: 'please look' } });
		expect((await service.request<Record<string, any>>('GET', `/api/projects/${id}`)).body.version).toBe(1);
		const bare = await service.request('POST', `/api/projects/${id}/events`, { type: `a${'b'.repeat(99)}` });
		expect(bare.status).toBe(201);
	});

	it.each([
		['a type with capitals and spaces', { type: 'Review Requested' }, 'type'],
		['a type over 100 characters', { type: `a${'b'.repeat(100)}` }, 'type'],
		['no type', { message: 'x' }, 'type'],
		['a message over 2000 characters', { type: 'note', message: 'x'.repeat(2001) }, 'message'],
		['data that is not an object', { type: 'note', data: [1, 2] }, 'data'],
		['a message given twice', { type: 'note', message: 'a', data: { message: 'b' } }, 'data.message'],
	])('refuses %s with 400 naming the field, and logs nothing', async (_what, body, field) => {
		const id = await createProject({ requirements: unique('Bad event'), start: false });
		const reply = await service.request('POST', `/api/projects/${id}/events`, body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field } });
		const { body: log } = await service.request<{ events: unknown[] }>('GET', `/api/projects/${id}/events`);
		expect(log.events).toHaveLength(1);
	});

	it('answers 404 for an unknown project', async () => {
		expect(await service.request('POST', '/api/projects/no-such-project-0000/events', { type: 'note' })).toMatchObject({ status: 404, body: { error: 'not_found' } });
	});
});

describe('DELETE /api/projects/:id', () => {
	it('deletes an ended project with its event log and run record: no key of it is left', async () => {
		const id = await createProject({ requirements: unique('Delete ended'), start: false });
		await service.request('POST', `/api/projects/${id}/cancel`);
		const reply = await service.request('DELETE', `/api/projects/${id}`);
		expect(reply).toMatchObject({ status: 200, body: { projectId: id, deleted: true } });
		expect((await service.request('GET', `/api/projects/${id}`)).status).toBe(404);
		const redis = testRedisClient();
		try {
			expect(await keysWithPrefix(redis, `${harness.prefix}project:${id}`)).toEqual([]);
		} finally {
			redis.disconnect();
		}
		expect(await service.request('DELETE', `/api/projects/${id}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
	});

	it('refuses a project whose run has not ended with 409 naming force, and deletes it with ?force=true', async () => {
		const id = await createProject({ requirements: unique('Delete running'), start: false });
		const refused = await service.request('DELETE', `/api/projects/${id}`);
		expect(refused).toMatchObject({ status: 409, body: { error: 'conflict', field: 'force' } });
		expect((await service.request('GET', `/api/projects/${id}`)).status).toBe(200);
		const forced = await service.request('DELETE', `/api/projects/${id}?force=true`);
		expect(forced).toMatchObject({ status: 200, body: { projectId: id, deleted: true } });
		expect((await service.request('GET', `/api/projects/${id}`)).status).toBe(404);
	});

	it('answers 404 for an unknown project and 400 naming force for a force that is not a boolean', async () => {
		expect(await service.request('DELETE', '/api/projects/no-such-project-0000')).toMatchObject({ status: 404, body: { error: 'not_found' } });
		const id = await createProject({ requirements: unique('Delete bad force'), start: false });
		expect(await service.request('DELETE', `/api/projects/${id}?force=maybe`)).toMatchObject({ status: 400, body: { error: 'invalid_input', field: 'force' } });
	});
});

describe('OpenAPI lists the new routes', () => {
	it('has status, events, delete, health and the wait parameter', async () => {
		const { body } = await service.request<Record<string, any>>('GET', '/openapi.json');
		expect(body.paths['/api/projects/{id}/status'].post).toBeDefined();
		expect(body.paths['/api/projects/{id}/events'].post).toBeDefined();
		expect(body.paths['/api/projects/{id}'].delete).toBeDefined();
		expect(body.paths['/api/health'].get).toBeDefined();
		expect(body.paths['/api/projects/{id}'].get.parameters.map((p: { name: string }) => p.name)).toContain('wait');
	});
});
