#!/usr/bin/env node
'use strict';
/**
 * The README's screenshots of this package in a real n8n editor (never part of `npm test`).
 *
 *   npm run build
 *   apt-get install -y chromium                                   # or set CHROMIUM_PATH
 *   npm install --prefix /tmp/shots playwright-core               # outside the repo
 *   PLAYWRIGHT_CORE=/tmp/shots/node_modules/playwright-core node scripts/screenshots.js
 *
 * What it does, with nothing of yours touched (a throwaway n8n user folder in /tmp, removed at
 * the end; free ports; Redis keys under their own prefix, deleted at the end):
 *  1. starts a stand-in Ollama (GET /api/version and /api/tags with two models, so the Model
 *     dropdowns and the credential Test have something to list; POST /api/chat answered by the
 *     scripted company of the tests, so a whole project can run);
 *  2. runs `scripts/run-local.js` (what `npm run start:local` runs: n8n 2.41.1 from the cache with
 *     this package installed like Community Nodes, the runtime service, the "AI Company (local)"
 *     credential, the templates of workflows/ imported), with AIC_HOME, N8N_PORT, RUNTIME_PORT,
 *     OLLAMA_HOST, REDIS_URL, KEY_PREFIX and the owner account set by this script;
 *  3. creates (REST, not published) one more workflow with an AI Company node and an AI Company
 *     Trigger, for their panels; for the execution shot, posts a client request to the company
 *     template's /webhook/new-project ("tasks=3 waves=2 bug=T2") and waits until the service has
 *     completed the project and n8n's execution of the template has finished;
 *  4. signs in with chromium (playwright-core) and writes, into docs/ (canvases: a 1400x900 window
 *     at 2 device pixels per CSS pixel; node panels: a 1000x900 window; the credential dialog
 *     cropped to the dialog):
 *       canvas-develop-project.png   the develop-project template's canvas
 *       canvas-plan-project.png      the plan-project template's canvas
 *       canvas-autonomous-project.png  the autonomous-project (whole company) template's canvas
 *       execution-autonomous-project.png  that template's finished execution of the request above,
 *                                    in the executions view (canvas size and scale)
 *       node-ai-developer.png        AI Developer's panel, a model picked from its Model dropdown
 *       node-ai-reviewer.png         AI Reviewer's panel in the develop-project template
 *       node-ai-company.png          AI Company's panel (with Intake Fields and Project Settings)
 *       node-ai-company-trigger.png  AI Company Trigger's panel (Events)
 *       credential-ai-company-api.png  the credential dialog after its test (Retry pressed)
 *       dashboard.png                the operator dashboard (/ui/): the company at a glance, the projects
 *       dashboard-project.png        a project's page mid-run: tasks, plan, the live event log
 *       portal.png                   the client portal of a plan waiting for the client's approval
 *     (the dashboard and portal shots need no n8n: SHOTS_ONLY=dashboard,dashboard-project,portal takes only them,
 *     from the service in runtime/dist or AIC_RUNTIME_DIST, in chromium driven by puppeteer-core)
 *  5. stops run-local (n8n, then the service) and the stand-in, deletes its Redis keys and folder.
 * Look at every PNG afterwards: a changed editor can move things without any error here.
 *
 * Environment:
 *   PLAYWRIGHT_CORE  path of an installed playwright-core (default: require('playwright-core'))
 *   CHROMIUM_PATH    default /usr/bin/chromium
 *   REDIS_URL        default redis://127.0.0.1:6379/15 (only keys under KEY_PREFIX are deleted)
 *   SHOTS_DIR        where the PNGs go (default docs/ of this repo)
 *   SHOTS_ONLY       comma-separated file names (without .png) to take only some shots
 *   SHOTS_KEEP=1     keep n8n running after the shots (Ctrl-C stops everything): to look at
 *                    the editor yourself when a selector needs fixing
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const n8n = require('./lib/n8nInstance');

const REPO_ROOT = n8n.REPO_ROOT;
const OUT_DIR = path.resolve(process.env.SHOTS_DIR || path.join(REPO_ROOT, 'docs'));
const VIEWPORT = { width: 1400, height: 900 };
/** Node panels: 1000 px wide, so the parameters column is not lost between empty Input and Output. */
const PANEL_VIEWPORT = { width: 1000, height: 900 };
const ONLY = (process.env.SHOTS_ONLY || '').split(',').map((s) => s.trim()).filter(Boolean);
const CREDENTIAL = { id: 'aicCompanyApiLocal1', name: 'AI Company (local)' }; // made by run-local.js
const PKG = 'n8n-nodes-ai-company';

