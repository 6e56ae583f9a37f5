import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Redis } from 'ioredis';

import { ProjectState } from '../../../nodes/ProjectState/ProjectState.node';
import * as redisConnection from '../../../nodes/shared/redisConnection';
import type { Project, ProjectEvent } from '../../../runtime/index';
import { diamondPlan } from '../../support/fixtures/plans';
import { runNode, type ParameterValue } from '../../support/nodeExecution';
import { closedPort } from '../../support/ports';
import { keysWithPrefix, redisCredential, TestRedis } from '../../support/redis';

const redis = new TestRedis('projectstate-node');
afterAll(() => redis.cleanup());

const node = new ProjectState();
const MB = 1024 * 1024;

let prefixCount = 0;
/** A key prefix of its own for each test, inside the file's, so listings never see other tests' projects. */
function freshPrefix(): string {
	prefixCount++;
	return `${redis.prefix}n${prefixCount}:`;
}

interface Run {
	prefix: string;
	items?: IDataObject[];
	continueOnFail?: boolean;
	credential?: ICredentialDataDecryptedObject;
	options?: Record<string, unknown>;
}

async function run(operation: string, parameters: Record<string, ParameterValue>, config: Run): Promise<INodeExecutionData[]> {
	const [items] = await runNode(node, {
		items: config.items ?? [{}],
		parameters: { operation, ...parameters, options: { keyPrefix: config.prefix, ...config.options } },
		credentials: { redis: config.credential ?? redisCredential() },
		continueOnFail: config.continueOnFail,
	});
	return items;
}

