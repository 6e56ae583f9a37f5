import { fieldOf } from '../../../runtime/api/errorReplies';

describe('fieldOf', () => {
	it('turns the failing value\'s path into a dotted field name', () => {
		expect(fieldOf({ instancePath: '/settings/maxFixAttempts', params: {} })).toBe('settings.maxFixAttempts');
	});

	it('names a top-level field by itself', () => {
		expect(fieldOf({ instancePath: '/requirements', params: { limit: 20000 } })).toBe('requirements');
	});

	it('appends the missing property to the path of the object that lacks it', () => {
		expect(fieldOf({ instancePath: '', params: { missingProperty: 'requirements' } })).toBe('requirements');
		expect(fieldOf({ instancePath: '/settings/github', params: { missingProperty: 'repo' } })).toBe('settings.github.repo');
	});

	it('appends a property the endpoint does not take', () => {
		expect(fieldOf({ instancePath: '/settings', params: { additionalProperty: 'colour' } })).toBe('settings.colour');
	});

	it('keeps array indexes as path segments', () => {
		expect(fieldOf({ instancePath: '/files/2/path', params: {} })).toBe('files.2.path');
	});

	it('says (body) when the whole body is wrong', () => {
		expect(fieldOf({ instancePath: '', params: {} })).toBe('(body)');
		expect(fieldOf({ instancePath: '', params: { type: 'object' }, message: 'must be object' })).toBe('(body)');
	});
});
