import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness, unique } from './support';

// What a client sends is either taken as sent or refused by name: no coercion, no duplicate key,
// no charset but UTF-8, no NUL in a text, no number that is not finite, no id of BullMQ's own keys.
const TOKEN = 'strict-token-789';
const OLLAMA_USER = 'aic-probe-user';
const OLLAMA_PASSWORD = 'hunter2-secret-pw';

const harness = new ServiceHarness();
/** API only (no worker takes the jobs queued here), no token. */
let service: RuntimeProcess;
/** API only, API_TOKEN set, OLLAMA_HOST carrying a user and password. */
let guarded: RuntimeProcess;

beforeAll(async () => {
	await harness.setUp();
	const withCredentials = harness.ollama.url.replace('://', `://${OLLAMA_USER}:${OLLAMA_PASSWORD}@`);
	[service, guarded] = await Promise.all([harness.start({}, 'api'), harness.start({ API_TOKEN: TOKEN, OLLAMA_HOST: withCredentials }, 'api')]);
}, 30_000);

afterAll(() => harness.tearDown());

/** A raw request: the body sent byte for byte; gives up after 5 s (a long poll held open is a failure here). */
async function send(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<{ status: number; body: Record<string, any>; ms: number }> {
	const started = Date.now();
	const response = await fetch(`${service.url}${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': contentType },
		body,
		signal: AbortSignal.timeout(5000),
	});
	const text = await response.text();
	return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any>, ms: Date.now() - started };
}

async function createProject(): Promise<string> {
	const reply = await service.request('POST', '/api/projects', { requirements: unique('Strict input'), start: false });
	expect(reply.status).toBe(201);
	return reply.body.projectId as string;
}

/** Lists every stored project's requirements, to show a refusal stored nothing. */
async function storedRequirements(): Promise<string[]> {
	const { body } = await service.request<{ projects: Array<{ projectId: string }> }>('GET', '/api/projects?status=intake&limit=200');
	const projects = await Promise.all(body.projects.map((p) => service.request<{ requirements: string }>('GET', `/api/projects/${p.projectId}`)));
	return projects.map((p) => p.body.requirements);
}

describe('a value of the wrong type is refused naming the field, never converted', () => {
	it.each([
		['requirements as a number', { requirements: 42, start: false }, 'requirements'],
		['requirements as a list', { requirements: ['a'], start: false }, 'requirements'],
		['start as the text "false"', { requirements: 'typed start', start: 'false' }, 'start'],
		['settings.maxFixAttempts as text', { requirements: 'typed settings', start: false, settings: { maxFixAttempts: '3' } }, 'settings.maxFixAttempts'],
		['settings.github.private as a number', { requirements: 'typed github', start: false, settings: { github: { private: 1 } } }, 'settings.github.private'],
	])('POST /api/projects refuses %s with 400 invalid_input', async (_what, body, field) => {
		const reply = await service.request('POST', '/api/projects', body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field } });
		expect(reply.body.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: must be`));
	});

	it('refuses wrong types in step and status bodies too', async () => {
		const id = await createProject();
		expect(await service.request('POST', `/api/projects/${id}/plan`, { maxTasks: '3' })).toMatchObject({ status: 400, body: { error: 'invalid_input', field: 'maxTasks' } });
		expect(await service.request('POST', `/api/projects/${id}/plan`, { llm: { temperature: '0.5' } })).toMatchObject({ status: 400, body: { field: 'llm.temperature' } });
		expect(await service.request('POST', `/api/projects/${id}/status`, { status: 'planning', expectedVersion: '1' })).toMatchObject({ status: 400, body: { field: 'expectedVersion' } });
		expect(await service.request('POST', `/api/projects/${id}/status`, { status: 'planning', reason: 7 })).toMatchObject({ status: 400, body: { field: 'reason' } });
	});
});

describe('a JSON body is refused when JSON.parse would silently change it', () => {
	it.each([
		['requirements twice', '{"requirements":"first","requirements":"second","start":false}', 'requirements'],
		['start twice, true then false', '{"requirements":"start twice","start":true,"start":false}', 'start'],
		['a settings key twice', '{"requirements":"nested twice","start":false,"settings":{"maxFixAttempts":1,"maxFixAttempts":2}}', 'settings.maxFixAttempts'],
	])('refuses %s with 400 naming the key', async (_what, text, field) => {
		const reply = await send('POST', '/api/projects', text);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field, message: `${field}: appears twice in the body: send it once` } });
	});

	it.each([
		['in requirements', { requirements: 'a\u0000b', start: false }, 'requirements'],
		['in settings.callbackUrl', { requirements: 'nul url', start: false, settings: { callbackUrl: 'http://receiver.example/\u0000' } }, 'settings.callbackUrl'],
		['in clientName', { requirements: 'nul name', clientName: 'Ada\u0000', start: false }, 'clientName'],
	])('refuses a NUL character %s, naming the field', async (_where, body, field) => {
		const reply = await service.request('POST', '/api/projects', body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field } });
		expect(reply.body.message).toContain('NUL character');
	});

	it('refuses a __proto__ key saying what is wrong with it, not that the JSON is invalid', async () => {
		const reply = await send('POST', '/api/projects', '{"requirements":"proto","start":false,"__proto__":{"polluted":true}}');
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field: '__proto__', message: '__proto__: is not a field name this API accepts' } });
		const nested = await send('POST', '/api/projects', '{"requirements":"ctor","start":false,"constructor":{"prototype":{}}}');
		expect(nested).toMatchObject({ status: 400, body: { field: 'constructor.prototype' } });
	});

	it('refuses a number too large to be finite, even in free-form event data', async () => {
		const id = await createProject();
		const reply = await send('POST', `/api/projects/${id}/events`, '{"type":"note","data":{"x":1e309}}');
		expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_input', field: 'data.x' } });
	});

	it('still answers malformed JSON with 400 bad_request saying so', async () => {
		const reply = await send('POST', '/api/projects', '{"requirements": "x",');
		expect(reply).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.stringMatching(/^the body is not valid JSON/) } });
	});
});

