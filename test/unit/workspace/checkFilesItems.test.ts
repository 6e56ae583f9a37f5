import { InvalidInputError } from '../../../runtime/errors';
import { checkFiles } from '../../../runtime/workspace/paths';

// What checkFiles says about list items that are not { path, content } at all: the item is named,
// not a path inside it, and what was found is shown.

function refusal(files: unknown, field?: string): InvalidInputError {
	try {
		checkFiles(files, field === undefined ? {} : { field });
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidInputError);
		return error as InvalidInputError;
	}
	throw new Error('expected a refusal');
}

describe('checkFiles: items that are not files', () => {
	it.each([
		['a.txt', '"a.txt"'],
		[null, 'null'],
		[7, '7'],
	])('names the item %j itself, showing what it is', (item, shown) => {
		const error = refusal([{ path: 'ok.txt', content: '' }, item], 'work.files');
		expect(error.field).toBe('work.files[1]');
		expect(error.message).toBe(`work.files[1]: must be { path, content }, got ${shown}`);
	});

	it.each([
		[5, '5'],
		[undefined, 'nothing'],
		[{ text: 'x'.repeat(100) }, `${JSON.stringify({ text: 'x'.repeat(100) }).slice(0, 80)}…`],
	])('says content %j is not text', (content, shown) => {
		const error = refusal([{ path: 'a.txt', content }]);
		expect(error.field).toBe('files[0].content');
		expect(error.message).toBe(`files[0].content: must be text, got ${shown}`);
	});

	it('says a list that is not one is not a list', () => {
		expect(refusal({ path: 'a.txt', content: '' }).message).toBe('files: must be a list of { path, content }, got {"path":"a.txt","content":""}');
	});
});
