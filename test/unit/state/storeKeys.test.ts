import { PROJECT_STATUSES } from '../../../runtime/contracts';
import { InvalidInputError } from '../../../runtime/errors';
import { DEFAULT_KEY_PREFIX } from '../../../runtime/config/defaults';
import { StoreKeys } from '../../../runtime/state/keys';
import { fromStreamEntry, toStreamFields } from '../../../runtime/state/eventLog';

// The Redis key layout the README documents ("Redis keys"): what operators delete by prefix and
// what other installations sharing the database must never touch.

describe('the store key layout', () => {
	it('puts every key under the prefix, aic: by default', () => {
		const keys = new StoreKeys();
		expect(DEFAULT_KEY_PREFIX).toBe('aic:');
		expect(keys.prefix).toBe('aic:');
		expect(keys.project('p1')).toBe('aic:project:p1');
		expect(keys.events('p1')).toBe('aic:project:p1:events');
		expect(keys.run('p1')).toBe('aic:project:p1:run');
		expect(keys.idempotency('k')).toBe('aic:idem:k');
		expect(keys.allIndex).toBe('aic:index:all');
		expect(keys.activeIndex).toBe('aic:index:active');
		expect(keys.statusIndex('planning')).toBe('aic:index:status:planning');
	});

	it('lists every index a project can be in: all, active and one per status', () => {
		const keys = new StoreKeys('t:');
		expect(keys.everyIndex).toEqual(['t:index:all', 't:index:active', ...PROJECT_STATUSES.map((s) => `t:index:status:${s}`)]);
	});

	it.each(['a', 'x'.repeat(100), 'tenant-1:', '!~'])('takes the prefix %j', (prefix) => {
		expect(new StoreKeys(prefix).project('p')).toBe(`${prefix}project:p`);
	});

	it.each(['', 'x'.repeat(101), 'with space:', 'tab\t', 'é:', 42])('refuses the prefix %j, naming the field', (prefix) => {
		const error = (() => {
			try {
				new StoreKeys(prefix as string);
			} catch (e) {
				return e;
			}
			throw new Error('expected a refusal');
		})();
		expect(error).toBeInstanceOf(InvalidInputError);
		expect(error).toMatchObject({ field: 'prefix' });
		expect((error as Error).message).toContain(`must be 1-100 visible ASCII characters without spaces, got ${JSON.stringify(prefix)}`);
	});
});

describe('events as stream entries', () => {
	it('writes time, type, source, the version when there is one, and the data as JSON', () => {
		const event = { time: '2025-01-01T00:00:00.000Z', type: 'task.started', source: 'worker', version: 3, data: { taskId: 't1' } };
		expect(toStreamFields(event)).toEqual(['time', event.time, 'type', 'task.started', 'source', 'worker', 'version', '3', 'data', '{"taskId":"t1"}']);
		expect(toStreamFields({ ...event, version: undefined })).toEqual(['time', event.time, 'type', 'task.started', 'source', 'worker', 'data', '{"taskId":"t1"}']);
	});

	it('reads an entry back as the event it was, with its id', () => {
		const event = { time: '2025-01-01T00:00:00.000Z', type: 'project.archived', source: 'api', version: 12, data: { status: 'completed' } };
		expect(fromStreamEntry(['1-0', toStreamFields(event)])).toEqual({ id: '1-0', ...event });
		const withoutVersion = fromStreamEntry(['2-5', toStreamFields({ ...event, version: undefined })]);
		expect(withoutVersion).not.toHaveProperty('version');
	});

	it('reads an entry missing fields as empty ones, and ignores a field without a value', () => {
		expect(fromStreamEntry(['3-0', ['type', 'x', 'dangling']])).toEqual({ id: '3-0', time: '', type: 'x', source: '', data: {} });
	});
});
