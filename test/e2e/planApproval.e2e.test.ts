/**
 * The plan approval path of the shipped template, workflows/autonomous-project.json, in a real n8n
 * 2.41.1 (the package installed the Community Nodes way) against a real runtime service process (the
 * scripted model of test/support/scriptedCompany.ts behind it) and a real SMTP server on loopback
 * (test/support/smtpSink.ts) as the template's SMTP credential. Imported as shipped with only its
 * Settings node (approval "plan", client notification on, a local folder as git remote) and its
 * Portal settings node (the service's URL) changed. A client's request on /webhook/new-project stops
 * at awaiting_approval; the template's AI Company Trigger hears of it, makes a portal link and emails
 * it to the client; the client opens the mail's link in a real Chromium and approves the plan with
 * the keyboard; the project runs on to completed and the client gets the delivery email.
 */
import path from 'node:path';

import type { Page } from 'puppeteer-core';

import { ServiceHarness } from '../integration/service/support';
import { TestBrowser } from '../support/browser';
import { closedPort } from '../support/ports';
import { eventually } from '../support/eventually';
import { playCompany } from '../support/scriptedCompany';
import type { RuntimeProcess } from '../support/runtimeProcess';
import { SmtpSink } from '../support/smtpSink';
import { companyApiCredential, credentialOf, readWorkflow, REPO_ROOT, startN8nWithWorkflows, type Workflow } from './support/n8nWithWorkflows';

// The functions given to page.evaluate run in Chromium, whose DOM this (Node) program does not type.
declare const document: any;

const API_TOKEN = 'e2e-approval-token-7f3a9c';
const CLIENT = { name: 'Grace', email: 'grace@example.com' };
const harness = new ServiceHarness();
let service: RuntimeProcess;
let servicePort: number;
let smtp: SmtpSink;
let browser: TestBrowser;

/** The value of each named assignment of a Set node of the template, changed as an operator would. */
function setValues(workflow: Workflow, nodeName: string, values: Record<string, unknown>): void {
	const node = workflow.nodes.find((n) => n.name === nodeName);
	if (!node) throw new Error(`the template has no "${nodeName}" node`);
	const assignments = (node.parameters!.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
	for (const [name, value] of Object.entries(values)) {
		const assignment = assignments.find((a) => a.name === name);
		if (!assignment) throw new Error(`the "${nodeName}" node has no "${name}"`);
		assignment.value = value;
	}
}

const template = readWorkflow(path.join(REPO_ROOT, 'workflows', 'autonomous-project.json'));
setValues(template, 'Settings', { gitRemoteBase: harness.gitBase, approval: 'plan', notifyClient: true });

// Before n8n starts: its credentials name the service's URL and the SMTP sink's port, and the
// Portal settings the service's URL the client's browser reaches.
beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	smtp = await SmtpSink.start();
	servicePort = await closedPort();
	service = await harness.start({ API_TOKEN, PORT: String(servicePort), CONCURRENCY: '4', JOB_BACKOFF_MS: '1000' });
	setValues(template, 'Portal settings', { serviceUrl: service.url, fromEmail: 'portal@ai-company.test' });
	browser = await TestBrowser.launch();
}, 60_000);

const e2e = startN8nWithWorkflows({
	label: 'approval',
	workflows: [template],
	webhookPaths: ['new-project'],
	expectNodes: ['projectState', 'aiCompanyTrigger'],
	credentials: () => [
		companyApiCredential(credentialOf(template, 'Create project', 'aiCompanyApi'), `http://127.0.0.1:${servicePort}`, API_TOKEN),
		{ ...credentialOf(template, 'Email the portal link', 'smtp'), type: 'smtp', data: { host: '127.0.0.1', port: smtp.port, user: '', password: '', secure: false } },
	],
	afterStop: async () => {
		await browser?.close();
		await smtp?.close();
		await harness.tearDown();
	},
});

type Body = Record<string, any>;
const api = <T = Body>(method: string, apiPath: string) => service.request<T>(method, apiPath, undefined, { authorization: `Bearer ${API_TOKEN}` });
const eventsOf = async (projectId: string) => (await api<{ events: Body[] }>('GET', `/api/projects/${projectId}/events?limit=1000`)).body.events;

async function statusOf(projectId: string, wanted: string, timeoutMs = 120_000): Promise<Body> {
	return eventually(
		`project ${projectId} ${wanted}`,
		async () => {
			const { body } = await api('GET', `/api/projects/${projectId}`);
			if (body.status !== wanted && ['completed', 'failed', 'cancelled'].includes(body.status)) throw new Error(`project ${projectId} ended ${body.status} (${body.statusReason ?? ''}), not ${wanted}`);
			return body.status === wanted ? body : undefined;
		},
		timeoutMs,
	);
}

/** Presses Tab from the top of the page until `id` has the focus: the control is reachable by keyboard. */
async function tabTo(page: Page, id: string): Promise<string[]> {
	const visited: string[] = [];
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press('Tab');
		const focused = (await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName)) as string;
		visited.push(focused);
		if (focused === id) return visited;
	}
	throw new Error(`#${id} never got the keyboard focus; Tab visited ${visited.join(', ')}`);
}

