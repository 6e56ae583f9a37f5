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
 * it works here).
 *
 * The same n8n also runs the shipped template workflows/develop-project.json, imported as shipped
 * (its credential ids and model names, its default Key Prefix), to prove an operator's copy works:
 * the same request, the same scripted model, and the project comes back with its tasks done.
 * Needs `npm run build` first; installs n8n into the cache on first use.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis, RedisOptions } from 'ioredis';

import { probeBubblewrap, type Project } from '../../runtime/index';
import type { RecordedRequest, ScriptedReply } from '../support/ollamaTestServer';
import { keysWithPrefix, removeProject, testRedisOptions, uniquePrefix, withRedisClient } from '../support/redis';
import { credentialOf, n8nOllamaCredential, n8nRedisCredential, readWorkflow, REPO_ROOT, startN8nWithWorkflows, type Workflow } from './support/n8nWithWorkflows';

const MODEL = 'test-model:latest';
const WEBHOOK_PATH = 'e2e-develop';

const workflow = readWorkflow(path.join(__dirname, 'fixtures', 'development-loop.workflow.json'));

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

/**
 * The shipped template, imported as shipped: its credentials (ids `aicOllamaLocal01`,
 * `aicRedisLocal01`, as `npm run start:local` creates them) point at the test servers, and its
 * models are on the Ollama test server. It uses the default Key Prefix `aic:`, so its projects go
 * to a database of their own on the test Redis (14, whatever REDIS_URL names), and afterwards
 * exactly the projects this run created there are removed (found by the run's tag in their
 * requirements; see removeProject). Nothing is flushed.
 */
const template = readWorkflow(path.join(REPO_ROOT, 'workflows', 'develop-project.json'));
const TEMPLATE_WEBHOOK_PATH = 'develop-project';
const TEMPLATE_PREFIX = 'aic:';
const TEMPLATE_REDIS = { ...testRedisOptions(), db: 14 };
const RUN_TAG = `e2e-template-${randomBytes(6).toString('hex')}`;
const templateModel = (nodeName: string) => String(template.nodes.find((node) => node.name === nodeName)?.parameters?.model);

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

/** Every model the workflows name, so the test server lists (and answers for) each of them. */
function modelsOf(...workflows: Workflow[]): string[] {
	const named = workflows.flatMap((w) => w.nodes.map((node) => node.parameters?.model)).filter((m): m is string => typeof m === 'string');
	return [...new Set([MODEL, ...named])];
}

const e2e = startN8nWithWorkflows({
	label: 'develop',
	workflows: [workflow, template],
	webhookPaths: [WEBHOOK_PATH, TEMPLATE_WEBHOOK_PATH],
	expectNodes: ['projectState', 'aiPlanner', 'taskSplitter', 'aiDeveloper', 'aiTester'],
	ollama: { models: modelsOf(workflow, template), respondWith: scriptedModel },
	credentials: () => [
		n8nOllamaCredential(credentialOf(workflow, 'AI Developer', 'aiCompanyOllamaApi'), e2e.ollama.url),
		n8nRedisCredential(credentialOf(workflow, 'AI Developer', 'redis'), redisOptions()),
		n8nOllamaCredential(credentialOf(template, 'AI Developer', 'aiCompanyOllamaApi'), e2e.ollama.url),
		n8nRedisCredential(credentialOf(template, 'AI Developer', 'redis'), TEMPLATE_REDIS),
	],
	afterStop: async () => {
		await withRedis(async (redis) => {
			const keys = await keysWithPrefix(redis, KEY_PREFIX);
			for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
		}).catch((error: unknown) => console.log(`could not remove the test keys under ${KEY_PREFIX}: ${String(error)}`));
		await removeTemplateProjects().catch((error: unknown) =>
			console.log(`could not remove the template's projects of run ${RUN_TAG} from database ${TEMPLATE_REDIS.db}: ${String(error)}`),
		);
	},
});

function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
	return withRedisClient(redisOptions(), use);
}

