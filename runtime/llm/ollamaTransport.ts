import { Ollama, type Message, type ModelResponse, type Options } from 'ollama';
import { fetch as undiciFetch, Response as UndiciResponse } from 'undici';

import { usageCount } from '../contracts/usage';
import { LlmError, LlmReplyTooLargeError } from './errors';
import { connectionErrorCode, describeBytes, describeMs, LINE_ENVELOPE_BYTES, MAX_JSON_BODY_BYTES, noTimeoutDispatcher, oneLine, ReplyProblem, type CallLimits } from './providers/http';
import type { ChatReply } from './providers/provider';

/** Largest model reply (its text, in UTF-8 bytes) read by default: far more than any contract needs. */
export const DEFAULT_MAX_REPLY_BYTES = 2 * 1024 * 1024;
/** How much of an error answer (4xx/5xx) is read for its message. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

export interface OllamaConnection {
	/** e.g. http://127.0.0.1:11434 */
	baseUrl: string;
	/** Sent as `Authorization: Bearer …` for an Ollama behind an authenticating proxy. */
	apiKey?: string;
}

export interface ChatCall {
	model: string;
	messages: Message[];
	/** JSON schema for constrained decoding. */
	format?: object;
	options?: Partial<Options>;
	keepAlive?: string | number;
	/** Limit for this request in ms; 0 means none. */
	timeoutMs: number;
	/** The operator's Timeout, named in the error message when this request had only part of it left. */
	timeoutSettingMs?: number;
	signal?: AbortSignal;
	/** Called as the reply streams in; lets a worker report progress on long generations. */
	onProgress?: (progress: { completionTokens: number }) => void;
	/** Largest reply text in UTF-8 bytes; reading stops and the request is aborted past it. */
	maxReplyBytes?: number;
}

export type { ChatReply };

export function normalizeBaseUrl(baseUrl: string): string {
	return baseUrl.trim().replace(/\/+$/, '').replace(/\/api$/, '');
}

/**
 * How the answer to a client's request is checked before the `ollama` client reads it. The client
 * itself reads any size, and writes every line it cannot parse (a web page, a proxy's error) to
 * the console with console.warn, and text error bodies with console.log; none of that reaches it.
 */
export type BodyGuard =
	/** A streamed reply: every line must be a JSON object; a line may not be much longer than maxReplyBytes. */
	| { kind: 'ndjson'; maxReplyBytes: number }
	/** One JSON document (`/api/tags`, `/api/version`) of at most MAX_JSON_BODY_BYTES. */
	| { kind: 'json' };

/** An HTTP status other than 2xx, with the server's message (the shape of the ollama client's ResponseError). */
class HttpStatusError extends Error {
	constructor(
		message: string,
		readonly status_code: number,
	) {
		super(message);
		this.name = 'HttpStatusError';
	}
}

/**
 * A client whose every request carries `signal`, so a timeout or cancel ends it at once, and whose
 * answers pass `guard` first: bounded in size, and refused when they are not Ollama's.
 */
export function createOllamaClient(connection: OllamaConnection, signal?: AbortSignal, guard: BodyGuard = { kind: 'json' }): Ollama {
	const headers: Record<string, string> = {};
	if (connection.apiKey) headers.Authorization = `Bearer ${connection.apiKey}`;
	return new Ollama({
		host: normalizeBaseUrl(connection.baseUrl),
		headers,
		fetch: (async (input: string, init: RequestInit = {}) => {
			const signals = [init.signal, signal].filter((s): s is AbortSignal => !!s);
			const response = await undiciFetch(input, {
				...(init as object),
				signal: signals.length ? AbortSignal.any(signals) : undefined,
				dispatcher: noTimeoutDispatcher,
			});
			return guardResponse(response, guard);
		}) as unknown as typeof fetch,
	});
}

/**
 * The answer as the ollama client may read it. An error status is thrown here with the server's
 * message (read up to MAX_ERROR_BODY_BYTES), so the client's own error handling never runs.
 */
