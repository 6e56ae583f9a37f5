import type { Message } from 'ollama';
import type { Page } from 'puppeteer-core';

import { signPortalToken } from '../../../runtime/api/portal/portalTokens';
import { TestBrowser } from '../../support/browser';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { callOf, playCompany } from '../../support/scriptedCompany';
import { ServiceHarness, unique } from '../service/support';
import { INJECTION } from './support';

// The functions given to page.evaluate run in Chromium: its DOM is not this (Node) program's, whose
// own stream types clash with lib.dom's, so the page's document is declared here, untyped.
declare const document: any;

// The client portal in a real Chromium: the client opens the link the operator made, reads the
// plan (a script-injection title shows as text), asks for changes with the keyboard (the planner
// plans again with the comment), then approves, and the project runs on to completed. A forged
// token and another project's page show nothing; the pages reach no other origin.

const TOKEN = 'portal-browser-token-5e1';
// Known to the test, so that it can sign a link that is genuine but expired.
const PORTAL_SECRET = 'portal-browser-secret-0123456789abcdef0123';
const auth = { authorization: `Bearer ${TOKEN}` };
const harness = new ServiceHarness();
let service: RuntimeProcess;
let browser: TestBrowser;
let page: Page;
/** Paths the pages asked for that failed (4xx, 5xx). */
const failed: string[] = [];

beforeAll(async () => {
	await harness.setUp();
	playCompany(harness.ollama);
	service = await harness.start({ API_TOKEN: TOKEN, PORTAL_SECRET });
	browser = await TestBrowser.launch();
	page = await browser.newPage();
	page.on('response', (response) => {
		if (response.status() >= 400) failed.push(new URL(response.url()).pathname);
	});
}, 60_000);

afterAll(async () => {
	await browser?.close();
	await harness.tearDown();
});

type Body = Record<string, any>;

