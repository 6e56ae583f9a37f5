import type { Redis } from 'ioredis';

import { ProjectStore } from '../../../runtime/state/projectStore';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from '../service/support';
import { getPage, INJECTION, signIn, storedInjectionProject } from './support';

const TOKEN = 'dashboard-token-5c1e9';
const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

const harness = new ServiceHarness();
let service: RuntimeProcess;
let redis: Redis;
let cookie: string;
let projectId: string;

beforeAll(async () => {
	await harness.setUp();
	redis = testRedisClient();
	service = await harness.start({ API_TOKEN: TOKEN }, 'api');
	projectId = await storedInjectionProject(redis, harness.prefix);
	cookie = (await signIn(service, TOKEN)).cookie!;
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	redis?.disconnect();
});

describe('the dashboard needs the sign-in', () => {
	it('without a session a page asked for by a browser goes to the sign-in form; anything else answers 401, Bull Board included', async () => {
		const page = await getPage(service, '/ui/');
		expect(page.status).toBe(303);
		expect(page.headers.get('location')).toBe('/ui/sign-in?next=%2Fui%2F');
		for (const path of ['/ui/projects/' + projectId + '/events', '/ui/projects/' + projectId + '/live', '/ui/queues/api/queues']) {
			const response = await fetch(`${service.url}${path}`);
			expect({ path, status: response.status }).toEqual({ path, status: 401 });
		}
		// The API's Bearer token is not a dashboard session, and a made-up cookie is none either.
		expect((await fetch(`${service.url}/ui/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
		expect((await getPage(service, '/ui/', 'aic_ui_session=' + 'A'.repeat(43))).status).toBe(303);
		const form = await getPage(service, '/ui/sign-in');
		expect(form.status).toBe(200);
		expect(form.text).toMatch(/<label for="token">API token<\/label>\s*<input type="password" id="token" name="token" required/);
	});

	it('a wrong token is refused with the form again and no cookie', async () => {
		const wrong = await signIn(service, `${TOKEN}x`);
		expect(wrong.status).toBe(401);
		expect(wrong.setCookie).toBeNull();
		expect((await signIn(service, '')).status).toBe(401);
	});

	it('the right token gives a session cookie: HttpOnly, SameSite=Strict, for /ui, gone with the browser, not the token', async () => {
		const right = await signIn(service, TOKEN);
		expect(right.status).toBe(303);
		expect(right.location).toBe('/ui/');
		const attributes = right.setCookie!.split('; ');
		expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Path=/ui', 'SameSite=Strict']);
		const value = attributes[0].split('=')[1];
		expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(value).not.toContain(TOKEN);
		// Redis keeps the session by a digest of the cookie, never the cookie itself.
		const keys = await redis.keys(`${harness.prefix}ui:session:*`);
		expect(keys.length).toBeGreaterThanOrEqual(1);
		expect(keys.some((k) => k.includes(value))).toBe(false);
		expect((await getPage(service, '/ui/', right.cookie!)).status).toBe(200);
	});

	it('signing out ends the session on the server', async () => {
		const session = (await signIn(service, TOKEN)).cookie!;
		expect((await getPage(service, '/ui/', session)).status).toBe(200);
		const out = await fetch(`${service.url}/ui/sign-out`, { method: 'POST', redirect: 'manual', headers: { origin: service.url!, cookie: session } });
		expect(out.status).toBe(303);
		expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
		expect((await getPage(service, '/ui/', session)).status).toBe(303);
	});

	it('a post from another origin, or without an Origin, is refused before it changes anything', async () => {
		for (const headers of [{ origin: 'http://evil.example' }, {}] as Array<Record<string, string>>) {
			const response = await fetch(`${service.url}/ui/projects/${projectId}/cancel`, { method: 'POST', redirect: 'manual', headers: { ...headers, cookie } });
			expect(response.status).toBe(403);
		}
		const { body } = await service.request<{ status: string }>('GET', `/api/projects/${projectId}`, undefined, { authorization: `Bearer ${TOKEN}` });
		expect(body.status).toBe('development');
	});
});

describe('every page carries the strict Content-Security-Policy and no inline script or style', () => {
	it('sign-in, projects, a project, its live part, a missing project and the static files; Bull Board its own, under /ui/queues only', async () => {
		for (const path of ['/ui/sign-in', '/ui/', `/ui/projects/${projectId}`, `/ui/projects/${projectId}/live`, '/ui/projects/no-such-project', '/ui/static/dashboard.css', '/ui/static/dashboard.js']) {
			const page = await getPage(service, path, cookie);
			expect({ path, csp: page.headers.get('content-security-policy'), nosniff: page.headers.get('x-content-type-options') }).toEqual({ path, csp: STRICT_CSP, nosniff: 'nosniff' });
			if (page.headers.get('content-type')?.startsWith('text/html')) {
				// Attribute values emptied first: an escaped title may say "onload=" as text.
				const markup = page.text.replace(/"[^"]*"/g, '""');
				expect({ path, inlineScript: /<script(?![^>]*\ssrc=)[^>]*>/.test(markup), inlineStyleOrHandler: /<style|<[a-z][^>]*\s(style|on[a-z]+)=/i.test(markup) }).toEqual({ path, inlineScript: false, inlineStyleOrHandler: false });
			}
		}
		expect((await getPage(service, '/ui/projects/no-such-project', cookie)).status).toBe(404);
		const board = await getPage(service, '/ui/queues', cookie);
		expect(board.status).toBe(200);
		expect(board.text).toContain('<base href="/ui/queues/"');
		expect(board.headers.get('content-security-policy')).toBe(
			"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
		);
		const api = await fetch(`${service.url}/ui/queues/api/queues`, { headers: { cookie } });
		expect(api.status).toBe(200);
		expect(((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual(['jobs']);
		// The API's answers are untouched.
		expect((await fetch(`${service.url}/health`)).headers.get('content-security-policy')).toBeNull();
	});
});

describe('what a client or a model wrote is shown as text', () => {
	it('title, requirements, client, plan, task title, error, test output and a javascript: repository URL never become markup', async () => {
		for (const path of ['/ui/', `/ui/projects/${projectId}`]) {
			const page = await getPage(service, path, cookie);
			expect(page.status).toBe(200);
			expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
			expect(page.text).not.toContain(INJECTION);
			expect(page.text).not.toMatch(/<(img|svg|iframe|b)\s[^>]*on[a-z]+=/i);
			expect(page.text).not.toContain('<script>alert');
			expect(page.text).not.toContain('href="javascript:');
		}
		const page = await getPage(service, `/ui/projects/${projectId}`, cookie);
		expect(page.text).toContain('<pre class="output">&lt;script&gt;alert(5)&lt;/script&gt; ok 1 - T1 works</pre>');
		expect(page.text).toContain('&lt;svg onload=alert(4)&gt;');
		expect(page.text).toContain('&lt;iframe src=javascript:alert(6)&gt;');
	});
});

describe('the projects list pages through the store', () => {
	it('500 projects in one status: the last page shows 451–500 with 50 rows, and links to the newer page', async () => {
		const store = new ProjectStore(redis, { prefix: harness.prefix, source: 'test' });
		const ids: string[] = [];
		for (let batch = 0; batch < 10; batch++) {
			const made = await Promise.all(Array.from({ length: 50 }, (_, i) => store.create({ title: `Bulk ${batch * 50 + i}`, requirements: `bulk ${batch * 50 + i}` })));
			for (const m of made) ids.push(m.project.id);
			await Promise.all(made.map((m) => store.updateStatus(m.project.id, 'on_hold')));
		}
		const started = Date.now();
		const first = await getPage(service, '/ui/?status=on_hold', cookie);
		const firstMs = Date.now() - started;
		const lastStarted = Date.now();
		const last = await getPage(service, '/ui/?status=on_hold&offset=450', cookie);
		const lastMs = Date.now() - lastStarted;
		process.stdout.write(`dashboard paging at 500 projects: first page ${firstMs} ms, last page ${lastMs} ms\n`);
		expect(first.text).toContain('<span>1–50 of 500</span>');
		expect(first.text).toContain('href="/ui/?status=on_hold&amp;offset=50" rel="next"');
		expect(last.text).toContain('<span>451–500 of 500</span>');
		expect(last.text).toContain('href="/ui/?status=on_hold&amp;offset=400" rel="prev"');
		expect(last.text).not.toContain('rel="next"');
		expect(last.text.match(/<tr data-project=/g)).toHaveLength(50);
		expect(first.text).toContain('on hold (500)');
	}, 60_000);
});

describe('the event log streams live', () => {
	it('an event written after the stream opened arrives as a server-sent event, and the stream resumes after Last-Event-ID', async () => {
		const abort = new AbortController();
		const response = await fetch(`${service.url}/ui/projects/${projectId}/events`, { headers: { cookie }, signal: abort.signal });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
		expect(response.headers.get('content-security-policy')).toBe(STRICT_CSP);
		const reader = response.body!.getReader();
		let received = '';
		const readUntil = async (text: string) => {
			const deadline = Date.now() + 5000;
			while (!received.includes(text) && Date.now() < deadline) received += new TextDecoder().decode((await reader.read()).value);
			return received.includes(text);
		};
		await readUntil('retry:');
		const sent = Date.now();
		const { body } = await service.request<{ eventId: string }>('POST', `/api/projects/${projectId}/events`, { type: 'note', message: 'live <b>one</b>' }, { authorization: `Bearer ${TOKEN}` });
		expect(await readUntil('live <b>one</b>')).toBe(true);
		process.stdout.write(`dashboard event stream: an event arrived ${Date.now() - sent} ms after it was written\n`);
		expect(received).toContain(`id: ${body.eventId}\nevent: project\ndata: {"id":"${body.eventId}"`);
		abort.abort();

		// A browser that reconnects sends the last id it saw: only what came after arrives.
		await service.request('POST', `/api/projects/${projectId}/events`, { type: 'note', message: 'while away' }, { authorization: `Bearer ${TOKEN}` });
		const again = new AbortController();
		const resumed = await fetch(`${service.url}/ui/projects/${projectId}/events`, { headers: { cookie, 'last-event-id': body.eventId }, signal: again.signal });
		const second = resumed.body!.getReader();
		let text = '';
		for (const deadline = Date.now() + 5000; !text.includes('while away') && Date.now() < deadline; ) text += new TextDecoder().decode((await second.read()).value);
		again.abort();
		expect(text).toContain('while away');
		expect(text).not.toContain('live <b>one</b>');
	});
});

describe('actions from the project page', () => {
	it('cancel moves the project to cancelled through the same function as the API; delete removes it', async () => {
		const post = (path: string, body = '') =>
			fetch(`${service.url}${path}`, { method: 'POST', redirect: 'manual', headers: { origin: service.url!, cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
		const cancelled = await post(`/ui/projects/${projectId}/cancel`);
		expect(cancelled.status).toBe(303);
		expect(cancelled.headers.get('location')).toBe(`/ui/projects/${projectId}?done=cancelled`);
		const { body } = await service.request<{ status: string; statusReason: string }>('GET', `/api/projects/${projectId}`, undefined, { authorization: `Bearer ${TOKEN}` });
		expect(body).toMatchObject({ status: 'cancelled', statusReason: 'cancelled from the dashboard' });
		// Retrying a cancelled project is refused with the reason, as a page.
		const refused = await post(`/ui/projects/${projectId}/retry`);
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('only a failed project can be retried');
		const deleted = await post(`/ui/projects/${projectId}/delete`);
		expect(deleted.headers.get('location')).toBe('/ui/?done=deleted');
		expect((await service.request('GET', `/api/projects/${projectId}`, undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
	});
});

describe('without API_TOKEN (loopback only)', () => {
	it('the dashboard opens directly, with no sign-in to make', async () => {
		const open = await harness.start({}, 'api');
		const page = await getPage(open, '/ui/');
		expect(page.status).toBe(200);
		expect(page.text).toContain('<h1>The company at a glance</h1>');
		expect(page.text).not.toContain('Sign out');
		expect((await getPage(open, '/ui/sign-in')).status).toBe(303);
	});
});