/** The template's projects of this run (their requirements carry RUN_TAG), removed key by key. */
async function removeTemplateProjects(): Promise<void> {
	await withRedisClient(TEMPLATE_REDIS, async (redis) => {
		const ours: string[] = [];
		for (const id of await redis.zrange(`${TEMPLATE_PREFIX}index:all`, '0', '-1')) {
			const data = await redis.hget(`${TEMPLATE_PREFIX}project:${id}`, 'data');
			if (data && (JSON.parse(data) as Project).requirements.includes(RUN_TAG)) ours.push(id);
		}
		for (const id of ours) {
			const removed = await removeProject(redis, TEMPLATE_PREFIX, id);
			console.log(`removed template project ${id} from database ${TEMPLATE_REDIS.db}: keys ${removed.keys.join(', ')}; its id from ${removed.indexes.join(', ')}`);
		}
	});
}

/**
 * POSTs a client request to a development-loop webhook (timed as `step`) and returns the answer:
 * in responseMode allEntries, every item of the last run of the last node (Get project), each the project.
 */
async function requestDevelopment(step: string, who: string, webhookPath: string, body: unknown): Promise<{ project: Project; items: Project[] }> {
	const { status, text } = await e2e.timed(step, () => e2e.post(webhookPath, body, 240_000));
	console.log(`${who} answered ${status} after ${e2e.timings[step]} ms (${text.length} characters)`);
	if (status !== 200) console.log(text);
	expect(status).toBe(200);
	const items = JSON.parse(text) as Project[];
	expect(items.length).toBeGreaterThanOrEqual(1);
	const project = items[items.length - 1];
	for (const item of items) expect(item.id).toBe(project.id);
	return { project, items };
}

type TestReport = { status: string; passed: number; failed: number; runner: string; isolation: { sandbox: string } };

/** The answer's project, task by task, for the CI log. */
function describeAnswer(title: string, project: Project, itemCount: number): string {
	return [
		`${title}: project ${project.id} "${project.title}" (status ${project.status}, version ${project.version}), ${itemCount} item(s)`,
		...Object.entries(project.tasks).map(([id, task]) => {
			const report = task.testReport as TestReport | null;
			return `  ${id}: ${task.status} after ${task.attempts} attempt(s); files ${task.files.map((f) => f.path).join(', ')}; tests ${task.testFiles.map((f) => f.path).join(', ')}; last run ${report?.status} (${report?.passed} passed, ${report?.failed} failed, ${report?.runner} in ${report?.isolation?.sandbox})`;
		}),
		`  usage by role: ${JSON.stringify(Object.fromEntries(Object.entries(project.usage.byRole).map(([role, u]) => [role, u.calls])))} calls`,
	].join('\n');
}

type LoggedEvent = { type: string; source: string; data: { taskId?: string; attempt?: number; from?: string; to?: string } };

/** A project's event log, read from Redis directly (not through the code under test). */
async function eventsOf(redis: Redis, prefix: string, projectId: string): Promise<LoggedEvent[]> {
	const entries = await redis.xrange(`${prefix}project:${projectId}:events`, '-', '+');
	return entries.map(([, fields]) => {
		const record = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]]))) as Record<string, string>;
		return { type: record.type, source: record.source, data: JSON.parse(record.data ?? '{}') as LoggedEvent['data'] };
	});
}

/** T1 in the event log: written with a bug, failed its tests, started again (the fix), done. */
const T1_FIXED_ONCE = [
	'task.started#1 by n8n:AI Developer',
	'task.failed#1 by n8n:AI Tester',
	'task.started#2 by n8n:AI Developer',
	'task.done#2 by n8n:AI Tester',
];

/** A task's way through the loop: `task.started#1 by n8n:AI Developer`, … */
function taskSteps(events: LoggedEvent[], taskId: string): string[] {
	return events
		.filter((e) => e.data.taskId === taskId && ['task.started', 'task.failed', 'task.done'].includes(e.type))
		.map((e) => `${e.type}#${e.data.attempt} by ${e.source}`);
}

