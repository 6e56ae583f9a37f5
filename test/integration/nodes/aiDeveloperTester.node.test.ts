import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AiDeveloper } from '../../../nodes/AiDeveloper/AiDeveloper.node';
import { AiTester } from '../../../nodes/AiTester/AiTester.node';
import { ProjectStore } from '../../../runtime/state';
import { runNode } from '../../support/nodeExecution';
import { OllamaTestServer } from '../../support/ollamaTestServer';
import { redisCredential, TestRedis } from '../../support/redis';
import { BUGGY_SUM, FIXED_SUM, mathPlan, MODEL, scriptModel, storedProject, SUM_TASK, SUM_TEST, sumCompany, turns } from '../pipeline/support';

// The AI Developer and AI Tester nodes on a stored project, run through n8n's IExecuteFunctions:
// the canvas fix loop Developer → Tester (failed) → Developer (fixes) → Tester (passed).

const redis = new TestRedis('devtester-node');
let server: OllamaTestServer;
const developer = new AiDeveloper();
const tester = new AiTester();

beforeAll(async () => {
	server = await OllamaTestServer.start({ models: [MODEL] });
});
beforeEach(() => {
	server.requests.splice(0);
	scriptModel(server, sumCompany);
});
afterAll(async () => {
	await server.close();
	await redis.cleanup();
});

const SECOND_TASK = { ...SUM_TASK, id: 'T2', title: 'Add a product function', description: 'src/product.js' };

let prefixCount = 0;

/** A store under a prefix of its own (inside the file's), with a stored two-task project. */
async function freshProject(): Promise<{ store: ProjectStore; prefix: string; projectId: string }> {
	const prefix = `${redis.prefix}n${++prefixCount}:`;
	const store = new ProjectStore(redis.client(), { prefix });
	const projectId = await storedProject(store, mathPlan([SUM_TASK, SECOND_TASK]));
	return { store, prefix, projectId };
}

interface Run {
	prefix: string;
	items: IDataObject[];
	parameters?: Record<string, unknown>;
	options?: IDataObject;
	continueOnFail?: boolean;
}

/** Runs a node the way a workflow would, its Project ID and Task ID mapped from the input item as their defaults do. */
async function run(nodeType: INodeType, config: Run): Promise<INodeExecutionData[]> {
	const [items] = await runNode(nodeType, {
		items: config.items,
		parameters: {
			authentication: 'aiCompanyOllamaApi',
			model: MODEL,
			projectId: (item: IDataObject) => item.projectId,
			taskId: (item: IDataObject) => (item.task as IDataObject | undefined)?.id ?? item.taskId,
			...(nodeType === developer ? { mode: 'auto' } : {}),
			options: { keyPrefix: config.prefix, ...config.options },
			...config.parameters,
		},
		credentials: { aiCompanyOllamaApi: { baseUrl: server.url, apiKey: '' }, redis: redisCredential() },
		continueOnFail: config.continueOnFail,
	});
	return items;
}

