import { AiCompanyError, InvalidInputError } from '../errors';

/**
 * A body refused before it is read as JSON: not UTF-8 (400), declared in another charset (415), or
 * not JSON at all (400). `kind` is the error answer's `error`; `statusCode` (its httpStatus) is
 * the name fastify reads.
 */
export class BodyRefusedError extends AiCompanyError {
	constructor(
		readonly statusCode: 400 | 415,
		readonly kind: 'bad_request' | 'unsupported_media_type',
		message: string,
	) {
		super(message);
		this.name = 'BodyRefusedError';
	}

	get httpStatus(): number {
		return this.statusCode;
	}

	get retryable(): boolean {
		return false;
	}
}

/** The `charset` parameter of a Content-Type header, as sent (quotes removed), if there is one. */
export function charsetOf(contentType: string | undefined): string | undefined {
	for (const parameter of (contentType ?? '').split(';').slice(1)) {
		const [name, ...value] = parameter.split('=');
		if (name.trim().toLowerCase() === 'charset') return value.join('=').trim().replace(/^"(.*)"$/, '$1');
	}
	return undefined;
}

/**
 * A JSON request body taken exactly as sent, or refused saying why: UTF-8 only (invalid bytes are
 * not replaced by U+FFFD), and each key once (JSON.parse would keep the last). An empty body (what
 * n8n's HTTP Request node sends for "no body") is null.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
	const charset = charsetOf(contentType);
	if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
		throw new BodyRefusedError(415, 'unsupported_media_type', `charset "${charset}" is not read here: send the body as UTF-8 (charset=utf-8, or no charset)`);
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(body);
	} catch {
		throw new BodyRefusedError(400, 'bad_request', 'the body is not valid UTF-8: send it encoded as UTF-8');
	}
	if (text.trim() === '') return null;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new BodyRefusedError(400, 'bad_request', `the body is not valid JSON: ${(error as Error).message}`);
	}
	checkJsonText(text);
	return value;
}

interface Container {
	isObject: boolean;
	/** Dotted path of the container itself ('' for the body). */
	path: string;
	keys: Set<string>;
	/** The member being read: the last key of an object, the index in an array. */
	member: string;
	index: number;
	awaitingKey: boolean;
}

const NUMBER_CHARS = /[-+.eE0-9]/;

/**
 * Walks text that JSON.parse accepted and refuses, naming the field (dotted, `settings.callbackUrl`,
 * `files.2.path`), what JSON.parse lets through silently: a key given twice, a `__proto__` key or
 * `constructor.prototype` (prototype poisoning), a NUL character in a text, a number too large to
 * be finite (`1e309`). Iterative, so no nesting depth overflows the stack.
 */
export function checkJsonText(text: string): void {
	const stack: Container[] = [];
	const here = (): string => {
		const top = stack.at(-1);
		if (!top) return '(body)';
		const name = top.isObject ? top.member : String(top.index);
		return top.path ? `${top.path}.${name}` : name;
	};
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '{' || c === '[') {
			stack.push({ isObject: c === '{', path: stack.length ? here() : '', keys: new Set(), member: '', index: 0, awaitingKey: c === '{' });
		} else if (c === '}' || c === ']') {
			stack.pop();
		} else if (c === ',') {
			const top = stack.at(-1)!;
			if (top.isObject) top.awaitingKey = true;
			else top.index++;
		} else if (c === '"') {
			const end = endOfString(text, i);
			const raw = text.slice(i + 1, end);
			const value = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
			const top = stack.at(-1);
			if (top?.isObject && top.awaitingKey) {
				checkKey(top, value);
			} else if (value.includes('\0')) {
				throw new InvalidInputError(here(), 'contains a NUL character (U+0000), which no text here may hold');
			}
			i = end;
		} else if (c === '-' || (c >= '0' && c <= '9')) {
			let end = i;
			while (end + 1 < text.length && NUMBER_CHARS.test(text[end + 1])) end++;
			if (!Number.isFinite(Number(text.slice(i, end + 1)))) throw new InvalidInputError(here(), `is not a finite number: ${text.slice(i, end + 1)}`);
			i = end;
		}
		// Whitespace, ':' and the letters of true, false and null need nothing.
	}
}

function checkKey(container: Container, key: string): void {
	const field = container.path ? `${container.path}.${key}` : key;
	const parent = container.path.split('.').at(-1);
	if (key === '__proto__' || (key === 'prototype' && parent === 'constructor')) throw new InvalidInputError(field, 'is not a field name this API accepts');
	if (key.includes('\0')) throw new InvalidInputError(field, 'contains a NUL character (U+0000), which no field name may hold');
	if (container.keys.has(key)) throw new InvalidInputError(field, 'appears twice in the body: send it once');
	container.keys.add(key);
	container.member = key;
	container.awaitingKey = false;
}

/** The index of the quote that closes the string opening at `start` (the text is valid JSON). */
function endOfString(text: string, start: number): number {
	for (let i = start + 1; ; i++) {
		if (text[i] === '\\') i++;
		else if (text[i] === '"') return i;
	}
}