async function guardResponse(response: UndiciResponse, guard: BodyGuard): Promise<UndiciResponse> {
	if (!response.ok) throw await statusError(response);
	if (!response.body) return response;
	const init = { status: response.status, statusText: response.statusText, headers: response.headers };
	if (guard.kind === 'ndjson') {
		return new UndiciResponse(response.body.pipeThrough(ndjsonGuard(guard.maxReplyBytes, response)), init);
	}
	const { bytes, complete } = await readAtMost(response.body, MAX_JSON_BODY_BYTES);
	const text = new TextDecoder().decode(bytes);
	if (!complete) {
		throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(MAX_JSON_BODY_BYTES)}`, text, MAX_JSON_BODY_BYTES);
	}
	const start = text.trimStart()[0];
	if (start !== '{' && start !== '[') throw new ReplyProblem('not_ollama', notJsonDetail(response, text));
	try {
		JSON.parse(text);
	} catch {
		throw new ReplyProblem('not_ollama', `${describeResponse(response)} that is not JSON: ${quote(text)}`);
	}
	return new UndiciResponse(text, init);
}

/**
 * Checks a streamed reply line by line as it arrives: a line that does not start like a JSON
 * object fails at its first byte (a web page, megabytes of text), a line that does not parse
 * fails when it ends, and a line longer than `maxReplyBytes` (plus room for the JSON around the
 * text) fails without waiting for its end. Passes the good lines of each chunk on together,
 * ending at a line end, so the client's parser never splits a long buffer.
 */
function ndjsonGuard(maxReplyBytes: number, response: UndiciResponse): TransformStream<Uint8Array, Uint8Array> {
	const maxLineBytes = maxReplyBytes + LINE_ENVELOPE_BYTES;
	const encoder = new TextEncoder();
	const decoder = new TextDecoder();
	let line: Uint8Array[] = [];
	let lineBytes = 0;
	let started = false;
	const take = (piece: Uint8Array) => {
		if (!started) {
			const first = piece.findIndex((byte) => !WHITESPACE.has(byte));
			if (first >= 0) {
				started = true;
				if (piece[first] !== 0x7b /* { */) {
					throw new ReplyProblem('not_ollama', notJsonDetail(response, decoder.decode(piece.subarray(first, first + 200))));
				}
			}
		}
		lineBytes += piece.length;
		if (lineBytes > maxLineBytes) {
			const received = decoder.decode(concat([...line, piece]));
			throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(maxReplyBytes)} in a single streamed line`, received, maxReplyBytes);
		}
		if (piece.length) line.push(piece);
	};
	/** The line ended: its text when it is JSON, undefined when blank. */
	const endLine = (): string | undefined => {
		const text = decoder.decode(concat(line)).trim();
		line = [];
		lineBytes = 0;
		started = false;
		if (!text) return undefined;
		try {
			JSON.parse(text);
		} catch {
			throw new ReplyProblem('not_ollama', `${describeResponse(response)} with a line that is not JSON: ${quote(text)}`);
		}
		return text;
	};
	const pass = (lines: string[], controller: TransformStreamDefaultController<Uint8Array>) => {
		if (lines.length) controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
	};
	return new TransformStream({
		transform(chunk, controller) {
			const lines: string[] = [];
			for (let from = 0; ; ) {
				const newline = chunk.indexOf(0x0a, from);
				take(chunk.subarray(from, newline < 0 ? chunk.length : newline));
				if (newline < 0) break;
				const text = endLine();
				if (text !== undefined) lines.push(text);
				from = newline + 1;
			}
			// The start of a line that goes on in the next chunk: keep a copy, not a view of this chunk.
			if (line.length) line[line.length - 1] = line[line.length - 1].slice();
			pass(lines, controller);
		},
		flush(controller) {
			const text = endLine();
			pass(text === undefined ? [] : [text], controller);
		},
	});
}

const WHITESPACE = new Set([0x20, 0x09, 0x0d, 0x0a, 0xef, 0xbb, 0xbf]); // and a UTF-8 byte order mark

async function statusError(response: UndiciResponse): Promise<HttpStatusError> {
	const { bytes } = await readAtMost(response.body, MAX_ERROR_BODY_BYTES).catch(() => ({ bytes: new Uint8Array() }));
	const text = new TextDecoder().decode(bytes).trim();
	let message = oneLine(text, 300);
	try {
		const error = (JSON.parse(text) as { error?: unknown } | null)?.error;
		if (typeof error === 'string' && error) message = oneLine(error, 1000);
	} catch {
		// Not JSON: a text or HTML page; say what it says, briefly.
		const page = /<html|<!doctype/i.test(text);
		message = oneLine(page ? (/<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] ?? text.replace(/<[^>]*>/g, ' ')) : text, 300);
	}
	return new HttpStatusError(message || `Error ${response.status}: ${response.statusText}`, response.status);
}