async function waitFor(id: string, status: string, timeoutMs = 60_000): Promise<Body> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { body } = await service.request<Body>('GET', `/api/projects/${id}`, undefined, auth);
		if (body.status === status) return body;
		if (Date.now() > deadline) throw new Error(`project ${id} is ${body.status} (${body.statusReason ?? ''}), not ${status}, after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

async function post(title: string, requirements: string): Promise<string> {
	const { status, body } = await service.request<Body>('POST', '/api/projects', { title, requirements, clientName: INJECTION, settings: { approval: 'plan' } }, auth);
	expect(status).toBe(201);
	return body.projectId as string;
}

async function portalLink(id: string): Promise<string> {
	const { status, body } = await service.request<Body>('POST', `/api/projects/${id}/portal-link`, {}, auth);
	expect(status).toBe(201);
	return `${service.url}${body.url as string}`;
}

const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? '');
const plannerPrompts = (requirements: string) =>
	harness.ollama
		.chatRequests()
		.filter((r) => callOf(r).role === 'planner')
		.map((r) => String(((r.body?.messages ?? []) as Message[]).find((m) => m.role === 'user')?.content ?? ''))
		.filter((prompt) => prompt.includes(requirements));

describe('the client portal in a real Chromium', () => {
	it('opens from its link, takes a request for changes and an approval from the keyboard, and the project runs on to completed', async () => {
		const requirements = `${unique('Browser portal')} tasks=2 waves=1`;
		const id = await post(INJECTION, requirements);
		await waitFor(id, 'awaiting_approval', 30_000);
		const link = await portalLink(id);
		const token = new URL(link).searchParams.get('t')!;

		await page.goto(link);
		// The token went into the cookie: the address bar, the page's links and scripts no longer carry it.
		expect(page.url()).toBe(`${service.url}/portal/${id}`);
		expect(await page.content()).not.toContain(token);
		const cookies = await page.cookies();
		expect(cookies.find((c) => c.name === 'aic_portal')).toMatchObject({ value: token, httpOnly: true, sameSite: 'Strict', path: `/portal/${id}` });
		expect(await page.evaluate(() => document.cookie)).toBe('');

		// The title an attacker chose is text: no image element, no alert.
		expect(await text('h1')).toBe(INJECTION);
		expect(await page.$$eval('img', (images) => images.length)).toBe(0);
		expect(await text('#project-status')).toBe('Waiting for your approval');
		expect(await page.$$eval('ol.portal-tasks > li', (items) => items.map((li) => li.getAttribute('data-task')))).toEqual(['T1', 'T2']);
		expect(await text('#estimate')).toMatch(/\d+ hours?/);

		// Request changes with the keyboard: the labelled comment box, then Tab to the buttons.
		await page.focus('#comment');
		expect(await page.$eval('label[for="comment"]', (label) => label.textContent)).toContain('Comment');
		await page.keyboard.type('Please add a CSV export of the list.');
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('approve');
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('request-changes');
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		expect(page.url()).toBe(`${service.url}/portal/${id}?sent=request_changes`);
		expect(await text('[role="status"]')).toContain('made again');

		// The planner planned again with the comment, and the plan waits once more.
		await waitFor(id, 'awaiting_approval', 30_000);
		const prompts = plannerPrompts(requirements);
		expect(prompts).toHaveLength(2);
		expect(prompts[1]).toMatch(/<(CLIENT_DATA_[0-9a-f]{12})>\nPlease add a CSV export of the list\.\n<\/\1>/);

		await page.goto(`${service.url}/portal/${id}`);
		expect(await text('.approval-earlier')).toContain('Please add a CSV export of the list.');
		await page.focus('#approve');
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		expect(await text('[role="status"]')).toContain('approved');

		const done = await waitFor(id, 'completed', 60_000);
		expect(Object.values(done.tasks).map((t: any) => t.status)).toEqual(['done', 'done']);
		await page.goto(`${service.url}/portal/${id}`);
		expect(await text('#project-status')).toBe('Delivered');
		expect(await page.$eval('#progress', (p) => [p.getAttribute('value'), p.getAttribute('max')])).toEqual(['2', '2']);
		expect(await text('#delivery-heading')).toBe('Delivery');
		expect(await page.$('form.approval')).toBeNull();

		const events = (await service.request<Body>('GET', `/api/projects/${id}/events?limit=1000`, undefined, auth)).body.events as Body[];
		expect(events.filter((e) => e.type === 'project.approval_decided').map((e) => `${e.source}:${e.data.decision}`)).toEqual(['portal:request_changes', 'portal:approve']);
		expect(browser.dialogs).toEqual([]);
		// No script error, no CSP refusal: the only failed load is Chromium's own /favicon.ico (401 outside /ui and /portal).
		expect(failed.filter((path) => path !== '/favicon.ico')).toEqual([]);
		expect(browser.consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 401/.test(e))).toEqual([]);
		expect(browser.requestsOutside(service.url!)).toEqual([]);
	}, 150_000);

	it("shows nothing for a forged or expired token or another project's page: the one project's link opens only that project", async () => {
		const title = unique('Mine');
		const mine = await post(title, `${unique('Mine')} tasks=1 waves=1`);
		const theirs = await post(unique('Theirs'), `${unique('Theirs')} tasks=1 waves=1`);
		const link = await portalLink(mine);
		const token = new URL(link).searchParams.get('t')!;

		await page.goto(link);
		expect(await text('h1')).toBe(title);

		// Signed with the service's secret, for this project, but an hour past its expiry.
		const expired = signPortalToken(Buffer.from(PORTAL_SECRET), { projectId: mine, generation: 0, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
		// A fresh browser context: the cookie the good link left must not open the page for the expired one.
		const elsewhere = await browser.newPage({ ownCookies: true });
		const response = await elsewhere.goto(`${service.url}/portal/${mine}?t=${expired}`);
		// Refused at once: not taken into a cookie and redirected (which an expired cookie would only hide).
		expect({ status: response?.status(), redirects: response?.request().redirectChain().length }).toEqual({ status: 401, redirects: 0 });
		expect(await elsewhere.$eval('h1', (h) => h.textContent)).toBe('This link does not open a project');
		expect(await elsewhere.content()).not.toContain(title);
		await elsewhere.browserContext().close();

		for (const url of [`${service.url}/portal/${theirs}`, `${service.url}/portal/${theirs}?t=${token}`, `${service.url}/portal/${mine}?t=${token.slice(0, -3)}abc`]) {
			const response = await page.goto(url);
			expect(response?.status()).toBe(401);
			expect(await text('h1')).toBe('This link does not open a project');
			const html = await page.content();
			for (const secret of [mine, theirs, title]) expect(html).not.toContain(secret);
		}
		expect(browser.requestsOutside(service.url!)).toEqual([]);
	}, 60_000);
});
