import { signPortalToken } from '../../../runtime/api/portal/portalTokens';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique } from './support';

// The client portal's links through the real service (two API processes and a worker, the API
// behind a token): a link opens its project's page through a cookie and shows it; a forged,
// expired, revoked or other project's token gets 401 and nothing of the project; the portal's
// form takes a decision only from its own origin.

const TOKEN = 'portal-test-api-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const harness = new ServiceHarness();
let api: RuntimeProcess;
let otherApi: RuntimeProcess;
const redis = testRedisClient();

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	[api, otherApi] = await Promise.all([harness.start({ API_TOKEN: TOKEN }), harness.start({ API_TOKEN: TOKEN }, 'api')]);
}, 30_000);

afterAll(async () => {
	redis.disconnect();
	await harness.tearDown();
});

type Body = Record<string, any>;
const SCRIPT_TITLE = '<img src=x onerror=alert(1)>';

async function project(title: string, settings: Record<string, unknown> = {}, start = false): Promise<string> {
	const { status, body } = await api.request<Body>('POST', '/api/projects', { title, requirements: `${unique('Portal')} tasks=2 waves=1 <script>alert(2)</script>`, settings, start }, auth);
	expect(status).toBe(201);
	return body.projectId as string;
}

async function link(id: string, body?: unknown): Promise<{ status: number; body: Body }> {
	return api.request<Body>('POST', `/api/projects/${id}/portal-link`, body, auth);
}

/** A GET or form POST as a browser sends it, without following redirects. */
async function browse(server: RuntimeProcess, path: string, options: { cookie?: string; form?: Record<string, string>; origin?: string | null } = {}): Promise<Response> {
	const headers: Record<string, string> = {};
	if (options.cookie) headers.cookie = options.cookie;
	if (options.form) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		if (options.origin !== null) headers.origin = options.origin ?? server.url!;
	}
	return fetch(`${server.url}${path}`, { method: options.form ? 'POST' : 'GET', headers, body: options.form ? new URLSearchParams(options.form).toString() : undefined, redirect: 'manual' });
}

/** Opens a link as a browser does: the token goes into the cookie, the redirect drops it from the URL. */
async function open(server: RuntimeProcess, url: string): Promise<{ cookie: string; setCookie: string; location: string | null }> {
	const first = await browse(server, url);
	expect(first.status).toBe(303);
	const setCookie = first.headers.get('set-cookie') ?? '';
	return { cookie: setCookie.split(';')[0], setCookie, location: first.headers.get('location') };
}

/** Polls the project (with the API token) until it is in `status`. */
async function waitFor(id: string, status: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { body } = await api.request<Body>('GET', `/api/projects/${id}`, undefined, auth);
		if (body.status === status) return;
		if (Date.now() > deadline) throw new Error(`project ${id} is ${body.status} (${body.statusReason ?? ''}), not ${status}, after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function tokenOf(url: string): string {
	return new URL(url, 'http://x').searchParams.get('t')!;
}

/** What a refused token's answer may show: nothing of the project. */
async function expectRefused(response: Response, id: string, title: string): Promise<void> {
	expect(response.status).toBe(401);
	const text = await response.text();
	expect(text).toContain('This link does not open a project');
	for (const secret of [id, title, 'Portal ', 'tasks=2']) expect(text).not.toContain(secret);
	expect(response.headers.get('set-cookie')).toBeNull();
}

describe('POST /api/projects/:id/portal-link', () => {
	it('answers a signed link to the project\'s portal with its expiry, default one week, and logs that it was made', async () => {
		const id = await project(unique('Link'));
		const before = Date.now();
		const { status, body } = await link(id);
		expect(status).toBe(201);
		expect(body.url).toMatch(new RegExp(`^/portal/${id}\\?t=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
		const expiresAt = Date.parse(body.expiresAt);
		expect(Math.abs(expiresAt - (before + 168 * 3600_000))).toBeLessThan(5000);
		const events = (await api.request<Body>('GET', `/api/projects/${id}/events`, undefined, auth)).body.events as Body[];
		expect(events.map((e) => e.type)).toContain('portal.link_created');
		expect(JSON.stringify(events)).not.toContain(tokenOf(body.url));
	});

	it('takes expiresInHours within 1 to 2160 and refuses others naming the field', async () => {
		const id = await project(unique('Hours'));
		const { body } = await link(id, { expiresInHours: 2 });
		expect(Math.abs(Date.parse(body.expiresAt) - (Date.now() + 2 * 3600_000))).toBeLessThan(5000);
		for (const bad of [{ expiresInHours: 0 }, { expiresInHours: 2161 }, { expiresInHours: '2' }, { expires: 2 }]) {
			const refused = await link(id, bad);
			expect({ status: refused.status, field: refused.body.field }).toEqual({ status: 400, field: Object.keys(bad)[0] });
		}
	});

	it('needs the API token; 404 for a project that is not there', async () => {
		const id = await project(unique('Token'));
		expect((await api.request('POST', `/api/projects/${id}/portal-link`)).status).toBe(401);
		expect((await api.request('DELETE', `/api/projects/${id}/portal-link`)).status).toBe(401);
		expect((await link('no-such-project')).status).toBe(404);
	});
});

