import type { Page } from 'puppeteer-core';

import { TestBrowser } from '../../support/browser';
import type { RuntimeProcess } from '../../support/runtimeProcess';
import { playCompany } from '../../support/scriptedCompany';
import { ServiceHarness } from '../service/support';
import { INJECTION } from './support';

// The functions given to page.evaluate run in Chromium: its DOM is not this (Node) program's, whose
// own stream types clash with lib.dom's, so the page's document is declared here, untyped.
declare const document: any;

const TOKEN = 'browser-token-91d0c';
const harness = new ServiceHarness();
let service: RuntimeProcess;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
	await harness.setUp();
	// Each model reply takes 600 ms, so a task's moves can be watched.
	playCompany(harness.ollama, undefined, { delayMs: 600 });
	service = await harness.start({ API_TOKEN: TOKEN, CONCURRENCY: '2' });
	browser = await TestBrowser.launch();
	page = await browser.newPage();
}, 60_000);

afterAll(async () => {
	await browser?.close();
	await harness.tearDown();
});

/** The status each task row shows right now, by task id. */
function taskStatuses(): Promise<Record<string, string>> {
	return page.$$eval('#tasks tr[data-task]', (rows) => Object.fromEntries(rows.map((row) => [row.getAttribute('data-task') ?? '', row.querySelector('.task-status .status')?.textContent ?? ''])));
}

describe('the dashboard in a real Chromium', () => {
	it('signs in with the keyboard, then shows a running project whose tasks change status live, without reloading', async () => {
		await page.goto(`${service.url}/ui/`);
		expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
		await page.focus('#token');
		await page.keyboard.type(TOKEN);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		expect(new URL(page.url()).pathname).toBe('/ui/');
		expect(await page.$eval('h1', (h) => h.textContent)).toBe('The company at a glance');

		const posted = await service.request<{ projectId: string }>('POST', '/api/projects', { title: INJECTION, requirements: `tasks=3 waves=3 ${INJECTION}`, clientName: INJECTION }, { authorization: `Bearer ${TOKEN}` });
		expect(posted.status).toBe(201);
		const projectId = posted.body.projectId;
		await page.goto(`${service.url}/ui/projects/${projectId}`);
		await page.waitForFunction(() => document.getElementById('live-state')?.textContent === 'live', { timeout: 10_000 });
		// A mark on this document: it is still there at the end only if the page never reloaded.
		await page.evaluate(() => document.body.setAttribute('data-loaded-once', 'yes'));

		// Watch the task table as the project runs: every task is seen pending or in progress first, then done.
		const seen: Record<string, string[]> = {};
		const deadline = Date.now() + 90_000;
		for (;;) {
			const statuses = await taskStatuses();
			for (const [task, status] of Object.entries(statuses)) {
				const trail = (seen[task] ??= []);
				if (trail.at(-1) !== status) trail.push(status);
			}
			const ids = Object.keys(statuses);
			if (ids.length === 3 && ids.every((id) => statuses[id] === 'done')) break;
			if (Date.now() > deadline) throw new Error(`tasks not all done on the page: ${JSON.stringify(seen)}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(Object.keys(seen).sort()).toEqual(['T1', 'T2', 'T3']);
		for (const trail of Object.values(seen)) {
			expect(trail.at(-1)).toBe('done');
			expect(trail.length).toBeGreaterThanOrEqual(2);
		}
		expect(await page.evaluate(() => document.body.getAttribute('data-loaded-once'))).toBe('yes');
		const logged = await page.$$eval('#events li', (items) => items.map((li) => li.querySelector('span')?.textContent ?? ''));
		expect(logged.some((text) => text.startsWith('task.done'))).toBe(true);

		// The project's end shows too, still without a reload.
		await page.waitForFunction(() => document.querySelector('#live .status')?.textContent === 'completed', { timeout: 90_000 });
		expect(await page.evaluate(() => document.body.getAttribute('data-loaded-once'))).toBe('yes');
	}, 150_000);

	it('shows the injection title, requirements and client as text: no element made of them, no dialog', async () => {
		expect(await page.$eval('h1', (h) => h.textContent)).toBe(INJECTION);
		expect(await page.$eval('#requirements', (pre) => pre.textContent)).toContain(INJECTION);
		expect(await page.$$eval('img, iframe, svg', (elements) => elements.length)).toBe(0);
		await page.goto(`${service.url}/ui/?status=completed`);
		expect(await page.$$eval('tr[data-project] td a', (links) => links.map((a) => a.textContent))).toContain(INJECTION);
		expect(await page.$$eval('img', (elements) => elements.length)).toBe(0);
		expect(browser.dialogs).toEqual([]);
	});

	it('Bull Board renders under the same sign-in and its own policy', async () => {
		await page.goto(`${service.url}/ui/queues`);
		await page.waitForFunction(() => document.body.innerText.includes('jobs'), { timeout: 15_000 });
	}, 30_000);

	it('no page asked for anything from another origin, and the browser reported no error (a CSP refusal would be one)', () => {
		const outside = browser.requestsOutside(service.url!);
		expect(outside).toEqual([]);
		// The pages were really watched: sign-in, the list, the project page and its stream, Bull Board.
		const paths = new Set(browser.requests.map((r) => new URL(r.url).pathname));
		expect([...paths]).toEqual(expect.arrayContaining(['/ui/sign-in', '/ui/', '/ui/static/dashboard.js', '/ui/queues']));
		expect(browser.requests.some((r) => /^\/ui\/projects\/[^/]+\/events$/.test(new URL(r.url).pathname))).toBe(true);
		expect(browser.consoleErrors).toEqual([]);
	});
});
