import { InvalidInputError } from '../../../runtime/errors';
import { ProjectNotFoundError, type ProjectStore } from '../../../runtime/state';
import { TestRedis } from '../../support/redis';
import { intake, plan, planTask, storeWithTaskInProgress } from './fixtures';

const redis = new TestRedis('badinput');
afterAll(() => redis.cleanup());

const MB = 1024 * 1024;
const usage = { promptTokens: 1, completionTokens: 1, totalTokens: 2, llmMs: 1, wallMs: 1, calls: 1 };

const setUp = () => storeWithTaskInProgress(redis);

/** Runs the call, expects the given error, and proves not one key under the store's prefix changed. */
async function expectUnchanged(store: ProjectStore, call: () => Promise<unknown>, expected: { type: Function; field?: string; message?: RegExp }) {
	const before = await redis.snapshot(store.keys.prefix);
	const error = await call().then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(expected.type);
	if (expected.field !== undefined) expect(error).toMatchObject({ field: expected.field });
	if (expected.message) expect((error as Error).message).toMatch(expected.message);
	expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
}

describe('bad input leaves stored data unchanged', () => {
	it('refuses every operation on an unknown project id, naming the id', async () => {
		const { store } = await setUp();
		const notFound = { type: ProjectNotFoundError, message: /"no-such-project"/ };
		const missing = 'no-such-project';
		await expectUnchanged(store, () => store.get(missing), notFound);
		await expectUnchanged(store, () => store.updateStatus(missing, 'planning'), notFound);
		await expectUnchanged(store, () => store.setPlan(missing, plan()), notFound);
		await expectUnchanged(store, () => store.startTask(missing, 'a'), notFound);
		await expectUnchanged(store, () => store.recordTaskResult(missing, 'a', { status: 'done' }), notFound);
		await expectUnchanged(store, () => store.addUsage(missing, 'planner', usage), notFound);
		await expectUnchanged(store, () => store.setRepository(missing, { url: 'x' }), notFound);
		await expectUnchanged(store, () => store.addEvent(missing, { type: 'note' }), notFound);
		await expectUnchanged(store, () => store.events(missing), notFound);
		await expectUnchanged(store, () => store.archive(missing), notFound);
		await expectUnchanged(store, () => store.delete(missing), notFound);
	});

	it('refuses malformed project ids before they reach a key', async () => {
		const { store, id } = await setUp();
		for (const bad of [`${id}:events`, '', '../x', 'a b', 'x'.repeat(129)]) {
			await expectUnchanged(store, () => store.updateStatus(bad, 'planned'), { type: InvalidInputError, field: 'projectId' });
		}
	});

	it('refuses a status that does not exist', async () => {
		const { store, id } = await setUp();
		for (const bad of ['done', 'PLANNED', '', null]) {
			await expectUnchanged(store, () => store.updateStatus(id, bad as never), { type: InvalidInputError, field: 'status', message: /intake, planning/ });
		}
		await expectUnchanged(store, () => store.list({ status: 'finished' as never }), { type: InvalidInputError, field: 'status' });
	});

	it('refuses malformed task results', async () => {
		const { store, id } = await setUp();
		const bad: unknown[] = [
			{},
			{ status: 'ok' },
			{ status: 'done', files: 'src/a.ts' },
			{ status: 'done', files: [{ path: 'a.ts' }] },
			{ status: 'done', files: [{ path: '', content: 'x' }] },
			{ status: 'done', testReport: 'all green' },
			{ status: 'done', error: 42 },
			{ status: 'done', extra: true },
			null,
		];
		for (const result of bad) {
			await expectUnchanged(store, () => store.recordTaskResult(id, 'a', result as never), { type: InvalidInputError, field: 'result' });
		}
	});

	it('names every schema problem of a result in one message, separated', async () => {
		const { store, id } = await setUp();
		const error = (await store.recordTaskResult(id, 'a', { status: 'ok', extra: true } as never).catch((e: unknown) => e)) as InvalidInputError;
		expect(error).toMatchObject({ field: 'result' });
		const problems = error.message.split('; ');
		expect(problems.length).toBeGreaterThanOrEqual(2);
		expect(problems.some((p) => p.includes('status'))).toBe(true);
		expect(problems.some((p) => p.includes('extra'))).toBe(true);
	});

	it("refuses a result's test file with a bad path, naming result.testFiles", async () => {
		const { store, id } = await setUp();
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', testFiles: [{ path: 'test/ok.test.js', content: '' }, { path: '../escape.test.js', content: 'x' }] }), {
			type: InvalidInputError,
			field: 'result.testFiles[1].path',
		});
	});

	it("refuses a result's test report over the limit, naming result.testReport; one within it is kept", async () => {
		const { store, id } = await setUp();
		const report = (output: string) => ({ status: 'passed' as const, passed: 1, failed: 0, durationMs: 5, output, failures: [], runner: 'node', command: ['node', '--test'], isolation: { sandbox: 'process' as const, network: false, writesOutsideWorkspace: false } });
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', testReport: report('x'.repeat(MB)) }), { type: InvalidInputError, field: 'result.testReport', message: /bytes/ });
		const kept = await store.recordTaskResult(id, 'a', { status: 'done', testReport: report('ok') });
		expect(kept.tasks.a.testReport).toMatchObject({ output: 'ok' });
	});

	it('refuses file paths that would leave the project folder', async () => {
		const { store, id } = await setUp();
		for (const path of ['../etc/passwd', '/etc/passwd', 'src/../../x', 'C:/x', 'src\\a.ts']) {
			await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', files: [{ path: 'ok.ts', content: '' }, { path, content: 'x' }] }), {
				type: InvalidInputError,
				field: 'result.files[1].path',
			});
		}
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', files: [{ path: 'a', content: '1' }, { path: 'a', content: '2' }] }), {
			type: InvalidInputError,
			field: 'result.files[1].path',
		});
	});

	it('refuses oversized fields, naming the field', async () => {
		const { store, id } = await setUp();
		await expectUnchanged(store, () => store.create(intake({ requirements: 'x'.repeat(100_001) })), { type: InvalidInputError, field: 'requirements', message: /100001 characters.*20000/ });
		await expectUnchanged(store, () => store.create(intake({ title: 't'.repeat(201) })), { type: InvalidInputError, field: 'title' });
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', files: [{ path: 'big.bin', content: 'x'.repeat(MB + 1) }] }), {
			type: InvalidInputError,
			field: 'result.files[0].content',
			message: /1048577 bytes/,
		});
		// Multi-byte characters count as bytes: 0.6 M three-byte characters are 1.8 MB.
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', files: [{ path: 'utf8.txt', content: '€'.repeat(600_000) }] }), {
			type: InvalidInputError,
			field: 'result.files[0].content',
		});
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'failed', error: 'e'.repeat(20_001) }), { type: InvalidInputError, field: 'result.error' });
		await expectUnchanged(store, () => store.updateStatus(id, 'failed', { reason: 'r'.repeat(2_001) }), { type: InvalidInputError, field: 'reason' });
		await expectUnchanged(store, () => store.addEvent(id, { type: 'note', data: { blob: 'x'.repeat(70_000) } }), { type: InvalidInputError, field: 'event.data' });
	});

	it('refuses a change that would make the whole project too big, though each file is within limits', async () => {
		const { store, id } = await setUp();
		const files = Array.from({ length: 8 }, (_, i) => ({ path: `part${i}.txt`, content: 'x'.repeat(MB) }));
		await expectUnchanged(store, () => store.recordTaskResult(id, 'a', { status: 'done', files }), {
			type: InvalidInputError,
			field: 'project',
			message: /the limit is 8388608/,
		});
		await store.recordTaskResult(id, 'a', { status: 'done', files: files.slice(0, 2) });
		expect((await store.get(id)).tasks.a.files).toHaveLength(2);
	});

	it('refuses a plan that is malformed or whose task graph is broken', async () => {
		const { store, id } = await setUp();
		await expectUnchanged(store, () => store.setPlan(id, { summary: 'x' } as never), { type: InvalidInputError, field: 'plan' });
		await expectUnchanged(store, () => store.setPlan(id, { ...plan(), tasks: [] }), { type: InvalidInputError, field: 'plan' });
		await expectUnchanged(store, () => store.setPlan(id, { ...plan(), tasks: [planTask('a'), planTask('a')] }), {
			type: InvalidInputError,
			field: 'plan.tasks',
			message: /duplicate task id "a"/,
		});
		await expectUnchanged(store, () => store.setPlan(id, { ...plan(), tasks: [planTask('a', ['b']), planTask('b', ['a'])] }), {
			type: InvalidInputError,
			field: 'plan.tasks',
		});
	});

	it('refuses bad usage, versions, events, intake and paging', async () => {
		const { store, id } = await setUp();
		const refuse = (call: () => Promise<unknown>, field: string) => expectUnchanged(store, call, { type: InvalidInputError, field });
		await refuse(() => store.addUsage(id, 'Planner!', usage), 'role');
		await refuse(() => store.addUsage(id, 'planner', { ...usage, calls: -1 }), 'usage');
		await refuse(() => store.addUsage(id, 'planner', { ...usage, llmMs: Number.NaN }), 'usage.llmMs');
		await refuse(() => store.addUsage(id, 'planner', { ...usage, llmMs: Number.POSITIVE_INFINITY }), 'usage.llmMs');
		await refuse(() => store.addUsage(id, 'planner', { calls: 1 } as never), 'usage');
		await refuse(() => store.updateStatus(id, 'planned', { expectedVersion: 0 }), 'expectedVersion');
		await refuse(() => store.updateStatus(id, 'planned', { expectedVersion: 1.5 }), 'expectedVersion');
		await refuse(() => store.updateStatus(id, 'planned', { source: '' }), 'source');
		await refuse(() => store.addEvent(id, { type: 'Has Spaces' }), 'event');
		await refuse(() => store.create(intake({ requirements: '   ' })), 'requirements');
		await refuse(() => store.create({ title: 'x' } as never), 'intake');
		await refuse(() => store.create(intake({ client: { email: 'not-an-email' } })), 'client.email');
		await refuse(() => store.create(intake(), { idempotencyKey: 'has spaces' }), 'idempotencyKey');
		await refuse(() => store.setRepository(id, { url: 42 } as never), 'repository');
		await refuse(() => store.list({ limit: 0 }), 'limit');
		await refuse(() => store.list({ offset: -1 }), 'offset');
		await refuse(() => store.events(id, { after: 'yesterday' }), 'after');
		await refuse(() => store.events(id, { count: 5000 }), 'count');
	});
});