async function runFailing(nodeType: INodeType, config: Run): Promise<NodeOperationError> {
	const error = await run(nodeType, config).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

const DEVELOPER_KEYS = ['attempt', 'contextFiles', 'files', 'mode', 'model', 'projectId', 'repairs', 'summary', 'task', 'taskId', 'usage'];
const TESTER_KEYS = ['attempt', 'model', 'projectId', 'report', 'status', 'taskId', 'taskStatus', 'testFiles', 'usage', 'wroteTests'];

describe('AI Developer → AI Tester on the canvas', () => {
	it('writes, fails its tests, fixes from the failure, and passes; each output item says what happened', async () => {
		const { store, prefix, projectId } = await freshProject();
		// What the Task Splitter hands on.
		const splitterItem = { projectId, task: SUM_TASK, wave: 1, waveCount: 1, position: 1, taskCount: 2 };

		const [written] = await run(developer, { prefix, items: [splitterItem] });
		expect(Object.keys(written.json).sort()).toEqual(DEVELOPER_KEYS);
		expect(written.json).toMatchObject({
			projectId,
			taskId: 'T1',
			task: SUM_TASK,
			attempt: 1,
			mode: 'write',
			summary: 'Write sum',
			files: [{ path: 'src/sum.js', content: BUGGY_SUM }],
			model: MODEL,
			usage: { calls: 1 },
			repairs: 0,
			contextFiles: [],
		});
		expect(written.pairedItem).toEqual({ item: 0 });

		const [failed] = await run(tester, { prefix, items: [written.json] });
		expect(Object.keys(failed.json).sort()).toEqual(TESTER_KEYS);
		expect(failed.json).toMatchObject({
			projectId,
			taskId: 'T1',
			status: 'failed',
			taskStatus: 'failed',
			attempt: 1,
			report: { status: 'failed', passed: 0, failed: 1, runner: 'node', failures: [{ test: 'sum adds two numbers' }] },
			testFiles: ['test/sum.test.js'],
			wroteTests: true,
			model: MODEL,
			usage: { calls: 1 },
		});

		// The IF node sends the failed item back to the developer (mode "Write or Fix").
		const [fixed] = await run(developer, { prefix, items: [failed.json] });
		expect(fixed.json).toMatchObject({ taskId: 'T1', attempt: 2, mode: 'fix', files: [{ path: 'src/sum.js', content: FIXED_SUM }], contextFiles: ['src/sum.js'] });
		expect(turns(server)[2]).toMatchObject({ role: 'developer', fix: true });
		expect(turns(server)[2].prompt).toContain(SUM_TEST);

		const [passed] = await run(tester, { prefix, items: [fixed.json] });
		expect(Object.keys(passed.json).sort()).toEqual(TESTER_KEYS);
		expect(passed.json).toMatchObject({
			status: 'passed',
			taskStatus: 'done',
			attempt: 2,
			report: { status: 'passed', passed: 1, failed: 0 },
			testFiles: ['test/sum.test.js'],
			wroteTests: false,
			model: null,
			usage: null,
		});

		const project = await store.get(projectId);
		expect(project.tasks.T1).toMatchObject({ status: 'done', attempts: 2 });
		expect(project.usage.byRole).toMatchObject({ developer: { calls: 2 }, tester: { calls: 1 } });
		const sources = (await store.events(projectId)).filter((e) => e.type.startsWith('task.')).map((e) => `${e.type} ${e.source}`);
		expect(sources).toEqual([
			'task.started n8n:AI Developer',
			'task.work_recorded n8n:AI Developer',
			'task.work_recorded n8n:AI Tester',
			'task.failed n8n:AI Tester',
			'task.started n8n:AI Developer',
			'task.work_recorded n8n:AI Developer',
			'task.done n8n:AI Tester',
		]);
	});
});

describe('refusals that name the field', () => {
	it('an empty Task ID', async () => {
		const { prefix, projectId } = await freshProject();
		const before = await redis.snapshot(prefix);
		const error = await runFailing(developer, { prefix, items: [{ projectId, taskId: '  ' }] });
		expect(error.message).toMatch(/^taskId: is empty/);
		expect(await redis.snapshot(prefix)).toEqual(before);
		expect(server.chatRequests()).toHaveLength(0);
	});

	it('an unknown task, listing the plan\'s tasks, from either node', async () => {
		const { prefix, projectId } = await freshProject();
		const message = `taskId: project "${projectId}" has no task "T9"; its tasks are "T1", "T2"`;
		expect((await runFailing(developer, { prefix, items: [{ projectId, taskId: 'T9' }] })).message).toBe(message);
		expect((await runFailing(tester, { prefix, items: [{ projectId, taskId: 'T9' }] })).message).toBe(message);
		expect(server.chatRequests()).toHaveLength(0);
	});

	it('the tester on a task nobody has worked on yet', async () => {
		const { store, prefix, projectId } = await freshProject();
		const error = await runFailing(tester, { prefix, items: [{ projectId, taskId: 'T1' }] });
		expect(error.message).toBe('taskId: task "T1" is pending, not in progress: run the AI Developer on it first');
		expect(server.chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'pending', attempts: 0 });
	});

	it('the developer in Fix mode on a task without a failing test report, leaving the task as it was', async () => {
		const { store, prefix, projectId } = await freshProject();
		const error = await runFailing(developer, { prefix, items: [{ projectId, taskId: 'T1' }], parameters: { mode: 'fix' } });
		expect(error.message).toBe('mode: task "T1" has no failing test report to fix: run the AI Tester first, or use the Write mode');
		expect(server.chatRequests()).toHaveLength(0);
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'pending', attempts: 0 });
	});

	it('with Continue On Fail: the bad item gets its error, the others go on, each paired to its input', async () => {
		const { store, prefix, projectId } = await freshProject();
		const items = await run(developer, { prefix, continueOnFail: true, items: [{ projectId, taskId: 'T9' }, { projectId, taskId: 'T1' }] });
		expect(items).toHaveLength(2);
		expect(items[0]).toEqual({
			json: { error: `taskId: project "${projectId}" has no task "T9"; its tasks are "T1", "T2"`, description: 'Check the "taskId" field.' },
			pairedItem: { item: 0 },
		});
		expect(items[1].json).toMatchObject({ taskId: 'T1', mode: 'write', files: [{ path: 'src/sum.js', content: BUGGY_SUM }] });
		expect(items[1].pairedItem).toEqual({ item: 1 });
		expect((await store.get(projectId)).tasks.T1.status).toBe('in_progress');
	});
});

describe('the AI Tester\'s Test Command option', () => {
	async function developedTask(): Promise<{ store: ProjectStore; prefix: string; projectId: string }> {
		const project = await freshProject();
		await run(developer, { prefix: project.prefix, items: [{ projectId: project.projectId, taskId: 'T1' }] });
		return project;
	}

	it('runs the given command instead of the chosen runner: one that exits 1 fails the task', async () => {
		const { store, prefix, projectId } = await developedTask();
		const [item] = await run(tester, { prefix, items: [{ projectId, taskId: 'T1' }], options: { testCommand: 'node -e process.exit(1)' } });
		expect(item.json).toMatchObject({
			status: 'error',
			taskStatus: 'failed',
			wroteTests: true,
			report: { status: 'error', runner: 'custom', command: ['node', '-e', 'process.exit(1)'] },
		});
		expect((await store.get(projectId)).tasks.T1).toMatchObject({ status: 'failed', testReport: { runner: 'custom', status: 'error' } });
	});

	it('parses the command\'s test output: the tests it runs decide the status', async () => {
		const { prefix, projectId } = await developedTask();
		const [item] = await run(tester, { prefix, items: [{ projectId, taskId: 'T1' }], options: { testCommand: ' node --test-reporter=tap test/sum.test.js ' } });
		expect(item.json).toMatchObject({
			status: 'failed',
			taskStatus: 'failed',
			report: { status: 'failed', runner: 'custom', command: ['node', '--test-reporter=tap', 'test/sum.test.js'], failures: [{ test: 'sum adds two numbers' }] },
		});
	});

	it('one that exits 0 finishes the task', async () => {
		const { store, prefix, projectId } = await developedTask();
		const [item] = await run(tester, { prefix, items: [{ projectId, taskId: 'T1' }], options: { testCommand: 'node -e process.exit(0)' } });
		expect(item.json).toMatchObject({ status: 'passed', taskStatus: 'done', report: { runner: 'custom' } });
		expect((await store.get(projectId)).tasks.T1.status).toBe('done');
	});
});
