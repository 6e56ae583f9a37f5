import { InvalidInputError } from '../../../runtime/errors';
import type { ProjectStore } from '../../../runtime/state';
import { MAX_INPUT_DEPTH, MAX_INPUT_VALUES } from '../../../runtime/state/validation';
import { TestRedis } from '../../support/redis';
import { plan, planTask, storeWithTaskInProgress } from './fixtures';

// Input a model or a crafted request can produce that used to get past the checks or crash them:
// keys that reach a prototype, nesting deep enough to overflow the stack, numbers JSON cannot hold.

const redis = new TestRedis('hostile');
afterAll(() => redis.cleanup());

const usage = { promptTokens: 1, completionTokens: 1, totalTokens: 2, llmMs: 1, wallMs: 1, calls: 1 };

const setUp = () => storeWithTaskInProgress(redis);

/** Runs the call, expects an InvalidInputError with exactly this field, and proves no key changed. */
async function expectRefused(store: ProjectStore, call: () => Promise<unknown>, field: string, message?: RegExp): Promise<InvalidInputError> {
	const before = await redis.snapshot(store.keys.prefix);
	const error = await call().then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(InvalidInputError);
	expect(error).toMatchObject({ field });
	if (message) expect((error as Error).message).toMatch(message);
	expect(await redis.snapshot(store.keys.prefix)).toEqual(before);
	return error as InvalidInputError;
}

/** `{ a: { a: ... leaf } }`, `levels` objects deep. */
function deepObject(levels: number, leaf: unknown = 1): unknown {
	let value = leaf;
	for (let i = 0; i < levels; i++) value = { a: value };
	return value;
}

/** `[[[ ... leaf ]]]`, `levels` arrays deep. */
function deepArray(levels: number, leaf: unknown = 1): unknown {
	let value = leaf;
	for (let i = 0; i < levels; i++) value = [value];
	return value;
}

/** What JSON.parse gives for a plan whose tasks[index] carries `rawProperty` (raw JSON text). */
function parsedPlan(index: number, rawProperty: string): never {
	const tasks = ['t0', 't1', 't2'].map((id, i) => {
		const json = JSON.stringify(planTask(id));
		return i === index ? `${json.slice(0, -1)},${rawProperty}}` : json;
	});
	return JSON.parse(`{"summary":"s","techStack":[],"risks":[],"tasks":[${tasks.join(',')}]}`) as never;
}

describe('keys that reach a prototype are refused, naming the key and where it is', () => {
	it.each([
		['__proto__', '"__proto__":{"polluted":true}'],
		['constructor', '"constructor":{"prototype":{"polluted":true}}'],
		['prototype', '"prototype":{}'],
	])('%s in a plan task (as JSON.parse makes it)', async (key, raw) => {
		const { store, id } = await setUp();
		const bad = parsedPlan(2, raw);
		expect(Object.keys((bad as { tasks: object[] }).tasks[2])).toContain(key);
		const error = await expectRefused(store, () => store.setPlan(id, bad), 'plan.tasks[2]');
		expect(error.message).toBe(`plan.tasks[2]: key "${key}" is not allowed`);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('in nested free-form data: a test report, a result, task work, event data, usage, a repository', async () => {
		const { store, id } = await setUp();
		const proto = (json: string) => JSON.parse(json) as never;
		await expectRefused(
			store,
			() => store.recordTaskResult(id, 'a', { status: 'failed', testReport: proto('{"failures":[{"test":"x"},{"__proto__":{"isAdmin":true}}]}') }),
			'result.testReport.failures[1]',
			/^result\.testReport\.failures\[1\]: key "__proto__" is not allowed$/,
		);
		await expectRefused(store, () => store.recordTaskResult(id, 'a', proto('{"status":"done","__proto__":{}}')), 'result', /key "__proto__"/);
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: proto('{"suites":{"constructor":{}}}') }), 'work.testReport.suites', /key "constructor"/);
		await expectRefused(store, () => store.addEvent(id, { type: 'note', data: proto('{"odd key":{"constructor":1}}') }), 'event.data["odd key"]', /key "constructor"/);
		await expectRefused(store, () => store.addUsage(id, 'planner', proto(`{"promptTokens":1,"completionTokens":1,"totalTokens":2,"llmMs":1,"wallMs":1,"calls":1,"__proto__":{}}`)), 'usage', /key "__proto__"/);
		await expectRefused(store, () => store.setRepository(id, proto('{"url":"x","__proto__":{}}')), 'repository', /key "__proto__"/);
	});

	it('as task ids and roles, which become keys of the stored project', async () => {
		const { store, id } = await setUp();
		for (const taskId of ['__proto__', 'constructor', 'prototype']) {
			await expectRefused(store, () => store.setPlan(id, { ...plan(['a']), tasks: [planTask('a'), planTask(taskId)] }), 'plan.tasks[1].id', new RegExp(`"${taskId}" is not allowed`));
		}
		for (const role of ['constructor', 'prototype']) {
			await expectRefused(store, () => store.addUsage(id, role, usage), 'role', new RegExp(`"${role}" is not allowed`));
		}
	});

	it('still accepts those words as values, and keys that merely contain them', async () => {
		const { store, id } = await setUp();
		const report = { failures: [{ test: 'constructor sets __proto__', message: 'prototype' }], __proto__x: 1, myConstructor: 2 };
		await store.recordTaskWork(id, 'a', { testReport: report });
		expect((await store.get(id)).tasks.a.testReport).toEqual(report);
	});
});

