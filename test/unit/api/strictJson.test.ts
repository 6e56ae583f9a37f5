import { BodyRefusedError, charsetOf, parseJsonBody } from '../../../runtime/api/jsonBody';
import { convertText } from '../../../runtime/api/validation';
import { InvalidInputError } from '../../../runtime/errors';

const JSON_TYPE = 'application/json';

/** The refusal parseJsonBody throws for `text`, as { field, message } or { status, kind, message }. */
function refusal(text: string | Buffer, contentType = JSON_TYPE): Record<string, unknown> {
	try {
		parseJsonBody(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, contentType);
	} catch (error) {
		if (error instanceof InvalidInputError) return { field: error.field, message: error.message };
		if (error instanceof BodyRefusedError) return { status: error.statusCode, kind: error.kind, message: error.message };
		throw error;
	}
	throw new Error(`accepted: ${String(text)}`);
}

describe('a JSON body is read as sent', () => {
	it('parses a plain body, and reads an empty one as no body', () => {
		expect(parseJsonBody(Buffer.from('{"requirements":"a","settings":{"maxFixAttempts":2},"list":[1,"b",{"c":null}]}'), JSON_TYPE)).toEqual({
			requirements: 'a',
			settings: { maxFixAttempts: 2 },
			list: [1, 'b', { c: null }],
		});
		expect(parseJsonBody(Buffer.from('  \n'), JSON_TYPE)).toBeNull();
	});

	it('takes the same key in different objects, and keys that only look alike', () => {
		expect(parseJsonBody(Buffer.from('{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":2}],"X":3,"x.y":4}'), JSON_TYPE)).toMatchObject({ X: 3 });
	});

	it('takes escaped quotes and backslashes inside texts without losing its place', () => {
		expect(parseJsonBody(Buffer.from('{"a":"say \\"b\\": 1, \\\\","b":"{[,"}'), JSON_TYPE)).toEqual({ a: 'say "b": 1, \\', b: '{[,' });
	});

	it('takes a declared charset of utf-8 in any spelling', () => {
		for (const type of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf8"']) {
			expect(parseJsonBody(Buffer.from('{"a":"é"}'), type)).toEqual({ a: 'é' });
		}
	});
});

describe('a key given twice is refused, naming it', () => {
	it.each([
		['at the top', '{"requirements":"a","requirements":"b"}', 'requirements'],
		['with other values between', '{"start":true,"title":"t","start":false}', 'start'],
		['inside settings', '{"settings":{"maxFixAttempts":1,"maxFixAttempts":2}}', 'settings.maxFixAttempts'],
		['in an object inside an array', '{"files":[{"path":"a"},{"path":"b","path":"c"}]}', 'files.1.path'],
		['spelled once with an escape', '{"requirements":"a","r\\u0065quirements":"b"}', 'requirements'],
	])('%s', (_where, text, field) => {
		expect(refusal(text)).toEqual({ field, message: `${field}: appears twice in the body: send it once` });
	});
});

describe('prototype keys are refused, saying what is wrong', () => {
	it.each([
		['__proto__ at the top', '{"requirements":"x","__proto__":{"polluted":true}}', '__proto__'],
		['__proto__ inside settings', '{"settings":{"__proto__":{}}}', 'settings.__proto__'],
		['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}', 'constructor.prototype'],
	])('%s', (_what, text, field) => {
		const refused = refusal(text);
		expect(refused).toEqual({ field, message: `${field}: is not a field name this API accepts` });
		expect(refused.message).not.toMatch(/not valid JSON/);
	});

	it('takes a field named constructor that has no prototype', () => {
		expect(parseJsonBody(Buffer.from('{"constructor":{"name":"x"}}'), JSON_TYPE)).toEqual({ constructor: { name: 'x' } });
	});
});

