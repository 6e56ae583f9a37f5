import { Agent, fetch as undiciFetch, Response as UndiciResponse } from 'undici';

import { withoutUrlCredentials } from '../../contracts/credentials';
import { LlmError, LlmReplyTooLargeError } from '../errors';
import { PROVIDER_LABELS, type ProviderName } from '../modelRef';

// What every provider's HTTP calls share: a fetch without undici's own time limits, bounded
// answers, the whole-call timeout and cancel, and one mapping of failures to LlmError.

/**
 * Node's global fetch gives up when response headers take over 300 s, and model servers send them
 * only once the prompt is evaluated: slow local models die there (n8n issues 11886, 21906). This
 * dispatcher has no header or body timeout; our own whole-call timeout applies.
 */
export const noTimeoutDispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, connectTimeout: 10_000 });

/** Room for the JSON around the text in one streamed line (ids, timestamps, counters). */
export const LINE_ENVELOPE_BYTES = 64 * 1024;
/** Largest answer that is not a reply (a model list, an error body); a long model list is ~100 KB. */
export const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024;

const CONNECTION_ERROR_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EPIPE',
	'ETIMEDOUT',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_CLOSED',
]);

/** What a guard found wrong with an answer; the provider turns it into an LlmError naming server and model. */
export class ReplyProblem extends Error {
	constructor(
		readonly kind: 'too_large' | 'not_ollama',
		detail: string,
		/** What had arrived, for the error's raw reply. */
		readonly received = '',
		readonly limitBytes = 0,
	) {
		super(detail);
		this.name = 'ReplyProblem';
	}
}

/**
 * A fetch for the providers' SDKs: no undici time limits (see noTimeoutDispatcher), and no line of
 * any answer longer than `maxLineBytes`, so a server streaming one endless line (or an endless
 * error body) is cut off without holding it all in memory. Reply text is bounded by the provider
 * as it arrives; this bounds what the SDK buffers before it can parse.
 */
export function boundedFetch(maxLineBytes: number): typeof fetch {
	return (async (input: string | URL, init: RequestInit = {}) => {
		const response = await undiciFetch(input, { ...(init as object), dispatcher: noTimeoutDispatcher });
		if (!response.body) return response;
		const { status, statusText, headers } = response;
		return new UndiciResponse(response.body.pipeThrough(lineGuard(maxLineBytes)), { status, statusText, headers });
	}) as unknown as typeof fetch;
}

