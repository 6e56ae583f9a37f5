/**
 * The development loop end to end in a real n8n (2.41.1, Node 24), as a user would build it on the
 * canvas: Webhook → Project State (Create) → AI Planner → Project State (Set Plan) → Task Splitter →
 * AI Developer → AI Tester → IF (tests failed and attempt < 3: back to the AI Developer; otherwise)
 * → Project State (Get), whose project is the webhook's answer.
 *
 * The packed package is installed like the Community Nodes screen does; the model is a real HTTP
 * server speaking the Ollama API with scripted replies (a two-task JavaScript plan; T1's first code
 * has a bug, its fix comes when the developer is shown the failing tests); the project store is the
 * test Redis (own database, random Key Prefix sent in the request body, keys removed afterwards); the
 * generated tests really run, with `node --test`, in the sandbox the AI Tester picks (bubblewrap when
 * it works here). Needs `npm run build` first; installs n8n into the cache on first use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

import * as n8n from '../../scripts/lib/n8nInstance';
import { probeBubblewrap, type Project } from '../../runtime';
import { OllamaTestServer, type RecordedRequest, type ScriptedReply } from '../support/ollamaTestServer';
import { keysWithPrefix, testRedisOptions, uniquePrefix } from '../support/redis';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-ai-company';
const MODEL = 'test-model:latest';
const WEBHOOK_PATH = 'e2e-develop';
const OWNER = { email: 'e2e-owner@example.com', password: 'E2e-owner-password-1' };

interface WorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name: string }>;
}
const workflow = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'development-loop.workflow.json'), 'utf8')) as {
	id: string;
	nodes: WorkflowNode[];
};
const developerCredentials = workflow.nodes.find((node) => node.name === 'AI Developer')!.credentials!;

/**
 * The Redis this test writes to: REDIS_URL when set (its database when it names one), else
 * 127.0.0.1:6379; database 13 unless REDIS_URL names one, so the loop's keys never share a database
 * with the other suites'. Only this run's prefix is ever deleted; nothing is flushed.
 */
const REDIS_DB = 13;
function redisOptions(): RedisOptions {
	const options = testRedisOptions();
	const urlNamesDb = !!process.env.REDIS_URL && new URL(process.env.REDIS_URL).pathname.length > 1;
	return { ...options, db: urlNamesDb ? options.db : REDIS_DB };
}
const KEY_PREFIX = uniquePrefix('e2e-develop');

/** n8n's built-in `redis` credential for that database. */
function redisCredentialData(): Record<string, unknown> {
	const options = redisOptions();
	return {
		host: options.host ?? '127.0.0.1',
		port: options.port ?? 6379,
		user: options.username ?? '',
		password: options.password ?? '',
		database: options.db ?? 0,
		ssl: options.tls !== undefined,
		disableTlsVerification: false,
	};
}

// ---------------------------------------------------------------------------------------------
// The scripted model: what each agent "writes".

const PLAN = {
	summary: 'A tiny JavaScript arithmetic library',
	techStack: ['Node.js'],
	tasks: [
		{
			id: 'T1',
			title: 'Sum function',
			description: 'Export sum(a, b) from src/sum.js, returning a + b.',
			dependsOn: [],
			acceptanceCriteria: ['sum(2, 3) is 5', 'sum(7, 0) is 7'],
			estimateHours: 1,
		},
		{
			id: 'T2',
			title: 'Product function',
			description: 'Export product(a, b) from src/product.js, returning a * b.',
			dependsOn: [],
			acceptanceCriteria: ['product(2, 3) is 6'],
			estimateHours: 1,
		},
	],
	risks: [{ risk: 'None worth naming', mitigation: 'Keep it small' }],
};