test('a request becomes a planned project whose buggy task is fixed in one loop round, tests passing, all in n8n', async () => {
	await e2e.withN8nLog(async () => {
		const chatsBefore = e2e.ollama.chatRequests().length;
		const { project, items } = await requestDevelopment('POST (plan, develop, test, fix)', 'n8n webhook', WEBHOOK_PATH, {
			keyPrefix: KEY_PREFIX,
			title: 'Arithmetic library',
			requirements: 'A tiny JavaScript library with sum(a, b) and product(a, b), each with tests.',
		});

		const t1 = project.tasks.T1;
		const t2 = project.tasks.T2;
		const report1 = t1.testReport as TestReport;
		const report2 = t2.testReport as TestReport;
		console.log(describeAnswer('development loop answer', project, items.length));

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
		const chats = e2e.ollama.chatRequests().slice(chatsBefore);
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
		const events = await withRedis((redis) => eventsOf(redis, KEY_PREFIX, project.id));
		const t1Steps = taskSteps(events, 'T1');
		console.log(`T1 in the event log: ${t1Steps.join(' → ')}`);
		expect(t1Steps).toEqual(T1_FIXED_ONCE);
		expect(project.usage.byRole.developer?.calls).toBe(3);
		expect(project.usage.byRole.tester?.calls).toBe(2);
	});
}, 5 * 60_000);

test('the shipped template workflows/develop-project.json, imported as shipped, answers a client request with the project developed and tested', async () => {
	await e2e.withN8nLog(async () => {
		const chatsBefore = e2e.ollama.chatRequests().length;
		const request = {
			title: 'Arithmetic library (template)',
			requirements: `A tiny JavaScript library with sum(a, b) and product(a, b), each with tests. (e2e run ${RUN_TAG})`,
			client: { name: 'Ada', email: 'ada@example.com' },
		};
		const { project, items } = await requestDevelopment('POST template (plan, develop, test, fix)', 'template webhook', TEMPLATE_WEBHOOK_PATH, request);
		console.log(describeAnswer('template answer', project, items.length));

		// Planned, moved to development, both tasks done: T1 after one fix round, T2 at once.
		expect(project).toMatchObject({ title: request.title, requirements: request.requirements, client: request.client, status: 'development', plan: PLAN });
		expect(project.tasks.T1).toMatchObject({ status: 'done', attempts: 2, files: [FIXED_SUM], testFiles: [SUM_TEST] });
		expect(project.tasks.T2).toMatchObject({ status: 'done', attempts: 1, files: [PRODUCT], testFiles: [PRODUCT_TEST] });
		expect(project.tasks.T1.testReport).toMatchObject({ status: 'passed', passed: 3, failed: 0 });

		// Each agent asked for the model the template names.
		const chats = e2e.ollama.chatRequests().slice(chatsBefore);
		const asked = chats.map((chat) => `${roleOf(chat)}${isFixRequest(chat) ? ' (fix)' : ''} ${taskOf(chat) ?? ''} with ${String(chat.body?.model)}`.replace(/ +/g, ' '));
		console.log(`template model requests: ${asked.join(' → ')}`);
		const planner = templateModel('AI Planner');
		const developer = templateModel('AI Developer');
		const tester = templateModel('AI Tester');
		expect([...asked].sort()).toEqual(
			[
				`planner with ${planner}`,
				`developer T1 with ${developer}`,
				`developer (fix) T1 with ${developer}`,
				`developer T2 with ${developer}`,
				`tester T1 with ${tester}`,
				`tester T2 with ${tester}`,
			].sort(),
		);

		// The store (default Key Prefix, the template's own database) has the lifecycle and the loop.
		const events = await withRedisClient(TEMPLATE_REDIS, (redis) => eventsOf(redis, TEMPLATE_PREFIX, project.id));
		const moves = events.filter((e) => e.type === 'project.status_changed').map((e) => `${e.data.from} → ${e.data.to} by ${e.source}`);
		console.log(`template project in the event log: ${moves.join('; ')}; T1: ${taskSteps(events, 'T1').join(' → ')}`);
		expect(moves).toEqual([
			'intake → planning by n8n:Start planning',
			'planning → planned by n8n:Plan ready',
			'planned → development by n8n:Start development',
		]);
		expect(taskSteps(events, 'T1')).toEqual(T1_FIXED_ONCE);
	});
}, 5 * 60_000);