describe('GET /portal/:id', () => {
	it('moves the token into an HttpOnly SameSite=Strict cookie for this project\'s path, then shows the project with the token nowhere in the page', async () => {
		const id = await project(SCRIPT_TITLE);
		const { body } = await link(id);
		const opened = await open(api, body.url);
		expect(opened.location).toBe(`/portal/${id}`);
		expect(opened.setCookie).toMatch(new RegExp(`^aic_portal=${tokenOf(body.url)}; Path=/portal/${id}; Max-Age=\\d+; HttpOnly; SameSite=Strict$`));

		const page = await browse(api, `/portal/${id}`, { cookie: opened.cookie });
		expect(page.status).toBe(200);
		expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
		expect(page.headers.get('cache-control')).toBe('no-store');
		const text = await page.text();
		expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(text).not.toContain('<img src=x');
		expect(text).not.toContain(tokenOf(body.url));
		expect(text).not.toContain('<script>alert');
		expect(text).not.toMatch(/API_TOKEN|usage|promptTokens|portal-test-api-token/);
	});

	it('opens with a link made by another API process: every process signs with the same secret', async () => {
		const id = await project(unique('Shared secret'));
		const { body } = await link(id);
		const opened = await open(otherApi, body.url);
		expect((await browse(otherApi, `/portal/${id}`, { cookie: opened.cookie })).status).toBe(200);
	});

	it('refuses a forged token, another project\'s token, an expired one and a revoked one with 401 and nothing of the project', async () => {
		const title = unique('Refused');
		const id = await project(title);
		const other = await project(unique('Other'));
		const good = tokenOf((await link(id)).body.url);

		const forged = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
		await expectRefused(await browse(api, `/portal/${id}?t=${forged}`), id, title);
		await expectRefused(await browse(api, `/portal/${id}`, { cookie: `aic_portal=${forged}` }), id, title);

		const othersToken = tokenOf((await link(other)).body.url);
		await expectRefused(await browse(api, `/portal/${id}?t=${othersToken}`), id, title);
		await expectRefused(await browse(api, `/portal/${id}`, { cookie: `aic_portal=${othersToken}` }), id, title);

		// Expired: signed with the service's own secret (kept in Redis), an hour in the past.
		const secret = Buffer.from((await redis.get(`${harness.prefix}portal:secret`))!, 'hex');
		const expired = signPortalToken(secret, { projectId: id, generation: 0, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
		const fresh = signPortalToken(secret, { projectId: id, generation: 0, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
		expect((await browse(api, `/portal/${id}?t=${fresh}`)).status).toBe(303);
		await expectRefused(await browse(api, `/portal/${id}?t=${expired}`), id, title);

		await expectRefused(await browse(api, `/portal/${id}`), id, title);

		// Revoked: every link made so far, the cookie of an open page too; a new link works.
		const opened = await open(api, `/portal/${id}?t=${good}`);
		expect((await api.request('DELETE', `/api/projects/${id}/portal-link`, undefined, auth)).status).toBe(200);
		await expectRefused(await browse(api, `/portal/${id}?t=${good}`), id, title);
		await expectRefused(await browse(api, `/portal/${id}`, { cookie: opened.cookie }), id, title);
		await expectRefused(await browse(otherApi, `/portal/${id}`, { cookie: opened.cookie }), id, title);
		const renewed = await open(api, (await link(id)).body.url);
		expect((await browse(api, `/portal/${id}`, { cookie: renewed.cookie })).status).toBe(200);
	});
});

describe('POST /portal/:id/approval', () => {
	it('takes the client\'s decision from its own page only, logged with source portal', async () => {
		const title = unique('Decide');
		const id = await project(title, { approval: 'plan' }, true);
		await waitFor(id, 'awaiting_approval', 30_000);
		const { cookie } = await open(api, (await link(id)).body.url);
		const waitingPage = await (await browse(api, `/portal/${id}`, { cookie })).text();
		expect(waitingPage).toContain(`action="/portal/${id}/approval"`);
		expect(waitingPage).toMatch(/<label for="comment">/);

		// Another origin, or none: refused before anything changes.
		for (const origin of ['http://evil.example', null]) {
			const refused = await browse(api, `/portal/${id}/approval`, { cookie, form: { decision: 'approve' }, origin });
			expect(refused.status).toBe(403);
		}
		// Without the cookie (another site's form cannot send a SameSite=Strict one): 401.
		await expectRefused(await browse(api, `/portal/${id}/approval`, { form: { decision: 'approve' } }), id, title);
		// A request for changes needs a comment: the page says so, nothing changes.
		const noComment = await browse(api, `/portal/${id}/approval`, { cookie, form: { decision: 'request_changes', comment: ' ' } });
		expect(noComment.status).toBe(400);
		expect(await noComment.text()).toContain('role="alert"');
		expect((await api.request<Body>('GET', `/api/projects/${id}`, undefined, auth)).body.status).toBe('awaiting_approval');

		const sent = await browse(api, `/portal/${id}/approval`, { cookie, form: { decision: 'approve', comment: 'Looks good' } });
		expect(sent.status).toBe(303);
		expect(sent.headers.get('location')).toBe(`/portal/${id}?sent=approve`);
		const events = (await api.request<Body>('GET', `/api/projects/${id}/events?limit=1000`, undefined, auth)).body.events as Body[];
		expect(events.filter((e) => e.type === 'project.approval_decided').map((e) => [e.source, e.data.decision, e.data.comment])).toEqual([['portal', 'approve', 'Looks good']]);

		// Decided: a second decision is refused (409) and the page says where the project stands.
		const again = await browse(api, `/portal/${id}/approval`, { cookie, form: { decision: 'approve' } });
		expect(again.status).toBe(409);
		expect(await again.text()).not.toContain(`action="/portal/${id}/approval"`);
		await waitFor(id, 'completed', 60_000);
	}, 90_000);
});