describe('deep nesting is refused with a typed error naming the field, not a RangeError', () => {
	it('an extra property of a plan task nested 100,000 levels', async () => {
		const { store, id } = await setUp();
		const deep = { ...plan(['a']), tasks: [{ ...planTask('a'), extra: deepObject(100_000) }] };
		await expectRefused(store, () => store.setPlan(id, deep), 'plan.tasks[0].extra', /nested more than 64 levels deep \(at plan\.tasks\[0\]\.extra\.a\.a\.a\.a\.a…\)/);
	});

	it('deep arrays in a task result\'s test report, in task work and in event data', async () => {
		const { store, id } = await setUp();
		await expectRefused(store, () => store.recordTaskResult(id, 'a', { status: 'failed', testReport: { runs: deepArray(100_000) } }), 'result.testReport.runs[0]', /nested more than 64/);
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: { runs: deepArray(100_000) } }), 'work.testReport.runs[0]');
		await expectRefused(store, () => store.addEvent(id, { type: 'note', data: { x: deepObject(100_000) } }), 'event.data.x.a');
	});

	it('the same from JSON text, as a request body would bring it', async () => {
		const { store, id } = await setUp();
		const report = JSON.parse(`{"runs":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as Record<string, unknown>;
		await expectRefused(store, () => store.recordTaskResult(id, 'a', { status: 'done', testReport: report }), 'result.testReport.runs[0]');
	});

	it('a self-referencing object (no JSON for it exists) the same way', async () => {
		const { store, id } = await setUp();
		const loop: Record<string, unknown> = { name: 'loop' };
		loop.self = loop;
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: loop }), 'work.testReport.self.self', /nested more than 64/);
	});

	it('a small object that shares itself into 2^40 values (no JSON.stringify would finish)', async () => {
		const { store, id } = await setUp();
		let shared: unknown = 1;
		for (let i = 0; i < 40; i++) shared = [shared, shared];
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: { shared } }), 'work', new RegExp(`holds more than ${MAX_INPUT_VALUES} values`));
	});

	it(`accepts ${MAX_INPUT_DEPTH} levels of objects and arrays, the field's own value the first, and refuses one more`, async () => {
		const { store, id } = await setUp();
		// work (level 1) holds testReport (2), which holds under x 62 more objects: 64 levels.
		await store.recordTaskWork(id, 'a', { testReport: { x: deepObject(MAX_INPUT_DEPTH - 2) as never } });
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: { x: deepObject(MAX_INPUT_DEPTH - 1) as never } }), 'work.testReport.x.a');
	});
});

describe('numbers JSON cannot hold are refused, naming the field', () => {
	it.each([
		['NaN', Number.NaN],
		['Infinity', Number.POSITIVE_INFINITY],
		['-Infinity', Number.NEGATIVE_INFINITY],
	])('%s as a plan task\'s estimateHours', async (shown, value) => {
		const { store, id } = await setUp();
		const bad = { ...plan(['a']), tasks: [planTask('a'), { ...planTask('b'), estimateHours: value }] };
		await expectRefused(store, () => store.setPlan(id, bad), 'plan.tasks[1].estimateHours', new RegExp(`must be a finite number, got ${shown}$`));
	});

	it('1e400 in plan JSON (JSON.parse makes it Infinity, which would be stored as null)', async () => {
		const { store, id } = await setUp();
		const bad = JSON.parse(JSON.stringify(plan(['a', 'b'])).replace('"estimateHours":1}]', '"estimateHours":1e400}]')) as never;
		await expectRefused(store, () => store.setPlan(id, bad), 'plan.tasks[1].estimateHours', /got Infinity/);
	});

	it.each(Object.keys(usage))('usage.%s: NaN, Infinity and 1e400', async (key) => {
		const { store, id } = await setUp();
		for (const value of [Number.NaN, Number.POSITIVE_INFINITY, JSON.parse('1e400') as number]) {
			await expectRefused(store, () => store.addUsage(id, 'developer', { ...usage, [key]: value }), `usage.${key}`, /must be a finite number/);
		}
	});

	it('in test reports and event data, and BigInts anywhere', async () => {
		const { store, id } = await setUp();
		await expectRefused(store, () => store.recordTaskResult(id, 'a', { status: 'done', testReport: { durationMs: Number.NaN } }), 'result.testReport.durationMs');
		await expectRefused(store, () => store.recordTaskWork(id, 'a', { testReport: { failures: [{ took: Number.POSITIVE_INFINITY }] } }), 'work.testReport.failures[0].took');
		await expectRefused(store, () => store.addEvent(id, { type: 'note', data: { n: 10n } }), 'event.data.n', /BigInt/);
	});
});
