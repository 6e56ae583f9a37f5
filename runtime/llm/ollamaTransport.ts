import { Ollama, type Message, type ModelResponse, type Options } from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';

import type { LlmUsage } from '../contracts/usage';
import { LlmError } from './errors';

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
	/** Whole-call limit in ms; 0 means none. */
	timeoutMs: number;
	signal?: AbortSignal;
	/** Called as the reply streams in; lets a worker report progress on long generations. */
	onProgress?: (progress: { completionTokens: number }) => void;
}

export interface ChatReply {
	content: string;
	/** "stop" normally, "length" when the reply was cut off by num_predict / num_ctx. */
	doneReason?: string;
	usage: LlmUsage;
}

/**
 * Node's global fetch gives up when response headers take over 300 s, and Ollama sends them only
 * once the model is loaded and the prompt evaluated: slow local models die there (n8n issues
 * 11886, 21906). This dispatcher has no header or body timeout; our own whole-call timeout applies.
 */
const noTimeoutDispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, connectTimeout: 10_000 });

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

export function normalizeBaseUrl(baseUrl: string): string {
	return baseUrl.trim().replace(/\/+$/, '').replace(/\/api$/, '');
}

/** A client whose every request carries `signal`, so a timeout or cancel ends it at once. */
export function createOllamaClient(connection: OllamaConnection, signal?: AbortSignal): Ollama {
	const headers: Record<string, string> = {};
	if (connection.apiKey) headers.Authorization = `Bearer ${connection.apiKey}`;
	return new Ollama({
		host: normalizeBaseUrl(connection.baseUrl),
		headers,
		fetch: ((input: string, init: RequestInit = {}) => {
			const signals = [init.signal, signal].filter((s): s is AbortSignal => !!s);
			return undiciFetch(input, {
				...(init as object),
				signal: signals.length ? AbortSignal.any(signals) : undefined,
				dispatcher: noTimeoutDispatcher,
			});
		}) as unknown as typeof fetch,
	});
}

/** What bounds one HTTP call: the operator's timeout and the execution's cancel signal. */
export interface CallLimits {
	/** Whole-call limit in ms; 0 means none. */
	timeoutMs: number;
	signal?: AbortSignal;
}

/**
 * Runs one call with a client whose requests end at once when `limits.timeoutMs` runs out or
 * `limits.signal` aborts, and maps whatever goes wrong to an LlmError.
 */
async function limitedCall<T>(
	connection: OllamaConnection,
	call: CallLimits & { model?: string },
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
		return await run(createOllamaClient(connection, controller.signal));
	} catch (error) {
		throw toLlmError(error, connection, call, { timedOut, cancelled: !!call.signal?.aborted });
	} finally {
		clearTimeout(timer);
		call.signal?.removeEventListener('abort', onCancel);
	}
}

/** The models the server has (`/api/tags`), under the same timeout and cancel as a chat call. */
export async function listModels(connection: OllamaConnection, limits: CallLimits): Promise<ModelResponse[]> {
	return limitedCall(connection, limits, async (client) => (await client.list()).models);
}

/** One streamed chat request. Streaming keeps the connection busy for generations of any length. */
export async function streamChat(connection: OllamaConnection, call: ChatCall): Promise<ChatReply> {
	const started = Date.now();
	return limitedCall(connection, call, async (client) => {
		const stream = await client.chat({
			model: call.model,
			messages: call.messages,
			format: call.format,
			options: call.options,
			keep_alive: call.keepAlive,
			stream: true,
		});
		let content = '';
		let chunks = 0;
		for await (const part of stream) {
			content += part.message?.content ?? '';
			chunks++;
			call.onProgress?.({ completionTokens: chunks });
			if (part.done) {
				const promptTokens = part.prompt_eval_count ?? 0;
				const completionTokens = part.eval_count ?? chunks;
				return {
					content,
					doneReason: part.done_reason,
					usage: {
						promptTokens,
						completionTokens,
						totalTokens: promptTokens + completionTokens,
						llmMs: Math.round((part.total_duration ?? 0) / 1e6),
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
				'unauthorized',
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

/** 300 → "300 ms", 1500 → "1.5 s", 300000 → "300 s". */
function describeMs(ms: number): string {
	return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function connectionErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	if (error instanceof TypeError && /fetch failed/i.test(error.message)) return 'fetch failed';
	return undefined;
}
