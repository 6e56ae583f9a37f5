import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness } from '../service/support';
import { getPage, signIn } from './support';

const TOKEN = 'approval-token-3b7e1';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let cookie: string;

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	service = await harness.start({ API_TOKEN: TOKEN });
	cookie = (await signIn(service, TOKEN)).cookie!;
}, 30_000);
afterAll(() => harness.tearDown());

const auth = { authorization: `Bearer ${TOKEN}` };

async function statusOf(projectId: string, wanted: string, timeoutMs = 60_000): Promise<Record<string, any>> {
	for (const deadline = Date.now() + timeoutMs; ; ) {
		const { body } = await service.request<Record<string, any>>('GET', `/api/projects/${projectId}`, undefined, auth);
		if (body.status === wanted) return body;
		if (Date.now() > deadline) throw new Error(`project ${projectId} is ${body.status}, not ${wanted}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function post(path: string, fields: Record<string, string> = {}): Promise<Response> {
	return fetch(`${service.url}${path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: service.url!, cookie, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
}

describe('the plan approval and the portal link from the dashboard', () => {
	it('requests changes with a comment (the planner plans again), then approves; the project completes', async () => {
		const posted = await service.request<{ projectId: string }>('POST', '/api/projects', { title: 'Approved here', requirements: 'tasks=2 waves=1', settings: { approval: 'plan' } }, auth);
		const id = posted.body.projectId;
		await statusOf(id, 'awaiting_approval');
		const page = await getPage(service, `/ui/projects/${id}`, cookie);
		expect(page.text).toContain('<button type="submit">Approve the plan</button>');
		expect(page.text).toContain('<label for="approval-comment">What should change</label>');

		const changes = await post(`/ui/projects/${id}/approval`, { decision: 'request_changes', comment: 'Add a README task' });
		expect(changes.status).toBe(303);
		const again = await statusOf(id, 'awaiting_approval');
		expect(again.approval).toMatchObject({ decision: 'request_changes', source: 'dashboard', changeRequests: 1, comment: 'Add a README task' });

		const refused = await post(`/ui/projects/${id}/approval`, { decision: 'maybe' });
		expect(refused.status).toBe(400);
		expect(await refused.text()).toContain('decision');

		expect((await post(`/ui/projects/${id}/approval`, { decision: 'approve' })).headers.get('location')).toBe(`/ui/projects/${id}?done=approved`);
		await statusOf(id, 'completed', 90_000);
	}, 120_000);

	it('a portal link made on the project page opens that project\'s portal', async () => {
		const posted = await service.request<{ projectId: string }>('POST', '/api/projects', { title: 'Portal here', requirements: 'tasks=1 waves=1', start: false }, auth);
		const made = await post(`/ui/projects/${posted.body.projectId}/portal-link`);
		expect(made.status).toBe(200);
		const text = await made.text();
		const link = /id="portal-link" readonly value="([^"]+)"/.exec(text)?.[1].replace(/&amp;/g, '&');
		expect(link).toMatch(new RegExp(`^${service.url}/portal/${posted.body.projectId}\\?t=`));
		// The portal moves the token into a cookie of its own and sends the browser on without it.
		const first = await fetch(link!, { redirect: 'manual' });
		expect(first.status).toBe(303);
		const portal = await fetch(new URL(first.headers.get('location')!, service.url!), { headers: { cookie: first.headers.get('set-cookie')!.split(';')[0] } });
		expect(portal.status).toBe(200);
		expect(await portal.text()).toContain('Portal here');
	});
});