describe('a body is read as UTF-8 or refused', () => {
	it('refuses invalid UTF-8 with 400 instead of storing U+FFFD, and stores nothing', async () => {
		const requirements = unique('Café');
		const body = Buffer.concat([Buffer.from(`{"requirements":"${requirements.replace('é', '')}`), Buffer.from([0xe9, 0xff]), Buffer.from('","start":false}')]);
		const reply = await send('POST', '/api/projects', body);
		expect(reply).toMatchObject({ status: 400, body: { error: 'bad_request', message: expect.stringContaining('not valid UTF-8') } });
		expect((await storedRequirements()).filter((r) => r.includes('\ufffd'))).toEqual([]);
	});

	it('refuses a body declared in another charset with 415 naming it; takes charset=utf-8', async () => {
		const requirements = unique('Latin1');
		const refused = await send('POST', '/api/projects', JSON.stringify({ requirements, start: false }), 'application/json; charset=latin1');
		expect(refused).toMatchObject({ status: 415, body: { error: 'unsupported_media_type', message: expect.stringContaining('"latin1"') } });
		expect(await storedRequirements()).not.toContain(requirements);
		const taken = await send('POST', '/api/projects', JSON.stringify({ requirements: 'Crème brûlée', start: false, idempotencyKey: unique('k').replace(' ', '-') }), 'application/json; charset=UTF-8');
		expect(taken.status).toBe(201);
		expect((await service.request('GET', `/api/projects/${taken.body.projectId}`)).body).toMatchObject({ requirements: 'Crème brûlée' });
	});
});

describe('query values are taken as sent: plain numbers and booleans, nothing that is not finite', () => {
	let projectId: string;
	let jobId: string;

	beforeAll(async () => {
		projectId = await createProject();
		// Queued, never run: this service has no worker.
		const queued = await service.request('POST', `/api/projects/${projectId}/plan`);
		expect(queued.status).toBe(202);
		jobId = queued.body.jobId as string;
	});

	it.each(['Infinity', '1e309', '-Infinity', '0x10', '1e1'])('refuses ?wait=%s at once with 400 naming wait, on jobs and projects', async (wait) => {
		for (const path of [`/api/jobs/${encodeURIComponent(jobId)}`, `/api/projects/${projectId}`]) {
			const reply = await send('GET', `${path}?wait=${wait}`);
			expect({ path, ...reply }).toMatchObject({ path, status: 400, body: { error: 'invalid_input', field: 'wait' } });
			expect(reply.ms).toBeLessThan(1000);
		}
	});

	it('still waits ?wait=1 (a second) on a job that does not finish, and reads ?limit= and ?force=', async () => {
		const waited = await send('GET', `/api/jobs/${encodeURIComponent(jobId)}?wait=1`);
		expect(waited).toMatchObject({ status: 200, body: { state: expect.any(String) } });
		expect(waited.ms).toBeGreaterThanOrEqual(900);
		expect(await send('GET', '/api/projects?status=intake&limit=1')).toMatchObject({ status: 200, body: { projects: [expect.any(Object)] } });
		expect(await send('GET', '/api/projects?limit=1.5')).toMatchObject({ status: 400, body: { field: 'limit' } });
		const other = await createProject();
		expect(await send('DELETE', `/api/projects/${other}?force=yes`)).toMatchObject({ status: 400, body: { field: 'force' } });
		expect(await send('DELETE', `/api/projects/${other}?force=true`)).toMatchObject({ status: 200, body: { deleted: true } });
	});
});

describe('GET /api/jobs/:jobId reads only ids of the shapes the service makes', () => {
	beforeAll(async () => {
		// A queued job makes BullMQ write its own keys (meta, id, events) beside the jobs.
		const id = await createProject();
		expect((await service.request('POST', `/api/projects/${id}/plan`)).status).toBe(202);
	});

	it.each(['meta', 'id', 'events', 'completed', 'failed', 'wait', 'plan.x'])('answers %s with 404 not_found, like an unknown job', async (jobId) => {
		const reply = await send('GET', `/api/jobs/${jobId}`);
		expect(reply).toMatchObject({ status: 404, body: { error: 'not_found' } });
	});
});

describe('health shows no credentials, and the open route no addresses', () => {
	const leaks = (text: string) => [OLLAMA_USER, OLLAMA_PASSWORD].filter((secret) => text.includes(secret));

	it('GET /health without a token: whether each part is up, no URL, no error text, no credentials', async () => {
		const response = await fetch(`${guarded.url}/health`);
		const text = await response.text();
		expect(leaks(text)).toEqual([]);
		expect(text).not.toContain('127.0.0.1');
		const body = JSON.parse(text) as Record<string, any>;
		expect(body).toMatchObject({ service: 'ai-company-runtime', status: expect.any(String), redis: { ok: true }, ollama: { ok: expect.any(Boolean) } });
		expect(body.ollama).not.toHaveProperty('url');
		expect(body.ollama).not.toHaveProperty('error');
	});

	it('GET /api/health and /api/credential-check with the token: the URL without its user and password, here and in the error', async () => {
		for (const path of ['/api/health', '/api/credential-check']) {
			const response = await fetch(`${guarded.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
			const text = await response.text();
			expect({ path, leaks: leaks(text) }).toEqual({ path, leaks: [] });
			expect(JSON.parse(text)).toMatchObject({ ollama: { url: harness.ollama.url } });
		}
	});
});