describe('NUL characters are refused, naming the field', () => {
	it.each([
		['in requirements', '{"requirements":"a\\u0000b"}', 'requirements'],
		['in settings.callbackUrl', '{"settings":{"callbackUrl":"http://x/\\u0000"}}', 'settings.callbackUrl'],
		['in an array item', '{"tags":["ok","bad\\u0000"]}', 'tags.1'],
		['in a field name', '{"a\\u0000b":1}', 'a\u0000b'],
	])('%s', (_where, text, field) => {
		expect(refusal(text)).toMatchObject({ field, message: expect.stringContaining('NUL character') });
	});
});

describe('numbers too large to be finite are refused, naming the field', () => {
	it.each([
		['1e309', '{"data":{"x":1e309}}', 'data.x'],
		['-1e309', '{"list":[1,-1e309]}', 'list.1'],
		['a long run of digits', `{"n":${'9'.repeat(400)}}`, 'n'],
	])('%s', (_what, text, field) => {
		expect(refusal(text)).toMatchObject({ field, message: expect.stringContaining('is not a finite number') });
	});

	it('takes large finite numbers and exponents', () => {
		expect(parseJsonBody(Buffer.from('{"a":1e308,"b":-2.5E-3,"c":0}'), JSON_TYPE)).toEqual({ a: 1e308, b: -0.0025, c: 0 });
	});
});

describe('what is not UTF-8 JSON is refused before it is read', () => {
	it('refuses invalid UTF-8 (400) instead of storing U+FFFD', () => {
		const body = Buffer.concat([Buffer.from('{"requirements":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
		expect(refusal(body)).toEqual({ status: 400, kind: 'bad_request', message: expect.stringContaining('not valid UTF-8') });
	});

	it.each(['latin1', 'ISO-8859-1', 'utf-16', '"windows-1252"'])('refuses a body declared charset=%s with 415 naming the charset', (charset) => {
		const refused = refusal('{"a":1}', `application/json; charset=${charset}`);
		expect(refused).toMatchObject({ status: 415, kind: 'unsupported_media_type' });
		expect(refused.message).toContain(`"${charset.replace(/"/g, '')}"`);
	});

	it('says what is wrong with malformed JSON', () => {
		expect(refusal('{"requirements": "x",')).toMatchObject({ status: 400, kind: 'bad_request', message: expect.stringMatching(/^the body is not valid JSON: /) });
	});

	it('reads the charset parameter of a Content-Type header', () => {
		expect(charsetOf('application/json')).toBeUndefined();
		expect(charsetOf(undefined)).toBeUndefined();
		expect(charsetOf('application/json; Charset="Latin1"')).toBe('Latin1');
		expect(charsetOf('application/json; boundary=x; charset=utf-8')).toBe('utf-8');
	});
});

describe('query values are converted deliberately', () => {
	const schema = { type: 'object', properties: { wait: { type: 'number' }, limit: { type: 'integer' }, force: { type: 'boolean' }, after: { type: 'string' } } };
	const converted = (query: Record<string, unknown>) => {
		const copy = { ...query };
		convertText(schema, copy);
		return copy;
	};

	it('turns plain decimal numbers and true/false into numbers and booleans', () => {
		expect(converted({ wait: '5', limit: '20', force: 'true', after: '12-0' })).toEqual({ wait: 5, limit: 20, force: true, after: '12-0' });
		expect(converted({ wait: '0.5', force: 'false' })).toEqual({ wait: 0.5, force: false });
	});

	it.each(['Infinity', '1e309', '1e1', '0x10', ' 5', '', 'NaN', `400 nines`])('leaves %j as text, for the schema to refuse', (given) => {
		const wait = given === '400 nines' ? '9'.repeat(400) : given;
		expect(converted({ wait })).toEqual({ wait });
	});

	it('leaves other spellings of booleans, and repeated values, as they came', () => {
		expect(converted({ force: '1' })).toEqual({ force: '1' });
		expect(converted({ force: 'TRUE' })).toEqual({ force: 'TRUE' });
		expect(converted({ wait: ['1', '2'] })).toEqual({ wait: ['1', '2'] });
	});
});