const BUGGY_SUM = { path: 'src/sum.js', content: "'use strict';\n\nfunction sum(a, b) {\n\treturn a - b;\n}\n\nmodule.exports = { sum };\n" };
const FIXED_SUM = { path: 'src/sum.js', content: "'use strict';\n\nfunction sum(a, b) {\n\treturn a + b;\n}\n\nmodule.exports = { sum };\n" };
const PRODUCT = { path: 'src/product.js', content: "'use strict';\n\nfunction product(a, b) {\n\treturn a * b;\n}\n\nmodule.exports = { product };\n" };
const SUM_TEST = {
	path: 'test/sum.test.js',
	content: [
		"const test = require('node:test');",
		"const assert = require('node:assert/strict');",
		"const { sum } = require('../src/sum.js');",
		'',
		"test('sum adds two numbers', () => {",
		'\tassert.equal(sum(2, 3), 5);',
		'});',
		'',
		"test('sum of a number and zero is the number', () => {",
		'\tassert.equal(sum(7, 0), 7);',
		'});',
		'',
	].join('\n'),
};
const PRODUCT_TEST = {
	path: 'test/product.test.js',
	content: [
		"const test = require('node:test');",
		"const assert = require('node:assert/strict');",
		"const { product } = require('../src/product.js');",
		'',
		"test('product multiplies two numbers', () => {",
		'\tassert.equal(product(2, 3), 6);',
		'});',
		'',
	].join('\n'),
};
const FAILING_TEST = 'sum adds two numbers';

type ChatMessage = { role: string; content: string };
const messagesOf = (request: RecordedRequest) => (request.body?.messages ?? []) as ChatMessage[];
const systemOf = (request: RecordedRequest) => messagesOf(request).find((m) => m.role === 'system')?.content ?? '';
const promptOf = (request: RecordedRequest) => messagesOf(request).find((m) => m.role === 'user')?.content ?? '';

type Role = 'planner' | 'developer' | 'tester' | 'unknown';
function roleOf(request: RecordedRequest): Role {
	const system = systemOf(request);
	if (system.includes('planning agent')) return 'planner';
	if (system.includes('developer agent')) return 'developer';
	if (system.includes('test engineer agent')) return 'tester';
	return 'unknown';
}
const isFixRequest = (request: RecordedRequest) => roleOf(request) === 'developer' && promptOf(request).includes('tests for your task fail');
const taskOf = (request: RecordedRequest) => /Task (T\d+):/.exec(promptOf(request))?.[1];

const json = (value: unknown): ScriptedReply => ({ content: JSON.stringify(value) });
function scriptedModel(request: RecordedRequest): ScriptedReply {
	const role = roleOf(request);
	const task = taskOf(request);
	if (role === 'planner') return json(PLAN);
	if (role === 'developer' && task === 'T1') {
		return isFixRequest(request)
			? json({ summary: 'sum now adds instead of subtracting', files: [FIXED_SUM] })
			: json({ summary: 'sum(a, b) in src/sum.js', files: [BUGGY_SUM] });
	}
	if (role === 'developer' && task === 'T2') return json({ summary: 'product(a, b) in src/product.js', files: [PRODUCT] });
	if (role === 'tester' && task === 'T1') return json({ summary: 'tests for sum', testFiles: [SUM_TEST] });
	if (role === 'tester' && task === 'T2') return json({ summary: 'tests for product', testFiles: [PRODUCT_TEST] });
	return { status: 500, error: `the scripted model has no reply for a ${role} request about ${task ?? 'no task'}` };
}

// ---------------------------------------------------------------------------------------------

let ollama: OllamaTestServer | undefined;
let instance: n8n.N8nHandle | undefined;
let userFolder: string | undefined;
let failed = false;
const timings: Record<string, number> = {};

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
	const started = Date.now();
	try {
		return await step();
	} finally {
		timings[label] = Date.now() - started;
	}
}

/** Runs a test body; on failure, adds the tail of n8n's log to the error. */
async function withN8nLog(body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		failed = true;
		throw instance ? n8n.withLogTail(error, `n8n log (${instance.logFile})`, instance.tail(80)) : error;
	}
}