/** Passes bytes on as they come, failing when a line grows past `maxLineBytes`. */
function lineGuard(maxLineBytes: number): TransformStream<Uint8Array, Uint8Array> {
	let lineBytes = 0;
	return new TransformStream({
		transform(chunk, controller) {
			const lastNewline = chunk.lastIndexOf(0x0a);
			lineBytes = lastNewline < 0 ? lineBytes + chunk.length : chunk.length - lastNewline - 1;
			const longest = lastNewline < 0 ? lineBytes : Math.max(lineBytes, longestLine(chunk, lastNewline));
			if (longest > maxLineBytes) {
				throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(maxLineBytes)} in a single line`, new TextDecoder().decode(chunk), maxLineBytes);
			}
			controller.enqueue(chunk);
		},
	});
}

/** The longest line of `chunk` up to its last newline (a line started in an earlier chunk counts only its part here: close enough for a bound). */
function longestLine(chunk: Uint8Array, lastNewline: number): number {
	let longest = 0;
	let from = 0;
	for (let at = chunk.indexOf(0x0a); at >= 0 && at <= lastNewline; at = chunk.indexOf(0x0a, at + 1)) {
		longest = Math.max(longest, at - from);
		from = at + 1;
	}
	return longest;
}

/** What bounds one HTTP call: the operator's timeout and the execution's cancel signal. */
/**
 * What both SDK clients (openai, @anthropic-ai/sdk) are given: no retries of their own (ours retry,
 * within the whole-call timeout), their timeout only a backstop past ours (it ends the wait for the
 * headers only; ours ends the whole call), our bounded fetch, and no logging (nothing of a call,
 * and never a key, reaches the console).
 */
export function sdkClientOptions(maxLineBytes: number, timeoutMs: number) {
	return {
		maxRetries: 0,
		timeout: timeoutMs > 0 ? timeoutMs + 1000 : 2_147_483_647,
		fetch: boundedFetch(maxLineBytes),
		logLevel: 'off' as const,
	};
}

export interface CallLimits {
	/** Limit for this request in ms; 0 means none. */
	timeoutMs: number;
	/** The operator's Timeout, named in the error message when this request had only part of it left. */
	timeoutSettingMs?: number;
	signal?: AbortSignal;
}

export interface AbortState {
	timedOut: boolean;
	cancelled: boolean;
}

/**
 * Runs `run` with a signal that aborts when `limits.timeoutMs` runs out or `limits.signal` aborts,
 * and maps whatever goes wrong with `fail`. The SDKs end a stream quietly when it is aborted: `run`
 * must throw when its signal aborted before the reply was complete.
 */
export async function withCallLimits<T>(limits: CallLimits, run: (signal: AbortSignal) => Promise<T>, fail: (error: unknown, state: AbortState) => LlmError): Promise<T> {
	const controller = new AbortController();
	const state: AbortState = { timedOut: false, cancelled: false };
	const timer =
		limits.timeoutMs > 0
			? setTimeout(() => {
					state.timedOut = true;
					controller.abort();
				}, limits.timeoutMs)
			: undefined;
	const onCancel = () => {
		state.cancelled = true;
		controller.abort();
	};
	limits.signal?.addEventListener('abort', onCancel, { once: true });
	try {
		if (limits.signal?.aborted) onCancel();
		if (controller.signal.aborted) throw new Error('cancelled before start');
		return await run(controller.signal);
	} catch (error) {
		// Stop reading whatever is still coming (a reply past the limit): the request ends here.
		controller.abort();
		throw fail(error, state);
	} finally {
		clearTimeout(timer);
		limits.signal?.removeEventListener('abort', onCancel);
	}
}

/** Who answered, for the messages of the errors a provider's call ends with. */
export interface CallSite {
	provider: ProviderName;
	baseUrl: string;
	model?: string;
	/** The whole-call timeout named when it runs out. */
	timeoutMs?: number;
	/** Never shown: taken out of every message that might echo it. */
	apiKey?: string;
	/** The variable an operator fixes for each mistake. */
	hints: { baseUrl: string; apiKey: string };
}

/**
 * An SDK's failure (its APIError with status and headers, a connection error, our guard's
 * ReplyProblem, an abort) as the LlmError the retry loop and the worker understand. The provider's
 * message is kept, without the API key (servers echo a wrong key back) and without the SDK's error
 * as its cause (the cause would carry that message into logs).
 */
export function sdkError(error: unknown, site: CallSite, abort: AbortState): LlmError {
	if (error instanceof LlmError) return error;
	const who = `${capitalized(PROVIDER_LABELS[site.provider])} at ${site.baseUrl}`;
	const details = { model: site.model, baseUrl: site.baseUrl, provider: site.provider };
	const clean = (text: string) => withoutUrlCredentials(withoutSecret(text, site.apiKey));
	if (error instanceof ReplyProblem) {
		const message =
			site.model === undefined
				? `The answer of ${who} ${error.message}; reading stopped there`
				: `The reply of model "${site.model}" from ${who} ${error.message}; reading stopped there and the request was ended. ` +
					'A model that repeats itself without end does this: set Max Tokens to stop it sooner';
		return new LlmReplyTooLargeError(clean(message), { ...details, rawReply: clean(error.received), limitBytes: error.limitBytes });
	}
	if (abort.cancelled) return new LlmError('cancelled', `The execution was cancelled while waiting for ${who}`, details);
	if (abort.timedOut) {
		const what = site.model === undefined ? 'did not answer' : `did not finish the reply of model "${site.model}"`;
		return new LlmError('timeout', `${who} ${what} within ${describeMs(site.timeoutMs ?? 0)} (the Timeout option; 0 means no limit)`, details);
	}
	const apiError = error as { status?: unknown; headers?: { get(name: string): string | null } | null; type?: unknown; error?: unknown };
	const status = typeof apiError.status === 'number' ? apiError.status : undefined;
	const type = errorType(apiError);
	const says = clean(serverMessage(error));
	if (status !== undefined || type) {
		const withStatus = { ...details, status, retryAfterMs: retryAfterMs(apiError.headers) };
		const http = status === undefined ? `an error in the stream (${type})` : `HTTP ${status}`;
		if (status === 401 || status === 403 || type === 'authentication_error' || type === 'permission_error') {
			return new LlmError('auth_failed', `${who} refused the request with ${http} (${says}): check ${site.hints.apiKey}`, withStatus);
		}
		if (status === 429 || type === 'rate_limit_error') {
			const wait = withStatus.retryAfterMs === undefined ? '' : ` (it asks to wait ${describeMs(withStatus.retryAfterMs)})`;
			return new LlmError('rate_limited', `${who} is limiting our rate with ${http}${wait}: ${says}`, withStatus);
		}
			const missingModel =
			site.model !== undefined &&
			((status === 404 && (/model/i.test(says) || type === 'not_found_error')) ||
				((status === 400 || status === 422) && /model/i.test(says) && /not (be )?found|does not exist|unknown|not available|no such/i.test(says)));
		if (missingModel) {
			return new LlmError('model_not_found', `Model "${site.model}" is not available on ${who} (${says}): pick one from GET /api/models`, withStatus);
		}
		if (status === 404) return new LlmError('bad_request', `${who} has no such API endpoint (${http}: ${says}): check ${site.hints.baseUrl}`, withStatus);
		if (status === undefined || status >= 500 || status === 408 || type === 'overloaded_error' || type === 'api_error') {
			return new LlmError('server_error', `${who} answered ${http}: ${says}`, withStatus);
		}
		return new LlmError('bad_request', `${who} rejected the request with ${http}: ${says}`, withStatus);
	}
	const code = connectionErrorCode(error);
	if (code) return new LlmError('unreachable', `Cannot reach ${who} (${code}): check ${site.hints.baseUrl} and that the server is running`, details);
	return new LlmError('server_error', `${who} failed during the reply: ${says}`, details);
}

/** The error type an Anthropic body or stream event names (`overloaded_error`, …), if any. */
function errorType(error: { type?: unknown; error?: unknown }): string | undefined {
	if (typeof error.type === 'string') return error.type;
	const body = error.error as { type?: unknown; error?: { type?: unknown } } | undefined;
	const type = body?.error?.type ?? body?.type;
	return typeof type === 'string' ? type : undefined;
}

/** The server's own words: the body's error message where there is one, else the error's message. */
function serverMessage(error: unknown): string {
	const body = (error as { error?: unknown }).error as { message?: unknown; error?: { message?: unknown } } | undefined;
	const message = body?.error?.message ?? body?.message ?? (error instanceof Error ? error.message : String(error));
	return oneLine(typeof message === 'string' ? message : JSON.stringify(message), 500);
}

/** How long a 429 or 5xx asked us to wait: `retry-after-ms`, else `retry-after` in seconds or as a date. At most 15 minutes. */
export function retryAfterMs(headers: { get(name: string): string | null } | null | undefined): number | undefined {
	if (!headers || typeof headers.get !== 'function') return undefined;
	const cap = (ms: number) => (Number.isFinite(ms) && ms >= 0 ? Math.min(Math.round(ms), 15 * 60_000) : undefined);
	const ms = headers.get('retry-after-ms');
	if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return cap(Number(ms));
	const after = headers.get('retry-after')?.trim();
	if (!after) return undefined;
	if (/^\d+(\.\d+)?$/.test(after)) return cap(Number(after) * 1000);
	const date = Date.parse(after);
	return Number.isNaN(date) ? undefined : cap(Math.max(0, date - Date.now()));
}

/** `text` with every occurrence of `secret` (and of its long parts, as servers echo a key cut short) masked. */
export function withoutSecret(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	let clean = text.split(secret).join('***');
	// "Incorrect API key provided: sk-abc1****wxyz": the ends of a key are secret too.
	if (secret.length >= 12) {
		for (const part of [secret.slice(0, 8), secret.slice(-8)]) clean = clean.split(part).join('***');
	}
	return clean;
}

/**
 * The error a provider's call ends with, its message, base URL and raw reply without any URL's user
 * and password: a base URL may carry them (a model server behind a proxy's basic auth), and the
 * message is stored on the project (task.error, statusReason), sent in callbacks and shown.
 */
export function withoutCredentialsIn(error: unknown): unknown {
	if (!(error instanceof Error)) return error;
	const fields = error as unknown as Record<string, unknown>;
	for (const name of ['message', 'baseUrl', 'rawReply'] as const) {
		const value = fields[name];
		if (typeof value === 'string' && /:\/\/[^\s/?#@]*@/.test(value)) Object.defineProperty(error, name, { value: withoutUrlCredentials(value), writable: true, configurable: true, enumerable: name !== 'message' });
	}
	return error;
}

export function connectionErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	if (error instanceof TypeError && /fetch failed/i.test(error.message)) return 'fetch failed';
	if ((error as { name?: unknown })?.name === 'APIConnectionError') return 'connection error';
	return undefined;
}

/** `text` on one line, at most `max` characters. */
export function oneLine(text: string, max: number): string {
	const line = text.slice(0, max * 4).replace(/\s+/g, ' ').trim();
	return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** 300 → "300 ms", 1500 → "1.5 s", 300000 → "300 s". */
export function describeMs(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** 20000 → "20000 bytes", 2097152 → "2097152 bytes (2 MiB)". */
export function describeBytes(bytes: number): string {
	const mib = bytes / (1024 * 1024);
	return mib >= 1 ? `${bytes} bytes (${Number(mib.toFixed(1))} MiB)` : `${bytes} bytes`;
}

function capitalized(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
