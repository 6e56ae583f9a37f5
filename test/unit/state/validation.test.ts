import { InvalidInputError } from '../../../runtime/errors';
import { DEFAULT_STORE_LIMITS } from '../../../runtime/contracts/limits';
import {
	checkBytes,
	checkEventsQuery,
	checkExpectedVersion,
	checkIdempotencyKey,
	checkJsonInput,
	checkLength,
	checkPage,
	checkProjectId,
	checkReason,
	checkSource,
	checkStatus,
	checkTaskId,
	checkUsage,
	MAX_INPUT_DEPTH,
} from '../../../runtime/state/validation';

// The store's input checks, each at its limits: what is accepted exactly at a bound, what is
// refused one past it, and which field the refusal names.

function refusal(check: () => unknown): InvalidInputError {
	try {
		check();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidInputError);
		return error as InvalidInputError;
	}
	throw new Error('expected a refusal');
}

const usage = { promptTokens: 1, completionTokens: 1, totalTokens: 2, llmMs: 1, wallMs: 1, calls: 1 };

describe('ids, keys and names', () => {
	it('takes project ids of 1 to 128 letters, digits, ".", "_" and "-" starting with a letter or digit', () => {
		for (const id of ['a', '7', 'A.b_c-d', 'x'.repeat(128)]) expect(checkProjectId(id)).toBe(id);
		for (const id of ['', '-a', '.a', 'a:b', 'a b', 'x'.repeat(129), 12]) {
			const error = refusal(() => checkProjectId(id));
			expect(error.field).toBe('projectId');
			expect(error.message).toContain(`starting with a letter or digit, got ${JSON.stringify(id)}`);
		}
	});

	it('takes task ids of 1 to 200 characters', () => {
		expect(checkTaskId('t')).toBe('t');
		expect(checkTaskId('x'.repeat(200))).toBe('x'.repeat(200));
		for (const id of ['', 'x'.repeat(201), 5]) expect(refusal(() => checkTaskId(id)).field).toBe('taskId');
	});

	it('takes idempotency keys of 1 to 200 visible ASCII characters', () => {
		expect(checkIdempotencyKey('k'.repeat(200))).toBe('k'.repeat(200));
		for (const key of ['', 'k'.repeat(201), 'a b', 'é', null]) expect(refusal(() => checkIdempotencyKey(key)).field).toBe('idempotencyKey');
	});

	it('takes a source of 1 to 200 characters that is not blank', () => {
		expect(checkSource('worker')).toBe('worker');
		expect(checkSource('s'.repeat(200))).toBe('s'.repeat(200));
		for (const source of ['', '   ', 's'.repeat(201), 3]) expect(refusal(() => checkSource(source)).field).toBe('source');
	});

	it('takes a known status only, listing them', () => {
		expect(checkStatus('review')).toBe('review');
		expect(refusal(() => checkStatus('done')).message).toContain('must be one of intake, planning, planned,');
	});

	it('takes roles of lowercase letters, digits, "_" and "-", up to 40, but no prototype key', () => {
		expect(checkUsage('planner', usage)).toEqual({ role: 'planner', usage });
		expect(checkUsage('r'.repeat(40), usage).role).toBe('r'.repeat(40));
		for (const role of ['', 'Planner', '1st', 'r'.repeat(41), 'constructor', 'prototype', 7]) expect(refusal(() => checkUsage(role, usage)).field).toBe('role');
		expect(refusal(() => checkUsage('constructor', usage)).message).toContain('roles become keys of usage.byRole');
	});
});

