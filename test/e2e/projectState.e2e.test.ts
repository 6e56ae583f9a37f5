/**
 * The Project State node end to end in a real n8n (2.41.1, Node 24), as a user would run it: the
 * packed package installed like the Community Nodes screen does, n8n's built-in `redis` credential
 * pointing at the test Redis, and a published workflow
 * Webhook → Create → Set Plan → Start Task → Record Task Result → Get, each step a Project State
 * node reading the previous one's output. Every run uses a random Key Prefix (sent in the request
 * body) in the test database, and removes its keys afterwards. Needs `npm run build` first.
 */
import path from 'node:path';

import type { Project, ProjectEvent } from '../../runtime/index';
import { diamondPlan } from '../support/fixtures/plans';
import { keysWithPrefix, TestRedis } from '../support/redis';
import { credentialOf, executionIds, failedExecutionSince, n8nRedisCredential, readWorkflow, startN8nWithWorkflows } from './support/n8nWithWorkflows';

const WEBHOOK_PATH = 'e2e-project-state';

const workflow = readWorkflow(path.join(__dirname, 'fixtures', 'project-state.workflow.json'));
/** n8n's `redis` credential for the test database (REDIS_URL, or 127.0.0.1:6379 database 11). */
const redisCredential = n8nRedisCredential(credentialOf(workflow, 'Create Project', 'redis'));

const redis = new TestRedis('e2e-project-state');
const FILES = [
	{ path: 'package.json', content: '{ "name": "todo-api" }\n' },
	{ path: 'src/server.ts', content: 'export const port = 3000;\n' },
];

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

const e2e = startN8nWithWorkflows({
	label: 'state',
	workflows: [workflow],
	webhookPaths: [WEBHOOK_PATH],
	expectNodes: ['projectState'],
	credentials: () => [redisCredential],
	afterStop: () => redis.cleanup(),
});
const post = (body: unknown) => e2e.post(WEBHOOK_PATH, body, 60_000);

test('a request becomes a stored project whose task T1 holds the recorded result', async () => {
	await e2e.withN8nLog(async () => {
		const { status, text } = await e2e.timed('POST (first)', () => post(requestBody()));
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
	await e2e.withN8nLog(async () => {
		const before = (await keysWithPrefix(redis.inspector, redis.prefix)).length;
		const session = await e2e.session();
		const executionsBefore = await executionIds(session, workflow.id);

		// Create returns the existing project (created: false); Set Plan keeps T1's progress; Start
		// Task then refuses to restart a done task, and the workflow stops there.
		const { status, text } = await e2e.timed('POST (again)', () => post(requestBody()));
		console.log(`n8n webhook answered ${status}: ${text}`);
		expect(status).toBe(500);

		const failedRun = await failedExecutionSince(session, workflow.id, executionsBefore);
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
	await e2e.withN8nLog(async () => {
		const session = await e2e.session();
		const result = (await session.post('/credentials/test', {
			credentials: redisCredential,
		})) as { status: string; message: string };
		console.log(`credential test: ${JSON.stringify(result)}`);
		// n8n 2.41 looks up a credential type's `testedBy` only among the nodes of the package that
		// defines the type (credentials-tester.service getCredentialTestFunction → supportedNodes), so for
		// `redis` it runs n8n-nodes-base's Redis test; our aiCompanyRedisConnectionTest is not reachable.
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});
