import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';

/** Debian's chromium (apt package `chromium`; .ci/run installs it), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One request a page made, as the browser sent it. */
export interface SeenRequest {
	url: string;
	method: string;
	resourceType: string;
}

/**
 * A real headless Chromium with a profile of its own (removed on close), that talks to nothing
 * but the pages it is sent to: no background networking, component updates, sync or first-run
 * calls of its own. Every request any of its pages makes is recorded, so a test can show that a
 * page reached no other origin.
 */
export class TestBrowser {
	readonly requests: SeenRequest[] = [];
	/** Console errors and page errors (a CSP refusal shows here too). */
	readonly consoleErrors: string[] = [];
	/** The messages of alert, confirm and prompt dialogs any page opened (each dismissed): an injected script shows here. */
	readonly dialogs: string[] = [];

	private constructor(
		readonly browser: Browser,
		private readonly profile: string,
	) {}

	static async launch(): Promise<TestBrowser> {
		if (!existsSync(CHROMIUM_PATH)) {
			throw new Error(`No browser at ${CHROMIUM_PATH}: the page tests run in Debian's chromium (apt-get install chromium; .ci/run installs it), or set CHROMIUM_PATH to another Chromium or Chrome`);
		}
		const profile = mkdtempSync(join(tmpdir(), 'aic-chromium-'));
		const browser = await puppeteer.launch({
			executablePath: CHROMIUM_PATH,
			headless: true,
			userDataDir: profile,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--no-default-browser-check',
				'--disable-dev-shm-usage',
				`--user-data-dir=${profile}`,
			],
		});
		return new TestBrowser(browser, profile);
	}

	/**
	 * A new tab whose requests, console errors, page errors and dialogs are recorded. `ownCookies`: in a
	 * browser context of its own (like a private window), sharing no cookie with the other tabs;
	 * close it with `page.browserContext().close()`.
	 */
	async newPage(options: { ownCookies?: boolean } = {}): Promise<Page> {
		const page = options.ownCookies ? await (await this.browser.createBrowserContext()).newPage() : await this.browser.newPage();
		page.on('request', (request: HTTPRequest) => this.requests.push({ url: request.url(), method: request.method(), resourceType: request.resourceType() }));
		page.on('console', (message) => {
			if (message.type() === 'error') this.consoleErrors.push(message.text());
		});
		page.on('pageerror', (error) => this.consoleErrors.push(String(error)));
		page.on('dialog', (dialog) => {
			this.dialogs.push(dialog.message());
			void dialog.dismiss();
		});
		return page;
	}

	/** Requests to anything but `origin` (data: URLs aside, which never leave the page). */
	requestsOutside(origin: string): SeenRequest[] {
		return this.requests.filter((r) => !r.url.startsWith('data:') && new URL(r.url).origin !== origin);
	}

	async close(): Promise<void> {
		await this.browser.close().catch(() => undefined);
		rmSync(this.profile, { recursive: true, force: true });
	}
}
