import type { Redis } from 'ioredis';

import { ProjectStore } from '../../../runtime/state/projectStore';
import { testRedisClient } from '../../support/redis';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { ServiceHarness } from '../service/support';

// Served over https through a reverse proxy that terminates TLS (the way a service with API_TOKEN
// is put on a network), the process itself speaks http: the proxy says https in X-Forwarded-Proto.
// The dashboard's session cookie and the portal's link cookie must then be Secure, so a browser never
// sends them over plain http; and the portal link the dashboard shows must be an https one.

const TOKEN = 'proxy-cookie-token-3a7c0';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let redis: Redis;
let projectId: string;

beforeAll(async () => {
	await harness.setUp();
	redis = testRedisClient();
	service = await harness.start({ API_TOKEN: TOKEN }, 'api');
	const store = new ProjectStore(redis, { prefix: harness.prefix, source: 'test' });
	projectId = (await store.create({ title: 'Behind a proxy', requirements: 'A project served through an https proxy.' })).project.id;
}, 30_000);

afterAll(async () => {
	await harness.tearDown();
	redis?.disconnect();
});

const PUBLIC = 'https://company.example';

describe('behind an https proxy (X-Forwarded-Proto: https)', () => {
	it("the dashboard's session cookie is Secure, and the portal link it shows is https", async () => {
		const response = await fetch(`${service.url}/ui/sign-in`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'x-forwarded-proto': 'https', origin: service.url!, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ token: TOKEN }).toString(),
		});
		expect(response.status).toBe(303);
		const setCookie = response.headers.get('set-cookie')!;
		expect(setCookie.split('; ')).toContain('Secure');
		const cookie = setCookie.split(';')[0];
		const signOut = await fetch(`${service.url}/ui/sign-out`, { method: 'POST', redirect: 'manual', headers: { 'x-forwarded-proto': 'https', origin: service.url!, cookie } });
		expect(signOut.headers.get('set-cookie')!.split('; ')).toContain('Secure');

		const again = await fetch(`${service.url}/ui/sign-in`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'x-forwarded-proto': 'https', origin: service.url!, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ token: TOKEN }).toString(),
		});
		const session = again.headers.get('set-cookie')!.split(';')[0];
		const link = await fetch(`${service.url}/ui/projects/${projectId}/portal-link`, { method: 'POST', headers: { 'x-forwarded-proto': 'https', origin: service.url!, cookie: session } });
		expect(link.status).toBe(200);
		const host = new URL(service.url!).host;
		expect(await link.text()).toContain(`https://${host}/portal/${projectId}?t=`);
	});

	it("the portal's link cookie is Secure", async () => {
		const made = await service.request<{ url: string }>('POST', `/api/projects/${projectId}/portal-link`, {}, { authorization: `Bearer ${TOKEN}` });
		const response = await fetch(`${service.url}${made.body.url}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https', referer: PUBLIC } });
		expect(response.status).toBe(303);
		expect(response.headers.get('set-cookie')!.split('; ')).toContain('Secure');
	});

	it('over plain http (no such header) the cookies are not Secure, or the browser would drop them', async () => {
		const response = await fetch(`${service.url}/ui/sign-in`, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: service.url!, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ token: TOKEN }).toString(),
		});
		expect(response.headers.get('set-cookie')!.split('; ')).not.toContain('Secure');
	});
});