/** Runs and expects the node to fail; returns the error. */
async function runFailing(operation: string, parameters: Record<string, ParameterValue>, config: Run): Promise<NodeOperationError> {
	const error = await run(operation, parameters, config).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

/** Runs a failing call and proves that not one key under the prefix changed. */
async function expectRefusedUnchanged(
	operation: string,
	parameters: Record<string, ParameterValue>,
	config: Run,
	message: RegExp,
): Promise<NodeOperationError> {
	const before = await redis.snapshot(config.prefix);
	const error = await runFailing(operation, parameters, config);
	expect(error.message).toMatch(message);
	expect(await redis.snapshot(config.prefix)).toEqual(before);
	return error;
}

const project = (item: INodeExecutionData) => item.json as unknown as Project & { created?: boolean };

async function createProject(prefix: string, title = 'Bakery website', extra: Record<string, ParameterValue> = {}): Promise<Project> {
	const [item] = await run(
		'create',
		{ title, requirements: `Requirements of ${title}: a menu page and a contact form.`, clientName: 'Ana', clientEmail: 'ana@example.com', idempotencyKey: '', ...extra },
		{ prefix },
	);
	return project(item);
}

/** A project with the diamond plan set and task T1 started: ready for a task result. */
async function projectWithStartedTask(prefix: string): Promise<Project> {
	const created = await createProject(prefix);
	await run('setPlan', { projectId: created.id, plan: diamondPlan() }, { prefix });
	const [started] = await run('startTask', { projectId: created.id, taskId: 'T1' }, { prefix });
	return project(started);
}

describe('Project State node: create', () => {
	it('creates a project in "intake" and outputs it with created: true, paired to its item', async () => {
		const prefix = freshPrefix();
		const items = await run(
			'create',
			{
				title: (item: IDataObject) => item.title,
				requirements: (item: IDataObject) => item.requirements,
				clientName: (item: IDataObject) => (item.client as IDataObject).name,
				clientEmail: (item: IDataObject) => (item.client as IDataObject).email,
				idempotencyKey: '',
			},
			{ prefix, items: [{ title: 'Todo API', requirements: 'A todo REST API.', client: { name: 'Ada', email: 'ada@example.com' } }] },
		);
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toMatchObject({
			title: 'Todo API',
			requirements: 'A todo REST API.',
			client: { name: 'Ada', email: 'ada@example.com' },
			status: 'intake',
			plan: null,
			tasks: {},
			version: 1,
			archivedAt: null,
			created: true,
		});
		const id = project(items[0]).id;
		expect(await redis.inspector.hget(`${prefix}project:${id}`, 'version')).toBe('1');
	});

	it('is idempotent: the same request again returns the first project with created: false', async () => {
		const prefix = freshPrefix();
		const first = await createProject(prefix, 'Shop');
		const [again] = await run(
			'create',
			{ title: ' Shop ', requirements: 'Requirements of Shop:   a menu page and a contact form.', clientName: 'Ana', clientEmail: 'ANA@example.com', idempotencyKey: '' },
			{ prefix },
		);
		expect(project(again)).toMatchObject({ id: first.id, created: false, version: 1 });

		// An explicit key wins over the content: different text, same key, same project.
		const [keyed] = await run('create', { title: 'One', requirements: 'First text', idempotencyKey: 'form-42' }, { prefix });
		const [keyedAgain] = await run('create', { title: 'Two', requirements: 'Other text', idempotencyKey: 'form-42' }, { prefix });
		expect(project(keyed).created).toBe(true);
		expect(project(keyedAgain)).toMatchObject({ id: project(keyed).id, title: 'One', created: false });
		expect(await redis.inspector.zcard(`${prefix}index:all`)).toBe(2);
	});

	it('names an untitled project after the first line of its requirements, as the AI Planner does', async () => {
		const [item] = await run('create', { title: '', requirements: 'Landing page for a bakery\nwith a menu.' }, { prefix: freshPrefix() });
		expect(project(item).title).toBe('Landing page for a bakery');
	});

	it('refuses empty requirements, an oversized title and a malformed email, naming the field, storing nothing', async () => {
		const prefix = freshPrefix();
		const empty = await expectRefusedUnchanged('create', { title: 'X', requirements: '  ' }, { prefix }, /^requirements: is empty/);
		expect(empty.description).toBe('Check the "Requirements" parameter.');
		const long = await expectRefusedUnchanged('create', { title: 'x'.repeat(201), requirements: 'R' }, { prefix }, /^title: is 201 characters long; the limit is 200/);
		expect(long.description).toBe('Check the "Title" parameter.');
		await expectRefusedUnchanged('create', { title: 'X', requirements: 'R', clientEmail: 'not-an-email' }, { prefix }, /^client\.email: is not an email address/);
		await expectRefusedUnchanged('create', { title: 'X', requirements: { text: 'R' } }, { prefix }, /^requirements: must be text, got an object/);
		expect(await keysWithPrefix(redis.inspector, prefix)).toEqual([]);
	});
});

describe('Project State node: get, update status, set plan', () => {
	it('gets a project by the ID an earlier item carries', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const items = await run('get', { projectId: (item: IDataObject) => item.id }, { prefix, items: [{ id: created.id }] });
		const { created: _created, ...stored } = created as Project & { created?: boolean };
		expect(items).toEqual([{ json: stored, pairedItem: { item: 0 } }]);
	});

	it('refuses an unknown project ID with a message naming it and a description saying what to check', async () => {
		const prefix = freshPrefix();
		await createProject(prefix);
		const error = await expectRefusedUnchanged('get', { projectId: 'no-such-project' }, { prefix }, /^Project "no-such-project" not found$/);
		expect(error.description).toMatch(/Check the Project ID/);
		expect(error.description).toMatch(/Key Prefix/);
		await expectRefusedUnchanged('updateStatus', { projectId: 'no-such-project', status: 'planning' }, { prefix }, /not found/);
		await expectRefusedUnchanged('get', { projectId: 'bad id with spaces' }, { prefix }, /^projectId: must be 1-128 letters/);
		const empty = await expectRefusedUnchanged('get', { projectId: '' }, { prefix }, /^projectId: is empty/);
		expect(empty.description).toBe('Check the "Project ID" parameter.');
	});

	it('moves the project along its lifecycle with a reason', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const [item] = await run('updateStatus', { projectId: created.id, status: 'planning', reason: 'Planner started' }, { prefix });
		expect(project(item)).toMatchObject({ id: created.id, status: 'planning', statusReason: 'Planner started', version: 2 });
		expect(await redis.inspector.zscore(`${prefix}index:status:planning`, created.id)).not.toBeNull();
		expect(await redis.inspector.zscore(`${prefix}index:status:intake`, created.id)).toBeNull();
	});

	it('refuses an illegal transition naming both statuses, says where the project can go, and changes nothing', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const error = await expectRefusedUnchanged(
			'updateStatus',
			{ projectId: created.id, status: 'completed' },
			{ prefix },
			/cannot go from "intake" to "completed"/,
		);
		expect(error.description).toBe('From "intake" the project can go to: planning, failed, cancelled, on_hold.');
	});

	it('refuses a status that does not exist, naming the field', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const error = await expectRefusedUnchanged('updateStatus', { projectId: created.id, status: 'done' }, { prefix }, /^status: must be one of intake, planning/);
		expect(error.description).toBe('Check the "Status" parameter.');
	});

	it('offers every project status in the Status dropdown', () => {
		const status = node.description.properties.find((p) => p.name === 'status');
		expect((status?.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
			['cancelled', 'completed', 'deployment', 'development', 'failed', 'intake', 'on_hold', 'planned', 'planning', 'review', 'testing'],
		);
	});

	it('honours Expected Version: a stale one is refused with what to do, the current one applies', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		await run('updateStatus', { projectId: created.id, status: 'planning' }, { prefix });
		const error = await expectRefusedUnchanged(
			'updateStatus',
			{ projectId: created.id, status: 'planned' },
			{ prefix, options: { expectedVersion: 1 } },
			/is at version 2, expected version 1/,
		);
		expect(error.description).toMatch(/Get the project again/);
		const [item] = await run('updateStatus', { projectId: created.id, status: 'failed', reason: 'model down' }, { prefix, options: { expectedVersion: 2 } });
		expect(project(item)).toMatchObject({ status: 'failed', resumeStatus: 'planning', version: 3 });
		await expectRefusedUnchanged('archive', { projectId: created.id }, { prefix, options: { expectedVersion: 0 } }, /^expectedVersion: must be a whole number from 1/);
	});

	it('sets the AI Planner\'s plan from {{ $json.plan }} (an object) or from JSON text', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const plannerOutput = { projectId: created.id, plan: diamondPlan(), model: 'llama3.2', usage: {} };
		const [item] = await run(
			'setPlan',
			{ projectId: (i: IDataObject) => i.projectId ?? i.id, plan: (i: IDataObject) => i.plan },
			{ prefix, items: [plannerOutput as unknown as IDataObject] },
		);
		expect(project(item).plan).toEqual(diamondPlan());
		expect(Object.keys(project(item).tasks)).toEqual(['T1', 'T2', 'T3', 'T4']);
		expect(project(item).tasks.T1).toMatchObject({ status: 'pending', attempts: 0, files: [] });

		const replan = { ...diamondPlan(), tasks: diamondPlan().tasks.slice(0, 1) };
		const [again] = await run('setPlan', { projectId: created.id, plan: JSON.stringify(replan) }, { prefix });
		expect(Object.keys(project(again).tasks)).toEqual(['T1']);
	});

	it('refuses a malformed or invalid plan naming "plan", and changes nothing', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const malformed = await expectRefusedUnchanged('setPlan', { projectId: created.id, plan: '{"summary": ' }, { prefix }, /^plan: is not valid JSON/);
		expect(malformed.description).toBe('Check the "Plan" parameter.');
		await expectRefusedUnchanged('setPlan', { projectId: created.id, plan: { summary: 'x' } }, { prefix }, /^plan: .*missing the required field "techStack"/);
		const cyclic = diamondPlan();
		cyclic.tasks[0].dependsOn = ['T4'];
		await expectRefusedUnchanged('setPlan', { projectId: created.id, plan: cyclic }, { prefix }, /^plan\.tasks: .*cycle/);
		await expectRefusedUnchanged('setPlan', { projectId: created.id, plan: '' }, { prefix }, /^plan: /);
	});
});