describe('numbers and queries', () => {
	it('takes an expected version from 1, or none', () => {
		expect(checkExpectedVersion(undefined)).toBeUndefined();
		expect(checkExpectedVersion(1)).toBe(1);
		for (const version of [0, -1, 1.5, '2', Number.MAX_SAFE_INTEGER + 2]) expect(refusal(() => checkExpectedVersion(version)).field).toBe('expectedVersion');
	});

	it('reads events 100 at a time by default, 1 to 1000, after an event id', () => {
		expect(checkEventsQuery({})).toEqual({ after: undefined, count: 100 });
		expect(checkEventsQuery({ after: '1718000000000-0', count: 1 })).toEqual({ after: '1718000000000-0', count: 1 });
		expect(checkEventsQuery({ after: '17', count: 1000 })).toEqual({ after: '17', count: 1000 });
		for (const count of [0, 1001, 2.5]) expect(refusal(() => checkEventsQuery({ count })).message).toBe(`count: must be a whole number from 1 to 1000, got ${count}`);
		for (const after of ['x', '1-', '-1', '1-2-3', 5]) expect(refusal(() => checkEventsQuery({ after })).field).toBe('after');
	});

	it('pages from offset 0 with 50 by default, limit 1 to 500', () => {
		expect(checkPage({})).toEqual({ offset: 0, limit: 50 });
		expect(checkPage({ offset: 7, limit: 500 })).toEqual({ offset: 7, limit: 500 });
		expect(checkPage({ limit: 1 }).limit).toBe(1);
		expect(refusal(() => checkPage({ offset: -1 })).field).toBe('offset');
		for (const limit of [0, 501]) expect(refusal(() => checkPage({ limit })).field).toBe('limit');
	});
});

describe('lengths and sizes', () => {
	it('accepts text exactly at the limit and refuses one more, saying both', () => {
		expect(() => checkLength('title', 'abc', 3)).not.toThrow();
		expect(refusal(() => checkLength('title', 'abcd', 3)).message).toBe('title: is 4 characters long; the limit is 3');
		expect(() => checkBytes('content', '€', 3)).not.toThrow();
		expect(refusal(() => checkBytes('content', '€a', 3)).message).toBe('content: is 4 bytes; the limit is 3');
	});

	it('takes a reason up to the limit, or none', () => {
		expect(checkReason(undefined, DEFAULT_STORE_LIMITS)).toBeUndefined();
		expect(checkReason('r'.repeat(2000), DEFAULT_STORE_LIMITS)).toHaveLength(2000);
		expect(refusal(() => checkReason('r'.repeat(2001), DEFAULT_STORE_LIMITS)).field).toBe('reason');
		expect(refusal(() => checkReason(5, DEFAULT_STORE_LIMITS)).message).toBe('reason: must be text, got 5');
	});
});

describe('walking JSON input', () => {
	function nested(levels: number): unknown {
		let value: unknown = 1;
		for (let i = 0; i < levels; i++) value = { a: value };
		return value;
	}

	it('takes data nested exactly MAX_INPUT_DEPTH levels and refuses one more, naming the field and three levels below it', () => {
		expect(() => checkJsonInput('plan', nested(MAX_INPUT_DEPTH))).not.toThrow();
		const error = refusal(() => checkJsonInput('plan', nested(MAX_INPUT_DEPTH + 1)));
		expect(error.field).toBe('plan.a.a.a');
		expect(error.message).toBe(`plan.a.a.a: is nested more than ${MAX_INPUT_DEPTH} levels deep (at plan.a.a.a.a.a.a.a.a…)`);
	});

	it('names keys that are not identifiers in brackets, and array items by index', () => {
		const error = refusal(() => checkJsonInput('result', { files: [{ ok: 1 }, { 'odd key': [NaN] }] }));
		expect(error.field).toBe('result.files[1]["odd key"][0]');
		expect(error.message).toBe('result.files[1]["odd key"][0]: must be a finite number, got NaN');
		expect(refusal(() => checkJsonInput('x', { $ok_1: Infinity })).field).toBe('x.$ok_1');
	});

	it('refuses BigInts and keys that reach a prototype', () => {
		expect(refusal(() => checkJsonInput('usage', { calls: 10n })).message).toBe('usage.calls: must be a JSON number, got the BigInt 10');
		for (const key of ['__proto__', 'constructor', 'prototype']) {
			const error = refusal(() => checkJsonInput('event', { data: JSON.parse(`{"${key}": {}}`) }));
			expect(error.message).toBe(`event.data: key "${key}" is not allowed`);
		}
	});

	it('takes plain data, nulls and empty containers', () => {
		expect(() => checkJsonInput('x', { a: [null, '', 0, false, {}, []] })).not.toThrow();
	});
});
