import { InvalidInputError } from '../../../runtime/errors';
import { VersionConflictError } from '../../../runtime/state/errors';
import { intakeIdempotencyKey } from '../../../runtime/state/intake';
import { checkEventsQuery, checkTaskId } from '../../../runtime/state/validation';

// The idempotency key of an intake sent without one is stored with every project: the same intake
// must keep the same key across versions, or a re-sent form would make a second project.

describe('the idempotency key of an intake', () => {
	it('stays the documented sha256 of title, requirements, client name and lowercased email', () => {
		const key = intakeIdempotencyKey({ title: '  Bakery   site ', requirements: 'Menu\npage', client: { name: 'Ana', email: 'ANA@Example.com' } });
		expect(key).toBe('sha256:916fc85200e055dc5f901aead44c5c196ad291cc53dcbc9aceefa02c52895d84');
	});

	it('keeps words apart: "Bakery site" and "Bakerysite" are other projects', () => {
		const key = (title: string) => intakeIdempotencyKey({ title, requirements: 'r', client: {} });
		expect(key('Bakery site')).not.toBe(key('Bakerysite'));
		expect(key('Bakery \t site')).toBe(key('Bakery site'));
	});

	it('gives an intake without client fields the key of empty ones', () => {
		expect(intakeIdempotencyKey({ title: 't', requirements: 'r', client: {} })).toBe(intakeIdempotencyKey({ title: 't', requirements: 'r', client: { name: '', email: '' } }));
	});
});

describe('refusals name what was wrong', () => {
	it('says what a task id must be', () => {
		expect(() => checkTaskId('')).toThrow(new InvalidInputError('taskId', 'must be a task id of the plan (1-200 characters), got ""'));
	});

	it('says what an event id looks like', () => {
		expect(() => checkEventsQuery({ after: 'x' })).toThrow(new InvalidInputError('after', 'must be an event id like "1718000000000-0", got "x"'));
	});

	it('names a version conflict by its class name', () => {
		expect(new VersionConflictError('p', 1, 2).name).toBe('VersionConflictError');
	});
});