test('with approval "plan" the template emails the client a portal link; the client approves in a real Chromium with the keyboard and the project runs on to completed and is delivered by email', async () => {
	await e2e.withN8nLog(async () => {
		const intake = await e2e.timed('intake answered', () =>
			e2e.post('new-project', { requirements: 'tasks=2 waves=1 (approval e2e)', title: 'Approval shop', clientName: CLIENT.name, clientEmail: CLIENT.email, key: 'approval-1' }),
		);
		console.log(`new-project answered ${intake.status}: ${intake.text}`);
		expect(intake.status).toBe(202);
		const projectId = (JSON.parse(intake.text) as Body).projectId as string;

		// The plan waits for the client: nothing is developed.
		const waiting = await e2e.timed('planned, awaiting approval', () => statusOf(projectId, 'awaiting_approval'));
		expect(Object.values(waiting.tasks).map((t: any) => t.status)).toEqual(['pending', 'pending']);

		// The template's trigger heard of it and emailed the client the portal link.
		const [invitation] = await e2e.timed('portal link emailed', () => eventually('the portal link email', async () => (smtp.to(CLIENT.email).length ? smtp.to(CLIENT.email) : undefined), 60_000));
		console.log(`the client's email: ${invitation.subject}\n${invitation.text}`);
		expect(invitation.from).toBe('portal@ai-company.test');
		expect(invitation.subject).toBe('Your plan for "Approval shop" is ready for your approval');
		expect(invitation.text).toContain(`Hello ${CLIENT.name},`);
		const links = invitation.text.match(/https?:\/\/\S+/g) ?? [];
		expect(links).toHaveLength(1);
		const link = String(links[0]);
		expect(link).toMatch(new RegExp(`^${service.url!.replace(/[.]/g, '\\.')}/portal/${projectId}\\?t=[A-Za-z0-9._~-]+$`));
		// The link carries the portal's own signed token, never the service's API token.
		expect(invitation.raw).not.toContain(API_TOKEN);
		expect(link).not.toContain(API_TOKEN);
		expect(invitation.text).toMatch(/The link works until \d{4}-\d{2}-\d{2}T/);
		// Signed by the company, without n8n's own footer (Send Email 2.1 appends one unless told not to).
		expect(invitation.text.trimEnd()).toMatch(/\n\nThe AI Company$/);

		// The workflow logged the request for approval in the project's log.
		const requested = await eventually('client.approval_requested logged', async () => (await eventsOf(projectId)).find((e) => e.type === 'client.approval_requested'));
		expect(requested.data).toMatchObject({ message: `portal link sent to ${CLIENT.email}`, expiresAt: expect.stringMatching(/^\d{4}-/) });

		// The client opens the mail's link and approves the plan with the keyboard.
		const page = await browser.newPage();
		await e2e.timed('portal opened', () => page.goto(link));
		expect(page.url()).toBe(`${service.url}/portal/${projectId}`);
		expect(await page.$eval('h1', (h) => h.textContent)).toBe('Approval shop');
		expect(await page.$eval('#project-status', (s) => s.textContent)).toBe('Waiting for your approval');
		const tabs = await tabTo(page, 'approve');
		console.log(`Tab went through ${tabs.join(' → ')}`);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		expect(await page.$eval('[role="status"]', (s) => s.textContent)).toContain('approved');

		const done = await e2e.timed('approved to completed', () => statusOf(projectId, 'completed', 60_000));
		expect(Object.values(done.tasks).map((t: any) => t.status)).toEqual(['done', 'done']);
		const decided = (await eventsOf(projectId)).filter((e) => e.type === 'project.approval_decided');
		expect(decided.map((e) => `${e.source}:${e.data.decision}`)).toEqual(['portal:approve']);

		// The template's end branch emails the delivery to the client and logs it.
		const delivery = await e2e.timed('delivery emailed', () =>
			eventually('the delivery email', async () => smtp.to(CLIENT.email).find((m) => m.subject === 'Your project "Approval shop" is ready')),
		);
		expect(delivery.text).toContain('is done: 2 tasks, all tested.');
		expect(delivery.text.trimEnd()).toMatch(/\n\nThe AI Company$/);
		expect(delivery.text).toContain(`Repository: ${path.join(harness.gitBase, `${projectId}.git`)}`);
		const delivered = await eventually('project.delivered logged', async () => (await eventsOf(projectId)).find((e) => e.type === 'project.delivered'));
		expect(delivered.data).toMatchObject({ notified: true });
		// One invitation, one delivery: nothing else went to the client.
		expect(smtp.to(CLIENT.email).map((m) => m.subject)).toEqual(['Your plan for "Approval shop" is ready for your approval', 'Your project "Approval shop" is ready']);
		expect(browser.requestsOutside(service.url!)).toEqual([]);
	});
}, 300_000);