describe('Project State node: tasks', () => {
	it('starts a task and records its result from fields: files, test files, test report', async () => {
		const prefix = freshPrefix();
		const started = await projectWithStartedTask(prefix);
		expect(started.tasks.T1).toMatchObject({ status: 'in_progress', attempts: 1 });
		const files = [{ path: 'src/app.ts', content: 'export const app = 1;\n' }];
		const testFiles = [{ path: 'test/app.test.ts', content: 'test("app", () => {});\n' }];
		const [item] = await run(
			'recordTaskResult',
			{
				projectId: started.id,
				taskId: 'T1',
				resultInput: 'fields',
				resultStatus: 'done',
				files: (i: IDataObject) => i.files,
				testFiles: JSON.stringify(testFiles),
				testReport: '{"passed": 3, "failed": 0}',
				errorMessage: '',
			},
			{ prefix, items: [{ files }] },
		);
		expect(project(item).tasks.T1).toEqual({
			status: 'done',
			attempts: 1,
			files,
			testFiles,
			testReport: { passed: 3, failed: 0 },
			updatedAt: expect.any(String),
		});
		expect(project(item).version).toBe(started.version + 1);
	});

	it('records a failed result given as JSON; a retry starts the task again, and empty Files keep its files', async () => {
		const prefix = freshPrefix();
		const started = await projectWithStartedTask(prefix);
		const files = [{ path: 'src/a.ts', content: 'a' }];
		const [failed] = await run(
			'recordTaskResult',
			{ projectId: started.id, taskId: 'T1', resultInput: 'json', result: JSON.stringify({ status: 'failed', error: 'tests fail', files }) },
			{ prefix },
		);
		expect(project(failed).tasks.T1).toMatchObject({ status: 'failed', error: 'tests fail', attempts: 1, files });
		const [retried] = await run('startTask', { projectId: started.id, taskId: 'T1' }, { prefix });
		expect(project(retried).tasks.T1).toMatchObject({ status: 'in_progress', attempts: 2 });
		const [done] = await run(
			'recordTaskResult',
			{ projectId: started.id, taskId: 'T1', resultInput: 'fields', resultStatus: 'done', files: '', testFiles: '', testReport: '', errorMessage: '' },
			{ prefix },
		);
		expect(project(done).tasks.T1).toMatchObject({ status: 'done', attempts: 2, files, testReport: null });
		expect(project(done).tasks.T1).not.toHaveProperty('error');
	});

	it('refuses a result for a task that was not started, naming both task statuses and what to do', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		await run('setPlan', { projectId: created.id, plan: diamondPlan() }, { prefix });
		const error = await expectRefusedUnchanged(
			'recordTaskResult',
			{ projectId: created.id, taskId: 'T2', resultInput: 'fields', resultStatus: 'done', files: '[]', testReport: '', errorMessage: '' },
			{ prefix },
			/^Task "T2" of project ".*" cannot go from "pending" to "done"$/,
		);
		expect(error.description).toMatch(/Start Task/);
		const unknown = await expectRefusedUnchanged('startTask', { projectId: created.id, taskId: 'T9' }, { prefix }, /has no task "T9"/);
		expect(unknown.description).toMatch(/Check the Task ID/);
	});

	it('refuses malformed, off-contract and oversized results naming the field, and changes nothing', async () => {
		const prefix = freshPrefix();
		const started = await projectWithStartedTask(prefix);
		const base = { projectId: started.id, taskId: 'T1' };
		const malformed = await expectRefusedUnchanged('recordTaskResult', { ...base, resultInput: 'json', result: '{"status": "done",' }, { prefix }, /^result: is not valid JSON/);
		expect(malformed.description).toBe('Check the "Result" parameter.');
		await expectRefusedUnchanged('recordTaskResult', { ...base, resultInput: 'json', result: '{"status": "finished"}' }, { prefix }, /^result: \/status must be equal to one of the allowed values/);
		await expectRefusedUnchanged('recordTaskResult', { ...base, resultInput: 'json', result: '{"status": "done", "extra": 1}' }, { prefix }, /^result: .*has the field "extra", which is not allowed here/);
		await expectRefusedUnchanged('recordTaskResult', { ...base, resultInput: 'json', result: '' }, { prefix }, /^result: is empty/);
		const fields = { ...base, resultInput: 'fields', resultStatus: 'done', testReport: '', errorMessage: '' };
		const oversized = await expectRefusedUnchanged(
			'recordTaskResult',
			{ ...fields, files: [{ path: 'big.txt', content: 'x'.repeat(MB + 1) }] },
			{ prefix },
			/^result\.files\[0\]\.content: is 1048577 bytes; the limit is 1048576/,
		);
		expect(oversized.description).toBe('Check the "Files" parameter.');
		await expectRefusedUnchanged('recordTaskResult', { ...fields, files: [{ path: '../etc/passwd', content: '' }] }, { prefix }, /^result\.files\[0\]\.path: must not contain "\.\."/);
		await expectRefusedUnchanged('recordTaskResult', { ...fields, files: '[{"path": "a"' }, { prefix }, /^result\.files: is not valid JSON/);
		await expectRefusedUnchanged('recordTaskResult', { ...fields, files: '[]', errorMessage: 'e'.repeat(20_001) }, { prefix }, /^result\.error: is 20001 characters long/);
	});

	it('adds usage per role from {{ $json.usage }}', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const usage = { promptTokens: 800, completionTokens: 600, totalTokens: 1400, llmMs: 9000, wallMs: 9400, calls: 1 };
		await run('addUsage', { projectId: created.id, role: 'planner', usage: (i: IDataObject) => i.usage }, { prefix, items: [{ usage }] });
		const [item] = await run('addUsage', { projectId: created.id, role: 'developer', usage: JSON.stringify(usage) }, { prefix });
		expect(project(item).usage.byRole).toEqual({ planner: usage, developer: usage });
		expect(project(item).usage.total).toMatchObject({ totalTokens: 2800, calls: 2 });
		await expectRefusedUnchanged('addUsage', { projectId: created.id, role: 'planner', usage: { calls: 1 } }, { prefix }, /^usage: /);
	});
});