/** The body's first `maxBytes` bytes (more only when one chunk overshoots, then cut); the rest is not read. */
async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
	if (!body) return { bytes: new Uint8Array(), complete: true };
	const reader = body.getReader();
	const parts: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return { bytes: concat(parts), complete: true };
		parts.push(value);
		size += value.length;
		if (size > maxBytes) {
			await reader.cancel().catch(() => undefined);
			return { bytes: concat(parts).subarray(0, maxBytes), complete: false };
		}
	}
}

function concat(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0];
	const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const part of parts) {
		all.set(part, at);
		at += part.length;
	}
	return all;
}

function describeResponse(response: UndiciResponse): string {
	const type = response.headers.get('content-type');
	return `HTTP ${response.status}${type ? ` ${type.split(';')[0]}` : ''}`;
}

function notJsonDetail(response: UndiciResponse, start: string): string {
	return `${describeResponse(response)} starting ${quote(start)}, not JSON`;
}

/** `text` in quotes on one line, at most `max` characters. */
function quote(text: string, max = 80): string {
	return `"${oneLine(text, max)}"`;
}

export type { CallLimits };

/**
 * Runs one call with a client whose requests end at once when `limits.timeoutMs` runs out or
 * `limits.signal` aborts, and maps whatever goes wrong to an LlmError.
 */
async function limitedCall<T>(
	connection: OllamaConnection,
	call: CallLimits & { model?: string },
	guard: BodyGuard,
	run: (client: Ollama) => Promise<T>,
): Promise<T> {
	const controller = new AbortController();
	let timedOut = false;
	const timer =
		call.timeoutMs > 0
			? setTimeout(() => {
					timedOut = true;
					controller.abort();
				}, call.timeoutMs)
			: undefined;
	const onCancel = () => controller.abort();
	call.signal?.addEventListener('abort', onCancel, { once: true });
	try {
		if (call.signal?.aborted) throw new Error('cancelled before start');
		return await run(createOllamaClient(connection, controller.signal, guard));
	} catch (error) {
		// Stop reading whatever is still coming (a reply past the limit, a web page): the request ends here.
		controller.abort();
		const described = { model: call.model, timeoutMs: call.timeoutSettingMs ?? call.timeoutMs };
		throw toLlmError(error, connection, described, { timedOut, cancelled: !!call.signal?.aborted });
	} finally {
		clearTimeout(timer);
		call.signal?.removeEventListener('abort', onCancel);
	}
}

/** The models the server has (`/api/tags`), under the same timeout and cancel as a chat call. */
export async function listModels(connection: OllamaConnection, limits: CallLimits): Promise<ModelResponse[]> {
	return limitedCall(connection, limits, { kind: 'json' }, async (client) => (await client.list()).models);
}

/**
 * One streamed chat request. Streaming keeps the connection busy for generations of any length;
 * the reply text is bounded by `call.maxReplyBytes` as it arrives.
 */
