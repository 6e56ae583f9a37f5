export type JsonReply = { ok: true; value: unknown } | { ok: false; problem: string };

/** Bounds the work on a long reply full of stray braces. */
const MAX_EMBEDDED_TRIES = 20;

/**
 * Reads a model reply as JSON. Small models wrap JSON in prose or ``` fences even when asked not
 * to; taking the first complete JSON object out of such a reply is not a repair the model needs
 * to be told about. Anything else is a problem the repair prompt quotes back.
 */
export function parseJsonReply(reply: string): JsonReply {
	const text = reply.trim();
	if (!text) return { ok: false, problem: 'the reply was empty' };
	const direct = tryParse(text);
	if (direct.ok) return direct;
	const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
	if (fenced) {
		const inFence = tryParse(fenced[1].trim());
		if (inFence.ok) return inFence;
	}
	// Prose may hold braces of its own ("the {name} field"): try each `{` until an object parses.
	let from = text.indexOf('{');
	for (let tries = 0; from >= 0 && tries < MAX_EMBEDDED_TRIES; tries++) {
		const embedded = balancedObjectAt(text, from);
		const inText = embedded === undefined ? undefined : tryParse(embedded);
		if (inText?.ok) return inText;
		from = text.indexOf('{', from + 1);
	}
	return { ok: false, problem: `the reply is not valid JSON (${direct.problem})` };
}

function tryParse(text: string): JsonReply {
	try {
		return { ok: true, value: JSON.parse(text) as unknown };
	} catch (error) {
		return { ok: false, problem: (error as Error).message };
	}
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