describe('Project State node: events', () => {
	it('adds an event without changing the project, and gets the log one item per event, oldest first', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const [added] = await run('addEvent', { projectId: created.id, eventType: 'review.requested', eventData: '{"reviewer": "Ada"}' }, { prefix });
		expect(added.json).toEqual({
			projectId: created.id,
			id: expect.stringMatching(/^\d+-\d+$/),
			time: expect.any(String),
			type: 'review.requested',
			source: 'n8n:Project State',
			data: { reviewer: 'Ada' },
		});
		const [unchanged] = await run('get', { projectId: created.id }, { prefix });
		expect(project(unchanged).version).toBe(1);

		const events = await run('getEvents', { projectId: created.id, returnAll: true, after: '' }, { prefix });
		expect(events.map((e) => (e.json as unknown as ProjectEvent).type)).toEqual(['project.created', 'review.requested']);
		expect(events.every((e) => e.json.projectId === created.id)).toBe(true);
		expect(events.map((e) => e.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);

		const first = await run('getEvents', { projectId: created.id, returnAll: false, limit: 1, after: '' }, { prefix });
		expect(first.map((e) => e.json.type)).toEqual(['project.created']);
		const rest = await run('getEvents', { projectId: created.id, returnAll: false, limit: 10, after: first[0].json.id as string }, { prefix });
		expect(rest.map((e) => e.json.type)).toEqual(['review.requested']);
	});

	it('refuses a bad event type, malformed or non-object data, naming the field', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		await expectRefusedUnchanged('addEvent', { projectId: created.id, eventType: 'Bad Type', eventData: '{}' }, { prefix }, /^event: \/type must match pattern/);
		const malformed = await expectRefusedUnchanged('addEvent', { projectId: created.id, eventType: 'note', eventData: '{"a":' }, { prefix }, /^data: is not valid JSON/);
		expect(malformed.description).toBe('Check the "Event Data" parameter.');
		await expectRefusedUnchanged('addEvent', { projectId: created.id, eventType: 'note', eventData: '[1, 2]' }, { prefix }, /^data: must be a JSON object/);
		await expectRefusedUnchanged(
			'addEvent',
			{ projectId: created.id, eventType: 'note', eventData: { blob: 'x'.repeat(65 * 1024) } },
			{ prefix },
			/^event\.data: is \d+ bytes; the limit is 65536/,
		);
	});
});