async function post(body: unknown): Promise<{ status: number; text: string }> {
	const res = await fetch(`${instance!.url}/webhook/${WEBHOOK_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(240_000),
	});
	return { status: res.status, text: await res.text() };
}

async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
	const redis = new Redis({ ...redisOptions(), maxRetriesPerRequest: 3 });
	try {
		return await use(redis);
	} finally {
		await redis.quit().catch(() => redis.disconnect());
	}
}

beforeAll(async () => {
	const started = Date.now();
	try {
		ollama = await OllamaTestServer.start({ models: [MODEL] });
		ollama.respondWith(scriptedModel);
		await timed('ensureN8nInstalled', () => n8n.ensureN8nInstalled());
		userFolder = mkdtempSync(path.join(tmpdir(), 'aic-e2e-develop-'));
		const tarball = await timed('npm pack', () => n8n.packPackage(REPO_ROOT, path.join(userFolder!, 'pack')));
		await timed('install like Community Nodes', () => n8n.installLikeCommunityNodes(userFolder!, tarball));
		await timed('import:credentials', () =>
			n8n.importCredentials(userFolder!, [
				{ ...developerCredentials.aiCompanyOllamaApi, type: 'aiCompanyOllamaApi', data: { baseUrl: ollama!.url, apiKey: '' } },
				{ ...developerCredentials.redis, type: 'redis', data: redisCredentialData() },
			]),
		);
		await timed('import:workflow', () => n8n.importWorkflow(userFolder!, workflow));
		await timed('publish:workflow', () => n8n.publishWorkflow(userFolder!, workflow.id));
		instance = await timed('n8n start', () =>
			n8n.startN8n({
				userFolder: userFolder!,
				owner: OWNER,
				onSpawn: (spawned) => {
					instance = spawned; // so afterAll stops it even if the start times out
				},
			}),
		);
		const loaded = await n8n.assertPackageLoaded(userFolder, PACKAGE_NAME, {
			expectNodes: ['projectState', 'aiPlanner', 'taskSplitter', 'aiDeveloper', 'aiTester'],
		});
		console.log(`n8n ${n8n.N8N_VERSION} at ${instance.url} loaded ${loaded.nodes.join(', ')}`);
		await timed('webhook registered', () => n8n.waitForWebhook(instance!.url, WEBHOOK_PATH, 'POST'));
	} catch (error) {
		failed = true;
		throw error;
	} finally {
		timings['beforeAll total'] = Date.now() - started;
	}
}, 15 * 60_000);

afterAll(async () => {
	await instance?.stop();
	await ollama?.close();
	await withRedis(async (redis) => {
		const keys = await keysWithPrefix(redis, KEY_PREFIX);
		for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
	}).catch((error: unknown) => console.log(`could not remove the test keys under ${KEY_PREFIX}: ${String(error)}`));
	console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
	if (userFolder && !failed) rmSync(userFolder, { recursive: true, force: true });
	else if (userFolder) console.log(`kept the n8n user folder for inspection: ${userFolder} (log: ${path.join(userFolder, 'n8n.log')})`);
}, 60_000);

test('a request becomes a planned project whose buggy task is fixed in one loop round, tests passing, all in n8n', async () => {
	await withN8nLog(async () => {
		const chatsBefore = ollama!.chatRequests().length;
		const { status, text } = await timed('POST (plan, develop, test, fix)', () =>
			post({
				keyPrefix: KEY_PREFIX,
				title: 'Arithmetic library',
				requirements: 'A tiny JavaScript library with sum(a, b) and product(a, b), each with tests.',
			}),
		);
		console.log(`n8n webhook answered ${status} after ${timings['POST (plan, develop, test, fix)']} ms (${text.length} characters)`);
		if (status !== 200) console.log(text);
		expect(status).toBe(200);

		// allEntries: every item of the last run of the last node (Get project). Each is the project.
		const items = JSON.parse(text) as Project[];
		expect(items.length).toBeGreaterThanOrEqual(1);
		const project = items[items.length - 1];
		for (const item of items) expect(item.id).toBe(project.id);

		const t1 = project.tasks.T1;
		const t2 = project.tasks.T2;
		const report1 = t1.testReport as { status: string; passed: number; failed: number; runner: string; isolation: { sandbox: string } };
		const report2 = t2.testReport as typeof report1;
		console.log(
			[
				`development loop answer: project ${project.id} "${project.title}" (status ${project.status}, version ${project.version}), ${items.length} item(s)`,
				...Object.entries(project.tasks).map(([id, task]) => {
					const report = task.testReport as typeof report1 | null;
					return `  ${id}: ${task.status} after ${task.attempts} attempt(s); files ${task.files.map((f) => f.path).join(', ')}; tests ${task.testFiles.map((f) => f.path).join(', ')}; last run ${report?.status} (${report?.passed} passed, ${report?.failed} failed, ${report?.runner} in ${report?.isolation?.sandbox})`;
				}),
				`  usage by role: ${JSON.stringify(Object.fromEntries(Object.entries(project.usage.byRole).map(([role, u]) => [role, u.calls])))} calls`,
			].join('\n'),
		);

		expect(project).toMatchObject({ title: 'Arithmetic library', plan: PLAN });
		// T1: written with a bug, failed its tests, fixed once (attempt 2), passed.
		expect(t1).toMatchObject({ status: 'done', attempts: 2, files: [FIXED_SUM], testFiles: [SUM_TEST] });
		expect(report1).toMatchObject({ status: 'passed', failed: 0, runner: 'node' });
		// T1's own two tests, and T2's (a finished task's tests run again as regressions).
		expect(report1.passed).toBe(3);
		// T2: right the first time.
		expect(t2).toMatchObject({ status: 'done', attempts: 1, files: [PRODUCT], testFiles: [PRODUCT_TEST] });
		expect(report2).toMatchObject({ status: 'passed', passed: 1, failed: 0 });
		expect(t1.error ?? null).toBeNull();

		// The tests ran in bubblewrap when it works on this machine (n8n's process runs the same probe).
		const bubblewrap = await probeBubblewrap();
		console.log(`sandbox: ${report1.isolation.sandbox} (bubblewrap here: ${bubblewrap.path ?? bubblewrap.problem})`);
		expect(report1.isolation.sandbox).toBe(bubblewrap.path ? 'bubblewrap' : 'process');

		// What n8n asked the model: one plan, T1 and T2 written, their tests written once, one fix of T1.
		const chats = ollama!.chatRequests().slice(chatsBefore);
		const asked = chats.map((chat) => `${roleOf(chat)}${isFixRequest(chat) ? ' (fix)' : ''} ${taskOf(chat) ?? ''}`.trim());
		console.log(`model requests: ${asked.join(' → ')}`);
		expect([...asked].sort()).toEqual(['developer (fix) T1', 'developer T1', 'developer T2', 'planner', 'tester T1', 'tester T2'].sort());
		expect(asked.indexOf('developer (fix) T1')).toBeGreaterThan(asked.indexOf('tester T1'));
		const fix = promptOf(chats.find(isFixRequest)!);
		// The fix request shows the failing test, the runner's words, the tests and the buggy code.
		expect(fix).toContain(`- ${FAILING_TEST}:`);
		expect(fix).toMatch(/-1 !== 5|Expected values to be strictly equal/);
		expect(fix).toContain(SUM_TEST.content.trim());
		expect(fix).toContain('return a - b;');
		console.log(`fix request, failures section:\n${fix.slice(fix.indexOf('Failures:'), fix.indexOf('Failures:') + 400)}`);

		// The store agrees, and its event log shows the loop: T1 started, failed, restarted, done.
		const events = await withRedis(async (redis) => {
			const entries = await redis.xrange(`${KEY_PREFIX}project:${project.id}:events`, '-', '+');
			return entries.map(([, fields]) => {
				const record = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]]))) as Record<string, string>;
				return { type: record.type, source: record.source, data: JSON.parse(record.data ?? '{}') as { taskId?: string; attempt?: number } };
			});
		});
		const t1Steps = events
			.filter((e) => e.data.taskId === 'T1' && ['task.started', 'task.failed', 'task.done'].includes(e.type))
			.map((e) => `${e.type}#${e.data.attempt} by ${e.source}`);
		console.log(`T1 in the event log: ${t1Steps.join(' → ')}`);
		expect(t1Steps).toEqual([
			'task.started#1 by n8n:AI Developer',
			'task.failed#1 by n8n:AI Tester',
			'task.started#2 by n8n:AI Developer',
			'task.done#2 by n8n:AI Tester',
		]);
		expect(project.usage.byRole.developer?.calls).toBe(3);
		expect(project.usage.byRole.tester?.calls).toBe(2);
	});
}, 5 * 60_000);
