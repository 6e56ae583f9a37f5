import { MAX_JSON_DEPTH } from '../contracts/limits';

export type JsonReply = { ok: true; value: unknown } | { ok: false; problem: string };

/** Bounds the work on a long reply full of stray braces. */
const MAX_EMBEDDED_TRIES = 20;

// JSON.parse takes any depth, but the recursive code after it (validators, JSON.stringify when the
// result is stored) throws a RangeError around a few thousand levels: replies are held to the same
// depth as everything else we take in.
export { MAX_JSON_DEPTH };

const TOO_DEEP = `the reply is nested deeper than ${MAX_JSON_DEPTH} levels`;

type Parsed = JsonReply | { ok: false; problem: string; tooDeep: true };

/**
 * Reads a model reply as JSON. Small models wrap JSON in prose or ``` fences even when asked not
 * to; taking the first complete JSON object out of such a reply is not a repair the model needs
 * to be told about. Anything else is a problem the repair prompt quotes back.
 */
export function parseJsonReply(reply: string): JsonReply {
	const text = reply.trim();
	if (!text) return { ok: false, problem: 'the reply was empty' };
	// JSON that parses but is nested too deep is refused as it is, not unwrapped to an inner part.
	const direct = tryParse(text);
	if (direct.ok || 'tooDeep' in direct) return result(direct);
	const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
	if (fenced) {
		const inFence = tryParse(fenced[1].trim());
		if (inFence.ok || 'tooDeep' in inFence) return result(inFence);
	}
	// Prose may hold braces of its own ("the {name} field"): try each `{` until an object parses.
	let from = text.indexOf('{');
	for (let tries = 0; from >= 0 && tries < MAX_EMBEDDED_TRIES; tries++) {
		const embedded = balancedObjectAt(text, from);
		const inText = embedded === undefined ? undefined : tryParse(embedded);
		if (inText && (inText.ok || 'tooDeep' in inText)) return result(inText);
		from = text.indexOf('{', from + 1);
	}
	return { ok: false, problem: `the reply is not valid JSON (${direct.problem})` };
}

function result(parsed: Parsed): JsonReply {
	return parsed.ok ? parsed : { ok: false, problem: parsed.problem };
}

function tryParse(text: string): Parsed {
	let value: unknown;
	try {
		value = JSON.parse(text) as unknown;
	} catch (error) {
		return { ok: false, problem: (error as Error).message };
	}
	if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, problem: TOO_DEEP, tooDeep: true };
	return { ok: true, value };
}

/**
 * How deeply objects and arrays nest in `value` (a scalar is 0, `{}` is 1, `{"a": []}` is 2).
 * Walks without recursion, and stops once past `limit`, returning limit + 1.
 */
export function jsonDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
	let deepest = 0;
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length) {
		const [item, depth] = stack.pop()!;
		if (item === null || typeof item !== 'object') continue;
		const level = depth + 1;
		if (level > limit) return limit + 1;
		if (level > deepest) deepest = level;
		for (const child of Array.isArray(item) ? item : Object.values(item as object)) {
			if (child !== null && typeof child === 'object') stack.push([child, level]);
		}
	}
	return deepest;
}

/** The `{ … }` starting at `start` whose braces balance, ignoring braces inside strings. */
function balancedObjectAt(text: string, start: number): string | undefined {
	let depth = 0;
	let inString = false;
	let escaped = false;
	for (let i = start; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (escaped) escaped = false;
			else if (ch === '\\') escaped = true;
			else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') inString = true;
		else if (ch === '{') depth++;
		else if (ch === '}' && --depth === 0) return text.slice(start, i + 1);
	}
	return undefined;
}
