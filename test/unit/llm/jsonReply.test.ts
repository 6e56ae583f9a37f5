import { jsonDepth, MAX_JSON_DEPTH, parseJsonReply } from '../../../runtime/llm/jsonReply';

describe('parseJsonReply', () => {
	it('parses a reply that is plain JSON, including surrounding whitespace', () => {
		expect(parseJsonReply('  \n{"a": 1, "b": [true, null]}\n ')).toEqual({ ok: true, value: { a: 1, b: [true, null] } });
	});

	it('returns top-level JSON that is not an object as it is (the schema judges it, not the parser)', () => {
		expect(parseJsonReply('[1, 2]')).toEqual({ ok: true, value: [1, 2] });
		expect(parseJsonReply('"just text"')).toEqual({ ok: true, value: 'just text' });
	});

	it('takes JSON out of a ```json fence with prose around it', () => {
		const reply = 'Here is the plan:\n```json\n{"summary": "x", "n": 2}\n```\nHope this helps!';
		expect(parseJsonReply(reply)).toEqual({ ok: true, value: { summary: 'x', n: 2 } });
	});

	it('takes a JSON list out of a fence (not only objects)', () => {
		expect(parseJsonReply('The ids:\n```json\n["T1", "T2"]\n```')).toEqual({ ok: true, value: ['T1', 'T2'] });
	});

	it('takes JSON out of a fence without a language tag', () => {
		expect(parseJsonReply('```\n{"a": "b"}\n```')).toEqual({ ok: true, value: { a: 'b' } });
	});

	it('takes the first complete object out of prose without fences', () => {
		expect(parseJsonReply('Sure! {"a": {"b": 1}} and that is all. {"c": 2}')).toEqual({ ok: true, value: { a: { b: 1 } } });
	});

	it('ignores braces inside JSON strings when finding where the embedded object ends', () => {
		const reply = 'Result: {"text": "a } tricky { string with \\" quote", "n": 1} trailing words';
		expect(parseJsonReply(reply)).toEqual({ ok: true, value: { text: 'a } tricky { string with " quote', n: 1 } });
	});

	it('skips braces in the prose before the JSON object', () => {
		expect(parseJsonReply('I filled in the {name} field: {"name": "Ada"}')).toEqual({ ok: true, value: { name: 'Ada' } });
		expect(parseJsonReply('Note { unbalanced\n{"ok": true}')).toEqual({ ok: true, value: { ok: true } });
	});

	it('reports an empty or whitespace-only reply as empty', () => {
		expect(parseJsonReply('')).toEqual({ ok: false, problem: 'the reply was empty' });
		expect(parseJsonReply(' \n\t ')).toEqual({ ok: false, problem: 'the reply was empty' });
	});

	it('reports broken JSON with the parser message so the repair prompt can quote it', () => {
		let parserMessage = '';
		try {
			JSON.parse('{"a": 1,');
		} catch (error) {
			parserMessage = (error as Error).message;
		}
		const result = parseJsonReply('{"a": 1,');
		expect(result).toEqual({ ok: false, problem: `the reply is not valid JSON (${parserMessage})` });
	});

	it('reports prose without any JSON as not valid JSON', () => {
		const result = parseJsonReply('I cannot help with that.');
		expect(result.ok).toBe(false);
		expect(!result.ok && result.problem).toMatch(/^the reply is not valid JSON \(/);
	});

	it('does not accept a fenced block that is not JSON', () => {
		const result = parseJsonReply('```json\nsummary: yaml, not json\n```');
		expect(result.ok).toBe(false);
	});

	it('refuses JSON nested deeper than 64 levels with a problem the repair prompt can quote, not a RangeError', () => {
		const deep = `{"plan": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
		expect(parseJsonReply(deep)).toEqual({ ok: false, problem: 'the reply is nested deeper than 64 levels' });
		// The same nesting in a fence or in prose is refused too, not unwrapped to an inner part.
		expect(parseJsonReply(`Here:\n\`\`\`json\n${deep}\n\`\`\``)).toEqual({ ok: false, problem: 'the reply is nested deeper than 64 levels' });
		expect(parseJsonReply(`Here: ${deep} done`)).toEqual({ ok: false, problem: 'the reply is nested deeper than 64 levels' });
	});

	it('accepts exactly 64 levels and refuses 65', () => {
		expect(MAX_JSON_DEPTH).toBe(64);
		const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
		expect(parseJsonReply(nested(64)).ok).toBe(true);
		expect(parseJsonReply(nested(65))).toEqual({ ok: false, problem: 'the reply is nested deeper than 64 levels' });
	});
});

describe('jsonDepth', () => {
	it('counts objects and arrays, not scalars', () => {
		expect(jsonDepth(1)).toBe(0);
		expect(jsonDepth('x')).toBe(0);
		expect(jsonDepth(null)).toBe(0);
		expect(jsonDepth({})).toBe(1);
		expect(jsonDepth([])).toBe(1);
		expect(jsonDepth({ a: [1, { b: 2 }], c: 3 })).toBe(3);
		expect(jsonDepth([[[]], []])).toBe(3);
	});

	it('stops counting past the limit it is given, without recursion', () => {
		const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
		expect(jsonDepth(deep, 64)).toBe(65);
	});
});
