/**
 * The Project State node end to end in a real n8n (2.41.1, Node 24), as a user would run it: the
 * packed package installed like the Community Nodes screen does, n8n's built-in `redis` credential
 * pointing at the test Redis, and a published workflow
 * Webhook → Create → Set Plan → Start Task → Record Task Result → Get, each step a Project State
 * node reading the previous one's output. Every run uses a random Key Prefix (sent in the request
 * body) in the test database, and removes its keys afterwards. Needs `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as n8n from '../../scripts/lib/n8nInstance';
import type { Project, ProjectEvent } from '../../runtime';
import { diamondPlan } from '../support/fixtures/plans';
import { keysWithPrefix, TestRedis, testRedisOptions } from '../support/redis';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-ai-company';
const WEBHOOK_PATH = 'e2e-project-state';
const OWNER = { email: 'e2e-owner@example.com', password: 'E2e-owner-password-1' };

interface WorkflowNode {
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name: string }>;
}
const workflow = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'project-state.workflow.json'), 'utf8')) as {
	id: string;
	nodes: WorkflowNode[];
};
const credentialRef = workflow.nodes.find((node) => node.name === 'Create Project')!.credentials!.redis;

const redis = new TestRedis('e2e-project-state');
const FILES = [
	{ path: 'package.json', content: '{ "name": "todo-api" }\n' },
	{ path: 'src/server.ts', content: 'export const port = 3000;\n' },
];

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

async function withN8nLog(body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		failed = true;
		throw instance ? n8n.withLogTail(error, `n8n log (${instance.logFile})`, instance.tail(60)) : error;
	}
}

/** n8n's `redis` credential for the test database (REDIS_URL, or 127.0.0.1:6379 database 11). */
function redisCredentialData(): Record<string, unknown> {
	const options = testRedisOptions();
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

function requestBody() {
	return {
		keyPrefix: redis.prefix,
		title: 'Todo API',
		requirements: 'Build a todo REST API with a small web front end.',
		client: { name: 'Ada', email: 'ada@example.com' },
		plan: diamondPlan(),
		result: { status: 'done', files: FILES, testReport: { passed: 4, failed: 0 } },
	};
}

async function post(body: unknown): Promise<{ status: number; text: string }> {
	const res = await fetch(`${instance!.url}/webhook/${WEBHOOK_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(60_000),
	});
	return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
	const started = Date.now();
	try {
		await timed('ensureN8nInstalled', () => n8n.ensureN8nInstalled());
		userFolder = mkdtempSync(path.join(tmpdir(), 'aic-e2e-state-'));
		const tarball = await timed('npm pack', () => n8n.packPackage(REPO_ROOT, path.join(userFolder!, 'pack')));
		await timed('install like Community Nodes', () => n8n.installLikeCommunityNodes(userFolder!, tarball));
		await timed('import:credentials', () => n8n.importCredentials(userFolder!, [{ ...credentialRef, type: 'redis', data: redisCredentialData() }]));
		await timed('import:workflow', () => n8n.importWorkflow(userFolder!, workflow));
		await timed('publish:workflow', () => n8n.publishWorkflow(userFolder!, workflow.id));
		instance = await timed('n8n start', () => n8n.startN8n({ userFolder: userFolder!, owner: OWNER }));
		const loaded = await n8n.assertPackageLoaded(userFolder, PACKAGE_NAME, { expectNodes: ['projectState'] });
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
	await redis.cleanup();
	console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
	if (userFolder && !failed) rmSync(userFolder, { recursive: true, force: true });
	else if (userFolder) console.log(`kept the n8n user folder for inspection: ${userFolder} (log: ${path.join(userFolder, 'n8n.log')})`);
}, 60_000);

test('a request becomes a stored project whose task T1 holds the recorded result', async () => {
	await withN8nLog(async () => {
		const { status, text } = await timed('POST (first)', () => post(requestBody()));
		console.log(`n8n webhook answered ${status}:\n${text.slice(0, 2000)}`);
		expect(status).toBe(200);

		const project = JSON.parse(text) as Project;
		expect(project).toMatchObject({
			title: 'Todo API',
			client: { name: 'Ada', email: 'ada@example.com' },
			status: 'intake',
			plan: diamondPlan(),
			// created (1), plan set (2), T1 started (3), T1 done (4)
			version: 4,
		});
		expect(project.tasks.T1).toEqual({
			status: 'done',
			attempts: 1,
			files: FILES,
			testFiles: [],
			testReport: { passed: 4, failed: 0 },
			updatedAt: expect.any(String),
		});
		expect(['T2', 'T3', 'T4'].map((id) => project.tasks[id].status)).toEqual(['pending', 'pending', 'pending']);

		// What n8n wrote is in Redis under the request's prefix, with every step in the event log.
		const inspector = redis.inspector;
		expect(JSON.parse((await inspector.hget(`${redis.prefix}project:${project.id}`, 'data'))!)).toEqual(project);
		const entries = await inspector.xrange(`${redis.prefix}project:${project.id}:events`, '-', '+');
		const events = entries.map(([, fields]) => Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]])))) as unknown as ProjectEvent[];
		expect(events.map((e) => [e.type, e.source])).toEqual([
			['project.created', 'n8n:Create Project'],
			['project.plan_set', 'n8n:Set Plan'],
			['task.started', 'n8n:Start Task'],
			['task.done', 'n8n:Record Task Result'],
		]);
	});
});

test('the same request again finds the same project, and the refused restart of T1 fails the run naming both statuses', async () => {
	await withN8nLog(async () => {
		const before = (await keysWithPrefix(redis.inspector, redis.prefix)).length;
		const session = await n8n.restSession(instance!.url, OWNER);
		const executionsBefore = new Set((await n8n.listExecutions(session, workflow.id)).map((e) => e.id));

		// Create returns the existing project (created: false); Set Plan keeps T1's progress; Start
		// Task then refuses to restart a done task, and the workflow stops there.
		const { status, text } = await timed('POST (again)', () => post(requestBody()));
		console.log(`n8n webhook answered ${status}: ${text}`);
		expect(status).toBe(500);

		let failedRun: n8n.ExecutionSummary | undefined;
		for (const deadline = Date.now() + 30_000; !failedRun && Date.now() < deadline; ) {
			failedRun = (await n8n.listExecutions(session, workflow.id)).find((e) => !executionsBefore.has(e.id) && e.status === 'error');
			if (!failedRun) await n8n.sleep(250);
		}
		console.log(`failed execution: ${JSON.stringify(failedRun)}`);
		expect(failedRun).toEqual(expect.objectContaining({ status: 'error', errorNode: 'Start Task' }));
		expect(failedRun!.errorMessage).toMatch(/^Task "T1" of project "[0-9a-f-]{36}" cannot go from "done" to "in_progress"$/);
		expect(failedRun!.errorDescription).toMatch(/Start Task/);

		// Still one project: no second one was created, no key added.
		expect(await redis.inspector.zcard(`${redis.prefix}index:all`)).toBe(1);
		expect((await keysWithPrefix(redis.inspector, redis.prefix)).length).toBe(before);
	});
});

test('the Test button of n8n\'s redis credential works against the test Redis (and runs n8n\'s own check, not ours)', async () => {
	await withN8nLog(async () => {
		const session = await n8n.restSession(instance!.url, OWNER);
		const result = (await session.post('/credentials/test', {
			credentials: { ...credentialRef, type: 'redis', data: redisCredentialData() },
		})) as { status: string; message: string };
		console.log(`credential test: ${JSON.stringify(result)}`);
		// n8n 2.41 looks up a credential type's `testedBy` only among the nodes of the package that
		// defines the type (credentials-tester.service getCredentialTestFunction → supportedNodes), so for
		// `redis` it runs n8n-nodes-base's Redis test; our aiCompanyRedisConnectionTest is not reachable.
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});