describe('Project State node: list, archive, delete', () => {
	async function fiveProjects(prefix: string): Promise<Project[]> {
		const created: Project[] = [];
		// One at a time, so creation times (the listing order) differ.
		for (const title of ['P1', 'P2', 'P3', 'P4', 'P5']) {
			created.push(await createProject(prefix, title));
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		return created;
	}

	it('lists one item per project, newest first, a page at a time, all paired to the input item', async () => {
		const prefix = freshPrefix();
		await fiveProjects(prefix);
		const page = (offset: number) => run('list', { statusFilter: 'active', returnAll: false, limit: 2, offset }, { prefix });
		const titles = async (offset: number) => (await page(offset)).map((i) => i.json.title);
		expect(await titles(0)).toEqual(['P5', 'P4']);
		expect(await titles(2)).toEqual(['P3', 'P2']);
		expect(await titles(4)).toEqual(['P1']);
		expect(await titles(6)).toEqual([]);
		const all = await run('list', { statusFilter: 'active', returnAll: true }, { prefix });
		expect(all.map((i) => i.json.title)).toEqual(['P5', 'P4', 'P3', 'P2', 'P1']);
		expect(all.every((i: IDataObject) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(all[0].json).toMatchObject({ status: 'intake', version: 1, plan: null });
	});

	it('filters by status; "All Active" leaves out cancelled and archived projects', async () => {
		const prefix = freshPrefix();
		const [p1, p2, p3] = await fiveProjects(prefix);
		await run('updateStatus', { projectId: p1.id, status: 'planning' }, { prefix });
		await run('updateStatus', { projectId: p2.id, status: 'cancelled' }, { prefix });
		const [archived] = await run('archive', { projectId: p3.id }, { prefix });
		expect(project(archived).archivedAt).toEqual(expect.any(String));
		expect(project(archived).status).toBe('intake');

		const list = async (statusFilter: string) =>
			(await run('list', { statusFilter, returnAll: true }, { prefix })).map((i) => i.json.title);
		expect(await list('planning')).toEqual(['P1']);
		expect(await list('cancelled')).toEqual(['P2']);
		expect(await list('intake')).toEqual(['P5', 'P4']);
		expect(await list('active')).toEqual(['P5', 'P4', 'P1']);
		// Archived, still readable.
		const [got] = await run('get', { projectId: p3.id }, { prefix });
		expect(project(got).archivedAt).toBe(project(archived).archivedAt);
		const badFilter = await expectRefusedUnchanged('list', { statusFilter: 'finished', returnAll: true }, { prefix }, /^statusFilter: must be "active" or one of intake/);
		expect(badFilter.description).toBe('Check the "Status Filter" parameter.');
		await expectRefusedUnchanged('list', { statusFilter: 'active', returnAll: false, limit: 0, offset: 0 }, { prefix }, /^limit: must be a whole number from 1 to 500/);
	});

	it('deletes a project with its event log and index entries; afterwards it is not found', async () => {
		const prefix = freshPrefix();
		const keep = await createProject(prefix, 'Keep');
		const gone = await createProject(prefix, 'Gone');
		const [item] = await run('delete', { projectId: gone.id }, { prefix });
		expect(item).toEqual({ json: { id: gone.id, deleted: true }, pairedItem: { item: 0 } });
		const keys = await keysWithPrefix(redis.inspector, prefix);
		expect(keys.filter((k) => k.includes(gone.id))).toEqual([]);
		expect(keys).toContain(`${prefix}project:${keep.id}`);
		expect(await redis.inspector.zrange(`${prefix}index:all`, '0', '-1')).toEqual([keep.id]);
		await runFailing('get', { projectId: gone.id }, { prefix });
	});
});

describe('Project State node: items, errors and the connection', () => {
	it('with Continue On Fail, a failed item outputs its error and the other items go on', async () => {
		const prefix = freshPrefix();
		const a = await createProject(prefix, 'A');
		const b = await createProject(prefix, 'B');
		const items = await run('updateStatus', { projectId: (i: IDataObject) => i.id, status: 'planning', reason: '' }, {
			prefix,
			continueOnFail: true,
			items: [{ id: a.id }, { id: 'missing-project' }, { id: b.id }],
		});
		expect(items.map((i: IDataObject) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).toMatchObject({ id: a.id, status: 'planning' });
		expect(items[1].json).toEqual({ error: 'Project "missing-project" not found', description: expect.stringMatching(/Check the Project ID/) });
		expect(items[2].json).toMatchObject({ id: b.id, status: 'planning' });
	});

	it('without Continue On Fail, the first failing item stops the node with its item index', async () => {
		const prefix = freshPrefix();
		const a = await createProject(prefix, 'A');
		const error = await runFailing('get', { projectId: (i: IDataObject) => i.id }, { prefix, items: [{ id: a.id }, { id: 'missing-project' }] });
		expect(error.context.itemIndex).toBe(1);
	});

	it('opens one connection for all items of an execution and closes it, also when an item fails', async () => {
		const prefix = freshPrefix();
		const a = await createProject(prefix, 'A');
		const opened: Redis[] = [];
		const openRedis = redisConnection.openRedis;
		const spy = jest.spyOn(redisConnection, 'openRedis').mockImplementation(async (data) => {
			const client = await openRedis(data);
			opened.push(client);
			return client;
		});
		try {
			await run('get', { projectId: (i: IDataObject) => i.id }, { prefix, items: [{ id: a.id }, { id: a.id }, { id: a.id }] });
			expect(opened).toHaveLength(1);
			await closed(opened[0]);
			await runFailing('get', { projectId: (i: IDataObject) => i.id }, { prefix, items: [{ id: a.id }, { id: 'missing-project' }] });
			expect(opened).toHaveLength(2);
			await closed(opened[1]);
		} finally {
			spy.mockRestore();
		}
	});

	it('keeps every key under the Key Prefix option and refuses a prefix with spaces, naming it', async () => {
		const prefix = freshPrefix();
		const created = await createProject(prefix);
		const keys = await keysWithPrefix(redis.inspector, prefix);
		expect(keys).toEqual(
			[
				`${prefix}idem:${created.idempotencyKey}`,
				`${prefix}index:active`,
				`${prefix}index:all`,
				`${prefix}index:status:intake`,
				`${prefix}project:${created.id}`,
				`${prefix}project:${created.id}:events`,
			].sort(),
		);
		const error = await runFailing('get', { projectId: created.id }, { prefix, options: { keyPrefix: 'has space:' } });
		expect(error.message).toMatch(/^prefix: must be 1-100 visible ASCII characters/);
		expect(error.description).toBe('Check the "Key Prefix (Options)" parameter.');
	});

	it('fails with what to check when Redis cannot be reached, or the database does not exist', async () => {
		const port = await closedPort();
		const unreachable = await runFailing('get', { projectId: 'p-1' }, { prefix: freshPrefix(), credential: redisCredential({ host: '127.0.0.1', port }) });
		expect(unreachable.message).toMatch(new RegExp(`^Cannot reach Redis at 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
		expect(unreachable.description).toMatch(/Host and Port/);
		const noDatabase = await runFailing('get', { projectId: 'p-1' }, { prefix: freshPrefix(), credential: redisCredential({ database: 12345 }) });
		expect(noDatabase.message).toMatch(/^database: Redis at .* refused database 12345 \(ERR DB index is out of range\)/);
	});
});

describe('Redis credential test', () => {
	const test = (data: ICredentialDataDecryptedObject) =>
		redisConnection.testRedisCredential.call({} as ICredentialTestFunctions, { id: 'c1', name: 'Redis', type: 'redis', data });

	it('is the node\'s testedBy for the built-in redis credential', () => {
		expect(node.description.credentials).toContainEqual({
			name: 'redis',
			required: true,
			testedBy: 'aiCompanyRedisConnectionTest',
			displayOptions: { show: { '@version': [1] } },
		});
		// GitHub only where it is used: publishing to GitHub.
		expect(node.description.credentials).toContainEqual({
			name: 'githubApi',
			required: true,
			displayOptions: { show: { operation: ['publish'], publishTarget: ['github'] } },
		});
		expect(node.methods.credentialTest.aiCompanyRedisConnectionTest).toBe(redisConnection.testRedisCredential);
	});

	it('says OK with the Redis version, address and database', async () => {
		const data = redisCredential();
		const result = await test(data);
		expect(result).toEqual({
			status: 'OK',
			message: expect.stringMatching(new RegExp(`^Connected to Redis \\d+\\.\\d+\\.\\d+ at ${String(data.host).replace(/\./g, '\\.')}:${data.port}, database ${data.database}$`)),
		});
	});

	it('says nothing answers on a closed port, and to check host and port', async () => {
		const port = await closedPort();
		const result = await test(redisCredential({ host: '127.0.0.1', port }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`^Cannot reach Redis at 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .*Host and Port`));
	});

	it('says the login was refused for a wrong user or password', async () => {
		const result = await test(redisCredential({ user: 'aic-no-such-user', password: 'wrong' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/WRONGPASS.*refused the login: check the credential's User and Password/);
	});

	it('says the database does not exist', async () => {
		const result = await test(redisCredential({ database: 12345 }));
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/refused database 12345 .*Database Number/) });
	});
});

/** Resolves once the client's connection has ended (QUIT was sent; the socket closes right after). */
async function closed(client: Redis): Promise<void> {
	expect(['ready', 'close', 'end']).toContain(client.status);
	if (client.status !== 'end') await new Promise((resolve) => client.once('end', resolve));
	expect(client.status).toBe('end');
}