/** @param {string} message */
const say = (message) => process.stdout.write(`[screenshots] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// A stand-in Ollama: the model list and health, and a scripted model that plays the whole company.

const MODELS = [
	{ name: 'llama3.2:3b', size: 2_019_393_189, details: { parameter_size: '3.2B', family: 'llama', quantization_level: 'Q4_K_M' } },
	{ name: 'qwen2.5-coder:7b', size: 4_683_087_332, details: { parameter_size: '7.6B', family: 'qwen2', quantization_level: 'Q4_K_M' } },
];

const { loadScriptedCompany } = require('./lib/scriptedCompany');
const company = loadScriptedCompany();

/**
 * The tests' scripted model (test/support/scriptedCompany.ts): requirements like "tasks=3 waves=2
 * bug=T2" are planned, coded (wrong on the first try for the tasks after bug=) and tested.
 * @param {Array<{ role: string, content: string }>} messages  an /api/chat request's messages
 * @returns {unknown} the reply, to be sent as JSON text
 */
function companyReply(messages) {
	return company.companyReply(company.callOf({ body: { messages } }), messages.map((m) => m.content).join('\n'));
}

/**
 * POST /api/chat: the scripted company's reply, streamed as Ollama does (one content line, then
 * the final done line) or in one JSON object when the request says stream: false.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function answerChat(req, res) {
	let raw = '';
	for await (const chunk of req) raw += chunk;
	if (standIn.chatDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, standIn.chatDelayMs));
	const body = JSON.parse(raw || '{}');
	const model = String(body.model ?? '');
	let content;
	try {
		content = JSON.stringify(companyReply(body.messages ?? []));
	} catch (error) {
		res.writeHead(500, { 'content-type': 'application/json' });
		return void res.end(JSON.stringify({ error: /** @type {Error} */ (error).message }));
	}
	const createdAt = new Date().toISOString();
	const tokens = Math.ceil(content.length / 4);
	const final = { model, created_at: createdAt, done: true, done_reason: 'stop', total_duration: 5_000_000, load_duration: 1_000_000, prompt_eval_count: Math.ceil(raw.length / 4), prompt_eval_duration: 2_000_000, eval_count: tokens, eval_duration: tokens * 1_000_000 };
	if (body.stream === false) {
		res.writeHead(200, { 'content-type': 'application/json' });
		return void res.end(JSON.stringify({ ...final, message: { role: 'assistant', content } }));
	}
	res.writeHead(200, { 'content-type': 'application/x-ndjson' });
	res.write(`${JSON.stringify({ model, created_at: createdAt, message: { role: 'assistant', content }, done: false })}\n`);
	res.end(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
}

/** How long the stand-in waits before each chat reply (the dashboard shots slow it down to catch a project mid-run). */
const standIn = { chatDelayMs: 0 };

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
function startStandInOllama() {
	const server = http.createServer((req, res) => {
		const send = (/** @type {number} */ status, /** @type {unknown} */ body) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const url = (req.url || '').split('?')[0];
		if (req.method === 'GET' && url === '/api/version') return send(200, { version: '0.12.0' });
		if (req.method === 'GET' && url === '/api/tags') {
			const modifiedAt = new Date().toISOString();
			return send(200, {
				models: MODELS.map((m) => ({
					...m,
					model: m.name,
					modified_at: modifiedAt,
					digest: crypto.createHash('sha256').update(m.name).digest('hex'),
					details: { format: 'gguf', families: [m.details.family], parent_model: '', ...m.details },
				})),
			});
		}
		if (req.method === 'POST' && url === '/api/chat') return void answerChat(req, res).catch((error) => send(400, { error: String(error) }));
		if (req.method === 'GET' && url === '/') return res.end('Ollama is running');
		return send(404, { error: 'the screenshot stand-in answers only /api/version, /api/tags and /api/chat' });
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
			resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
		});
	});
}

// ---------------------------------------------------------------------------------------------
// n8n + the service, through run-local.js

/**
 * @typedef {object} LocalRun
 * @property {string} url     n8n's editor
 * @property {() => Promise<void>} stop
 */

/**
 * Start `node scripts/run-local.js` in its own process group and wait for "n8n is running".
 * @param {Record<string, string>} env
 * @returns {Promise<LocalRun>}
 */
function startLocal(env) {
	const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'run-local.js')], {
		cwd: REPO_ROOT,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	let exited = false;
	const exit = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
	child.once('exit', () => {
		exited = true;
	});
	const logFile = path.join(env.AIC_HOME, 'start-local.out');
	const log = fs.createWriteStream(logFile);
	for (const stream of [child.stdout, child.stderr]) {
		stream.on('data', (chunk) => {
			output += chunk;
			log.write(chunk);
		});
	}
	const stop = async () => {
		if (!exited) {
			try {
				process.kill(/** @type {number} */ (child.pid), 'SIGTERM'); // run-local stops n8n, then the service
			} catch {
				/* gone */
			}
			const timer = setTimeout(() => {
				try {
					process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
				} catch {
					/* gone */
				}
			}, 60_000);
			await exit;
			clearTimeout(timer);
		}
		log.end();
	};
	return new Promise((resolve, reject) => {
		const timer = setInterval(() => {
			const running = /\[start:local\] n8n is running: (http\S+)/.exec(output);
			if (running) {
				clearInterval(timer);
				resolve({ url: running[1], stop });
			} else if (exited) {
				clearInterval(timer);
				reject(new Error(`start:local ended before n8n ran; its output:\n${n8n.tailText(output, 40)}`));
			}
		}, 250);
	});
}

/** An unpublished workflow with the two nodes whose panels the templates do not have. */
function nodesWorkflow() {
	const credentials = { aiCompanyApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } };
	return {
		name: 'Screenshots: AI Company and its trigger',
		nodes: [
			{
				id: 'a1c00000-0000-4000-8000-000000000001',
				name: 'AI Company Trigger',
				type: `${PKG}.aiCompanyTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'a1c00000-0000-4000-8000-0000000000a1',
				parameters: { events: ['project.completed', 'project.failed', 'task.failed'] },
				credentials,
			},
			{
				id: 'a1c00000-0000-4000-8000-000000000002',
				name: 'Client request',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 260],
				webhookId: 'a1c00000-0000-4000-8000-0000000000a2',
				parameters: { httpMethod: 'POST', path: 'screenshots-run-project', options: {} },
			},
			{
				id: 'a1c00000-0000-4000-8000-000000000003',
				name: 'AI Company',
				type: `${PKG}.aiCompany`,
				typeVersion: 1,
				position: [260, 260],
				parameters: {
					requirements: '={{ $json.body.requirements }}',
					intake: { clientName: '={{ $json.body.client.name }}', idempotencyKey: '={{ $json.body.idempotencyKey }}' },
					execution: 'wait',
					settings: { developerModel: 'qwen2.5-coder:7b', maxFixAttempts: 3 },
				},
				credentials,
			},
		],
		connections: { 'Client request': { main: [[{ node: 'AI Company', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * One client request through the company template, to its end: POST /webhook/new-project, the
 * service runs the project (the stand-in model plays every role), its end callback resumes *Wait
 * for the end*, the execution ends after *Log delivery*.
 * @param {{ url: string, serviceUrl: string, serviceToken: string, workflowId: string, session: { get: (p: string) => Promise<any> } }} ctx
 * @returns {Promise<string>} the finished execution's id
 */
async function runProject(ctx) {
	await n8n.waitForWebhook(ctx.url, 'new-project');
	const intake = { requirements: 'tasks=3 waves=2 bug=T2', title: 'Todo API', clientName: 'Ada', key: 'shot-1' };
	const answer = await fetch(`${ctx.url}/webhook/new-project`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(intake) });
	const accepted = /** @type {{ projectId?: string }} */ (await answer.json().catch(() => ({})));
	if (answer.status !== 202 || !accepted.projectId) throw new Error(`new-project answered ${answer.status} ${JSON.stringify(accepted)}`);
	say(`new-project answered 202 with project ${accepted.projectId}; waiting for its end`);
	const until = async (/** @type {string} */ what, /** @type {() => Promise<any>} */ read, timeoutMs = 180_000) => {
		for (const deadline = Date.now() + timeoutMs; ; await n8n.sleep(500)) {
			const value = await read();
			if (value !== undefined) return value;
			if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		}
	};
	const project = await until(`project ${accepted.projectId} ended`, async () => {
		const res = await fetch(`${ctx.serviceUrl}/api/projects/${accepted.projectId}?wait=10`, { headers: { authorization: `Bearer ${ctx.serviceToken}` } });
		const body = await res.json();
		return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
	});
	if (project.status !== 'completed') throw new Error(`project ${project.id} ended ${project.status}: ${project.reason ?? ''}`);
	const filter = encodeURIComponent(JSON.stringify({ workflowId: ctx.workflowId }));
	const execution = await until('the template\'s execution finished', async () => {
		const list = await ctx.session.get(`/executions?filter=${filter}&limit=10`);
		const finished = (list.results ?? []).find((/** @type {{ status: string }} */ e) => !['new', 'running', 'waiting'].includes(e.status));
		return finished;
	});
	if (execution.status !== 'success') throw new Error(`execution ${execution.id} of the company template ended ${execution.status}`);
	const attempts = Object.entries(project.tasks ?? {}).map(([id, t]) => `${id}: ${/** @type {any} */ (t).attempts}`);
	say(`project ${project.id} completed (attempts ${attempts.join(', ')}); execution ${execution.id} finished`);
	return String(execution.id);
}

// ---------------------------------------------------------------------------------------------
// The browser

function loadPlaywright() {
	const where = process.env.PLAYWRIGHT_CORE;
	try {
		return require(where ? path.resolve(where) : 'playwright-core');
	} catch (error) {
		throw new Error(
			`playwright-core not found (${/** @type {Error} */ (error).message.split('\n')[0]}): npm install --prefix /tmp/shots playwright-core, then PLAYWRIGHT_CORE=/tmp/shots/node_modules/playwright-core`,
		);
	}
}

/** @param {string} name */
const wanted = (name) => ONLY.length === 0 || ONLY.includes(name);

/**
 * @param {import('playwright-core').Page} page
 * @param {string} name  file name without .png
 * @param {import('playwright-core').PageScreenshotOptions} [options]
 */
async function shoot(page, name, options = {}) {
	await page.waitForTimeout(600); // animations (panels slide, toasts fade)
	const file = path.join(OUT_DIR, `${name}.png`);
	await page.screenshot({ path: file, scale: 'css', ...options });
	say(`wrote ${path.relative(REPO_ROOT, file)}`);
}

/** Close the toasts n8n shows on load (e.g. no network for templates), so no shot has one. */
async function closeToasts(/** @type {import('playwright-core').Page} */ page) {
	for (const button of await page.locator('.el-notification .el-notification__closeBtn').all()) {
		await button.click().catch(() => undefined);
	}
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {string} workflowId
 */
async function openWorkflow(page, url, workflowId) {
	await page.goto(`${url}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await page.waitForTimeout(1500);
	await closeToasts(page);
}

/**
 * Fit the canvas to the screen and shoot it.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
async function shootCanvas(page, name) {
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.mouse.move(5, VIEWPORT.height - 5); // no hover outline on a node
	await closeToasts(page);
	// Twice the pixels: a whole workflow's labels are small, the full-size image stays readable.
	await shoot(page, name, { scale: 'device' });
}

/**
 * Open a node's panel (double click on the canvas), in a narrower window so the parameters take
 * more of the picture (the whole window is the shot: the panel's side buttons stick out of it).
 * @param {import('playwright-core').Page} page
 * @param {string} nodeName
 */
async function openNode(page, nodeName) {
	await page.setViewportSize(PANEL_VIEWPORT);
	await page.waitForTimeout(300);
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
	const panel = page.locator('[data-test-id="ndv"]').first();
	await panel.waitFor();
	await page.waitForTimeout(800);
}

/** @param {import('playwright-core').Page} page */
async function closeNode(page) {
	await page.keyboard.press('Escape');
	await page.waitForTimeout(400);
	await page.setViewportSize(VIEWPORT);
}

/**
 * The box of an element, grown by `margin` and kept inside the viewport.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator} locator
 * @param {number} margin
 */
async function clipAround(page, locator, margin) {
	const box = await locator.boundingBox();
	const size = page.viewportSize() ?? VIEWPORT;
	if (!box) throw new Error('the element to clip is not visible');
	const x = Math.max(0, Math.floor(box.x - margin));
	const y = Math.max(0, Math.floor(box.y - margin));
	return {
		x,
		y,
		width: Math.min(size.width, Math.ceil(box.x + box.width + margin)) - x,
		height: Math.min(size.height, Math.ceil(box.y + box.height + margin)) - y,
	};
}

/**
 * @param {import('playwright-core').BrowserContext} context  (a new user-data-dir)
 * @param {{ url: string, owner: { email: string, password: string }, workflows: { develop: string, plan: string, autonomous: string, nodes: string }, execution?: string }} ctx
 */
async function takeShots(context, ctx) {
	const page = context.pages()[0] ?? (await context.newPage());
	await page.setViewportSize(VIEWPORT);
	await page.goto(`${ctx.url}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(ctx.owner.email);
	await page.locator('input[name="password"], input[type="password"]').first().fill(ctx.owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 });

	if (wanted('canvas-develop-project') || wanted('node-ai-developer') || wanted('node-ai-reviewer')) {
		await openWorkflow(page, ctx.url, ctx.workflows.develop);
		if (wanted('canvas-develop-project')) await shootCanvas(page, 'canvas-develop-project');
		if (wanted('node-ai-developer')) {
			await openNode(page, 'AI Developer');
			await chooseModel(page, 'qwen2.5-coder:7b');
			await shoot(page, 'node-ai-developer');
			await closeNode(page);
		}
		if (wanted('node-ai-reviewer')) {
			await openNode(page, 'AI Reviewer');
			await shoot(page, 'node-ai-reviewer');
			await closeNode(page);
		}
	}

	if (wanted('canvas-plan-project')) {
		await openWorkflow(page, ctx.url, ctx.workflows.plan);
		await shootCanvas(page, 'canvas-plan-project');
	}

	if (wanted('canvas-autonomous-project')) {
		await openWorkflow(page, ctx.url, ctx.workflows.autonomous);
		await shootCanvas(page, 'canvas-autonomous-project');
	}

	if (wanted('execution-autonomous-project')) {
		await page.goto(`${ctx.url}/workflow/${ctx.workflows.autonomous}/executions/${ctx.execution}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(2000);
		await closeToasts(page);
		await page.mouse.move(5, VIEWPORT.height - 5);
		await shoot(page, 'execution-autonomous-project', { scale: 'device' });
	}

	if (wanted('node-ai-company') || wanted('node-ai-company-trigger')) {
		await openWorkflow(page, ctx.url, ctx.workflows.nodes);
		if (wanted('node-ai-company')) {
			await openNode(page, 'AI Company');
			await shoot(page, 'node-ai-company');
			await closeNode(page);
		}
		if (wanted('node-ai-company-trigger')) {
			await openNode(page, 'AI Company Trigger');
			await shoot(page, 'node-ai-company-trigger');
			await closeNode(page);
		}
	}

	if (wanted('credential-ai-company-api')) {
		// Opened from the list (a cold /home/credentials/<id> stays blank in 2.41).
		await page.goto(`${ctx.url}/home/credentials`);
		await page.getByText(CREDENTIAL.name, { exact: true }).first().click();
		const dialog = page.locator('[data-test-id="editCredential-modal"]');
		await dialog.waitFor({ timeout: 30_000 });
		const success = dialog.getByText('Connection tested successfully');
		// n8n tests a saved credential when it opens; Retry is the Test button of a saved one.
		await success.waitFor({ timeout: 30_000 });
		const retry = dialog.getByRole('button', { name: 'Retry' });
		await retry.click();
		// The button loses its label while the test runs; the shot waits for the test's end.
		await page.waitForTimeout(500);
		await retry.waitFor({ timeout: 30_000 });
		await success.waitFor({ timeout: 30_000 });
		await closeToasts(page);
		await page.mouse.move(5, 5);
		await shoot(page, 'credential-ai-company-api', { clip: await clipAround(page, dialog, 0) });
	}
}

/**
 * Pick a model in the panel's Model dropdown (its list comes from the service's GET /api/models,
 * here the stand-in's two models), so the shot shows a value from the service.
 * @param {import('playwright-core').Page} page
 * @param {string} model
 */
async function chooseModel(page, model) {
	await page.locator('[data-test-id="parameter-input-model"]').click();
	const option = page.locator('.el-select-dropdown__item:visible', { hasText: model }).first();
	await option.waitFor({ timeout: 30_000 });
	await option.click();
	await page.waitForTimeout(300);
	await page.mouse.move(5, 5);
}

// ---------------------------------------------------------------------------------------------

/** @param {string} redisUrl @param {string} prefix */
async function deleteRedisKeys(redisUrl, prefix) {
	const Redis = require(require.resolve('ioredis', { paths: [REPO_ROOT, path.join(REPO_ROOT, 'runtime')] }));
	const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
	let deleted = 0;
	try {
		await redis.connect();
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
			cursor = next;
			if (keys.length > 0) deleted += await redis.unlink(...keys);
		} while (cursor !== '0');
	} finally {
		redis.disconnect();
	}
	return deleted;
}

async function main() {
	const { chromium } = loadPlaywright();
	const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (!fs.existsSync(chromiumPath)) throw new Error(`no chromium at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
	fs.mkdirSync(OUT_DIR, { recursive: true });

	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-shots-'));
	const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379/15';
	const keyPrefix = `aic:shots-${process.pid}:`;
	const owner = { email: 'owner@ai-company.local', password: `Shots-${crypto.randomBytes(9).toString('base64url')}-1` };
	/** @type {Array<() => Promise<unknown>>} */
	const cleanups = [];
	const cleanup = async () => {
		for (const step of cleanups.reverse()) {
			try {
				await step();
			} catch (error) {
				say(`cleanup: ${/** @type {Error} */ (error).message}`);
			}
		}
		cleanups.length = 0;
	};
	process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
	process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
	cleanups.push(async () => fs.rmSync(home, { recursive: true, force: true }));

	try {
		const ollama = await startStandInOllama();
		cleanups.push(() => ollama.close());
		say(`stand-in Ollama on ${ollama.url}; n8n user folder ${home}; Redis ${redisUrl}, keys ${keyPrefix}*`);
		cleanups.push(async () => say(`deleted ${await deleteRedisKeys(redisUrl, keyPrefix)} Redis keys ${keyPrefix}*`));

		// The service's default port when free, so the credential shows the Base URL users will see.
		const runtimePort = (await n8n.isPortFree(8000)) ? 8000 : await n8n.findFreePort();
		const local = await startLocal({
			AIC_HOME: home,
			N8N_PORT: String(await n8n.findFreePort()),
			RUNTIME_PORT: String(runtimePort),
			OLLAMA_HOST: ollama.url,
			REDIS_URL: redisUrl,
			KEY_PREFIX: keyPrefix,
			AIC_OWNER_EMAIL: owner.email,
			AIC_OWNER_PASSWORD: owner.password,
			AIC_TEMPLATES_DIR: path.join(REPO_ROOT, 'workflows'),
		});
		cleanups.push(() => local.stop());
		say(`n8n ${n8n.N8N_VERSION} runs at ${local.url} (sign in as ${owner.email} / ${owner.password})`);

		const session = await n8n.restSession(local.url, owner);
		const created = await session.post('/workflows', nodesWorkflow());
		const workflows = { develop: '', plan: '', autonomous: '', nodes: String(created.id) };
		for (const [file, key] of [['develop-project.json', 'develop'], ['plan-project.json', 'plan'], ['autonomous-project.json', 'autonomous']]) {
			workflows[/** @type {'develop' | 'plan' | 'autonomous'} */ (key)] = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')).id;
		}
		const execution = wanted('execution-autonomous-project')
			? await runProject({
					url: local.url,
					serviceUrl: `http://127.0.0.1:${runtimePort}`,
					// run-local's token: API_TOKEN when set, else the one it generated and kept in run-local.json
					serviceToken: process.env.API_TOKEN?.trim() || JSON.parse(fs.readFileSync(path.join(home, 'run-local.json'), 'utf8')).serviceToken,
					workflowId: workflows.autonomous,
					session,
				})
			: undefined;

		const userDataDir = fs.mkdtempSync(path.join(home, 'chromium-'));
		const context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: chromiumPath,
			headless: true,
			viewport: VIEWPORT,
			deviceScaleFactor: 2, // canvas shots keep both; the others are taken at one pixel per CSS pixel
			locale: 'en-US',
			colorScheme: 'light',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		cleanups.push(() => context.close());
		let failure;
		try {
			await takeShots(context, { url: local.url, owner, workflows, execution });
		} catch (error) {
			failure = error;
			const page = context.pages()[0];
			const file = path.join(os.tmpdir(), `aic-shots-failure-${process.pid}.png`);
			if (page) await page.screenshot({ path: file }).then(() => say(`the page when it failed: ${file}`), () => undefined);
			if (process.env.SHOTS_KEEP !== '1') throw error;
			say(`failed: ${/** @type {Error} */ (error).message}`);
		}

		if (process.env.SHOTS_KEEP === '1') {
			say(`SHOTS_KEEP=1: n8n stays at ${local.url} until Ctrl-C`);
			await new Promise(() => undefined);
		}
		if (failure) throw failure;
	} finally {
		await cleanup();
	}
}

// ---------------------------------------------------------------------------------------------
// The operator dashboard (/ui/), without n8n: the service alone, driven through its API.

const DASHBOARD_SHOTS = ['dashboard', 'dashboard-project', 'portal'];

/**
 * dashboard.png (the projects with the company at a glance) and dashboard-project.png (a project
 * mid-run: its tasks, plan and live event log), from the built service (runtime/dist, or
 * AIC_RUNTIME_DIST) and the stand-in model, in Chromium driven by puppeteer-core.
 */
async function dashboardMain() {
	const puppeteer = require('puppeteer-core');
	const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	const dist = path.resolve(process.env.AIC_RUNTIME_DIST || path.join(REPO_ROOT, 'runtime', 'dist'));
	const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379/15';
	const keyPrefix = `aic:shots-${process.pid}:`;
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-dashboard-shots-'));
	const token = `shots-${crypto.randomBytes(12).toString('base64url')}`;
	const ollama = await startStandInOllama();
	const port = await n8n.findFreePort();
	const url = `http://127.0.0.1:${port}`;
	const service = spawn(process.execPath, [path.join(dist, 'bin', 'aiCompanyWorker.js'), '--role', 'all'], {
		env: { PATH: process.env.PATH, PORT: String(port), API_TOKEN: token, REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix, OLLAMA_HOST: ollama.url, GIT_REMOTE_BASE: path.join(home, 'git'), OUTBOUND_ALLOW: '127.0.0.1', CONCURRENCY: '2' },
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const api = async (/** @type {string} */ method, /** @type {string} */ route, /** @type {unknown} */ body) => {
		const response = await fetch(`${url}${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
		return /** @type {any} */ (await response.json());
	};
	const waitFor = async (/** @type {string} */ what, /** @type {() => Promise<boolean>} */ check, timeoutMs = 120_000) => {
		for (const deadline = Date.now() + timeoutMs; !(await check()); ) {
			if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	};
	let browser;
	try {
		await waitFor('the service', () => fetch(`${url}/health`).then(() => true, () => false), 20_000);
		say(`service ${url} (Redis ${redisUrl}, keys ${keyPrefix}*)`);
		const done = await api('POST', '/api/projects', { title: 'Values library', requirements: 'tasks=4 waves=2 bug=T2', clientName: 'Ada Lovelace', clientEmail: 'ada@example.com' });
		await api('POST', '/api/projects', { title: '<img src=x onerror=alert(1)>', requirements: 'tasks=2 waves=1', clientName: 'Mallory' });
		await waitFor('the first projects to complete', async () => (await api('GET', `/api/projects/${done.projectId}`)).status === 'completed');
		standIn.chatDelayMs = 1500;
		const running = await api('POST', '/api/projects', { title: 'Invoice service', requirements: 'tasks=5 waves=3 bug=T3', clientName: 'Grace Hopper', clientEmail: 'grace@example.com' });
		await waitFor('the running project to finish its first task', async () => Object.values((await api('GET', `/api/projects/${running.projectId}`)).tasks ?? {}).some((t) => /** @type {any} */ (t).status === 'done'));

		browser = await puppeteer.launch({
			executablePath: chromiumPath,
			headless: true,
			userDataDir: path.join(home, 'chromium'),
			args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
		});
		const page = await browser.newPage();
		await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 2 });
		await page.goto(`${url}/ui/`);
		await page.type('#token', token);
		await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
		fs.mkdirSync(OUT_DIR, { recursive: true });
		if (wanted('dashboard')) {
			await page.goto(`${url}/ui/`);
			await page.screenshot({ path: path.join(OUT_DIR, 'dashboard.png'), fullPage: true });
			say(`wrote ${path.join(OUT_DIR, 'dashboard.png')}`);
		}
		if (wanted('dashboard-project')) {
			await page.goto(`${url}/ui/projects/${running.projectId}`);
			await page.waitForFunction(() => document.getElementById('live-state')?.textContent === 'live');
			await new Promise((resolve) => setTimeout(resolve, 4000)); // a few live events arrive
			await page.screenshot({ path: path.join(OUT_DIR, 'dashboard-project.png'), fullPage: true });
			say(`wrote ${path.join(OUT_DIR, 'dashboard-project.png')}`);
		}
		if (wanted('portal')) {
			// What the client sees: a plan waiting for their approval, opened from the link the operator
			// made, in a browser context of its own (no operator session).
			standIn.chatDelayMs = 0;
			const waiting = await api('POST', '/api/projects', { title: 'Booking widget', requirements: 'tasks=3 waves=2', clientName: 'Ada Lovelace', clientEmail: 'ada@example.com', settings: { approval: 'plan' } });
			await waitFor('the plan to wait for approval', async () => (await api('GET', `/api/projects/${waiting.projectId}`)).status === 'awaiting_approval');
			const link = await api('POST', `/api/projects/${waiting.projectId}/portal-link`, {});
			const client = await browser.createBrowserContext();
			const portal = await client.newPage();
			await portal.setViewport({ width: 1100, height: 900, deviceScaleFactor: 2 });
			await portal.goto(`${url}${link.url}`);
			await portal.screenshot({ path: path.join(OUT_DIR, 'portal.png'), fullPage: true });
			say(`wrote ${path.join(OUT_DIR, 'portal.png')}`);
			await client.close();
		}
	} finally {
		await browser?.close().catch(() => undefined);
		service.kill('SIGKILL');
		await ollama.close();
		say(`deleted ${await deleteRedisKeys(redisUrl, keyPrefix)} Redis keys ${keyPrefix}*`);
		fs.rmSync(home, { recursive: true, force: true });
	}
}

if (require.main === module) {
	const dashboardOnly = ONLY.length > 0 && ONLY.every((name) => DASHBOARD_SHOTS.includes(name));
	(dashboardOnly ? dashboardMain() : main().then(() => (ONLY.length === 0 ? dashboardMain() : undefined))).then(
		() => process.exit(0),
		(error) => {
			process.stderr.write(`[screenshots] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			process.exit(1);
		},
	);
}