export async function streamChat(connection: OllamaConnection, call: ChatCall): Promise<ChatReply> {
	const started = Date.now();
	const maxReplyBytes = call.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
	const guard: BodyGuard = { kind: 'ndjson', maxReplyBytes };
	return limitedCall(connection, call, guard, async (client) => {
		const stream = await client.chat({
			model: call.model,
			messages: call.messages,
			format: call.format,
			options: call.options,
			keep_alive: call.keepAlive,
			stream: true,
		});
		let content = '';
		let contentBytes = 0;
		let chunks = 0;
		for await (const part of stream) {
			if (typeof part.done !== 'boolean') {
				throw new ReplyProblem('not_ollama', `HTTP 200 with a streamed line that has no "done" field: ${quote(JSON.stringify(part))}`);
			}
			const piece = typeof part.message?.content === 'string' ? part.message.content : '';
			content += piece;
			contentBytes += Buffer.byteLength(piece, 'utf8');
			if (contentBytes > maxReplyBytes) {
				throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(maxReplyBytes)}`, content, maxReplyBytes);
			}
			chunks++;
			call.onProgress?.({ completionTokens: chunks });
			if (part.done) {
				// Counts come from the server: a broken or hostile one must not make usage NaN or Infinity.
				const promptTokens = usageCount(part.prompt_eval_count);
				const completionTokens = part.eval_count === undefined ? chunks : usageCount(part.eval_count);
				return {
					content,
					doneReason: typeof part.done_reason === 'string' ? part.done_reason : undefined,
					usage: {
						promptTokens,
						completionTokens,
						totalTokens: Math.min(Number.MAX_SAFE_INTEGER, promptTokens + completionTokens),
						llmMs: Math.round(usageCount(part.total_duration) / 1e6),
						wallMs: Date.now() - started,
						calls: 1,
					},
				};
			}
		}
		throw new Error('the reply stream ended before it was done');
	});
}

interface AbortState {
	timedOut: boolean;
	cancelled: boolean;
}

export function toLlmError(
	error: unknown,
	connection: OllamaConnection,
	call: { model?: string; timeoutMs?: number },
	abort: AbortState = { timedOut: false, cancelled: false },
): LlmError {
	if (error instanceof LlmError) return error;
	const baseUrl = normalizeBaseUrl(connection.baseUrl);
	const model = call.model;
	const details = { model, baseUrl, cause: error };
	if (error instanceof ReplyProblem) return replyProblemError(error, baseUrl, model);
	if (abort.cancelled) return new LlmError('cancelled', 'The execution was cancelled while waiting for Ollama', details);
	if (abort.timedOut) {
		const what = model === undefined ? 'did not answer' : `did not finish the reply of model "${model}"`;
		return new LlmError(
			'timeout',
			`Ollama at ${baseUrl} ${what} within ${describeMs(call.timeoutMs ?? 0)} (the Timeout option; 0 means no limit)`,
			details,
		);
	}
	const status = (error as { status_code?: unknown }).status_code;
	if (typeof status === 'number') {
		const serverSays = (error as Error).message;
		const withStatus = { ...details, status };
		// Ollama's 404 for a missing model names the model; any other 404 ("404 page not found")
		// means the URL is not Ollama's API, usually a Base URL with an extra path such as /v1.
		if (status === 404 && (model === undefined || !/\bmodel\b/i.test(serverSays))) {
			return new LlmError(
				'bad_request',
				`Ollama at ${baseUrl} has no such API endpoint (HTTP 404: ${serverSays}): check the credential's Base URL, e.g. http://127.0.0.1:11434`,
				withStatus,
			);
		}
		if (status === 404) {
			return new LlmError(
				'model_not_found',
				`Model "${model}" is not available on ${baseUrl} (${serverSays}). Pull it with "ollama pull ${model}" or pick one from the Model list`,
				withStatus,
			);
		}
		if (status === 401 || status === 403) {
			return new LlmError(
				'auth_failed',
				`Ollama at ${baseUrl} refused the request with HTTP ${status} (${serverSays}): check the credential's API Key`,
				withStatus,
			);
		}
		if (status >= 500) {
			return new LlmError('server_error', `Ollama at ${baseUrl} answered HTTP ${status}: ${serverSays}`, withStatus);
		}
		return new LlmError('bad_request', `Ollama at ${baseUrl} rejected the request with HTTP ${status}: ${serverSays}`, withStatus);
	}
	const code = connectionErrorCode(error);
	if (code) {
		return new LlmError(
			'unreachable',
			`Cannot reach Ollama at ${baseUrl} (${code}): check the credential's Base URL and that Ollama is running`,
			details,
		);
	}
	const message = error instanceof Error ? error.message : String(error);
	return new LlmError('server_error', `Ollama at ${baseUrl} failed during the reply: ${message}`, details);
}

function replyProblemError(problem: ReplyProblem, baseUrl: string, model: string | undefined): LlmError {
	if (problem.kind === 'not_ollama') {
		return new LlmError(
			'not_ollama',
			`${baseUrl} answered, but not like an Ollama server (${problem.message}): check the credential's Base URL, e.g. http://127.0.0.1:11434`,
			{ model, baseUrl },
		);
	}
	const message =
		model === undefined
			? `The answer of Ollama at ${baseUrl} ${problem.message}; reading stopped there`
			: `The reply of model "${model}" from ${baseUrl} ${problem.message}; reading stopped there and the request was ended. ` +
				'A model that repeats itself without end does this: set Max Tokens (num_predict) to stop it sooner';
	return new LlmReplyTooLargeError(message, { model, baseUrl, rawReply: problem.received, limitBytes: problem.limitBytes });
}

