import type { Message, Options } from 'ollama';

import { DEFAULT_RETRY_POLICY } from '../config/defaults';
import { addUsage, emptyUsage, type LlmUsage } from '../contracts/usage';
import { timePhase } from '../phaseTimes';
import { LlmError, LlmOutputError } from './errors';
import { parseJsonReply } from './jsonReply';
import { DEFAULT_MAX_REPLY_BYTES, listModels, normalizeBaseUrl, streamChat, toLlmError, type ChatReply, type OllamaConnection } from './ollamaTransport';
import type { CallLimiter } from './callLimiter';
import { withRetry, type RetryPolicy } from './retry';
import { schemaProblems } from '../contracts/schemaValidator';

export interface LlmSettings {
	connection: OllamaConnection;
	/**
	 * Longest wait for one model reply in ms, retries and the waits between them included; 0 means
	 * none. It starts with the first request (not while waiting for a limiter slot); a retry gets
	 * what is left of it, and a retry whose backoff would end after it is not made.
	 */
	timeoutMs: number;
	retry?: RetryPolicy;
	/**
	 * Largest model reply (its text, in UTF-8 bytes), enforced while it streams: past it, reading
	 * stops, the request is aborted and the call fails with `reply_too_large`. Default 2 MiB.
	 */
	maxReplyBytes?: number;
	/** Cancels every call in flight (n8n's execution cancel signal, or a worker's shutdown). */
	signal?: AbortSignal;
	onProgress?: (progress: { completionTokens: number }) => void;
	/** Shared by every client of a worker process, so its calls never exceed the model server's slots. */
	limiter?: CallLimiter;
	/** Whose calls these are for the limiter's fair share (the project id). */
	limiterOwner?: string;
}

export interface GenerationOptions {
	/** Passed to Ollama's `options` as they are: temperature, num_ctx, seed, num_predict, … */
	options?: Partial<Options>;
	keepAlive?: string | number;
}

export interface StructuredRequest<T> extends GenerationOptions {
	model: string;
	system: string;
	prompt: string;
	/** Sent as Ollama's `format` and used to validate the reply. */
	schema: object;
	/** Checks a schema-valid reply further (e.g. that a task graph has no cycle); returns problems. */
	check?: (value: T) => string[];
	/** Bounded: how many times the model is told what was wrong and asked again. */
	maxRepairs: number;
}

export interface StructuredResult<T> {
	value: T;
	raw: string;
	model: string;
	usage: LlmUsage;
	/** Repair rounds that were needed (0 when the first reply was valid). */
	repairs: number;
}

export interface ModelInfo {
	name: string;
	sizeBytes: number;
	parameterSize?: string;
	family?: string;
}

const MAX_REPLY_QUOTED_IN_REPAIR = 8000;

/**
 * The one way this package talks to a model: every agent, node and the worker go through it, so
 * structured output, validation, repair, retries, timeouts and usage accounting behave the same
 * everywhere.
 */
export class LlmClient {
	private readonly maxReplyBytes: number;

	constructor(private readonly settings: LlmSettings) {
		const max = settings.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
		if (!Number.isFinite(max) || max < 1) throw new RangeError(`maxReplyBytes must be a positive number of bytes, got ${max}`);
		this.maxReplyBytes = Math.floor(max);
	}

	get baseUrl(): string {
		return this.settings.connection.baseUrl;
	}

	/** The models the server has (`/api/tags`), for dropdowns and connection checks. */
	async listModels(): Promise<ModelInfo[]> {
		const models = await listModels(this.settings.connection, {
			timeoutMs: this.settings.timeoutMs > 0 ? this.settings.timeoutMs : 0,
			signal: this.settings.signal,
		});
		return models.map((m) => ({
			name: m.name,
			sizeBytes: m.size,
			parameterSize: m.details?.parameter_size,
			family: m.details?.family,
		}));
	}

	/**
	 * One chat call, retried with backoff on transient errors, all within `settings.timeoutMs`; the
	 * usage counts the failed attempts too.
	 */
	chat(model: string, messages: Message[], generation: GenerationOptions & { format?: object } = {}): Promise<ChatReply> {
		return timePhase('llm', () => this.chatWithRetries(model, messages, generation));
	}

	private async chatWithRetries(model: string, messages: Message[], generation: GenerationOptions & { format?: object }): Promise<ChatReply> {
		const { connection, signal } = this.settings;
		// NaN or a negative number means no limit, as 0 does.
		const timeoutMs = this.settings.timeoutMs > 0 ? this.settings.timeoutMs : 0;
		let deadline: number | undefined;
		let failedCalls = 0;
		let failedWallMs = 0;
		const timedOut = () => toLlmError(new Error('no time left'), connection, { model, timeoutMs }, { timedOut: true, cancelled: false });
		const reply = await withRetry(
			async () => {
				const started = Date.now();
				const call = () => {
					if (timeoutMs > 0) deadline ??= Date.now() + timeoutMs;
					const remainingMs = deadline === undefined ? 0 : deadline - Date.now();
					if (deadline !== undefined && remainingMs <= 0) return Promise.reject(timedOut());
					return streamChat(connection, {
						model,
						messages,
						format: generation.format,
						options: generation.options,
						keepAlive: generation.keepAlive,
						timeoutMs: remainingMs,
						timeoutSettingMs: timeoutMs,
						signal,
						onProgress: this.settings.onProgress,
						maxReplyBytes: this.maxReplyBytes,
					});
				};
				try {
					return await this.inSlot(call, deadline, timedOut, model);
				} catch (error) {
					failedCalls++;
					failedWallMs += Date.now() - started;
					throw error;
				}
			},
			this.settings.retry ?? DEFAULT_RETRY_POLICY,
			signal,
			() => deadline,
		);
		if (!failedCalls) return reply;
		return {
			...reply,
			usage: { ...reply.usage, calls: reply.usage.calls + failedCalls, wallMs: reply.usage.wallMs + failedWallMs },
		};
	}

	/**
	 * Runs `call` in a limiter slot when there is a limiter. Waiting for the slot ends with the
	 * execution's cancel and, once the call's time has started (a retry), with its deadline.
	 */
	private async inSlot<T>(call: () => Promise<T>, deadline: number | undefined, timedOut: () => LlmError, model: string): Promise<T> {
		const { limiter, signal } = this.settings;
		if (!limiter) return call();
		const deadlineSignal = deadline === undefined ? undefined : AbortSignal.timeout(Math.max(0, deadline - Date.now()));
		const signals = [signal, deadlineSignal].filter((s): s is AbortSignal => !!s);
		try {
			return await limiter.run(call, signals.length ? AbortSignal.any(signals) : undefined, this.settings.limiterOwner);
		} catch (error) {
			if (error instanceof LlmError) throw error;
			if (signal?.aborted) {
				throw new LlmError('cancelled', 'The execution was cancelled while waiting for a free model slot', {
					model,
					baseUrl: normalizeBaseUrl(this.settings.connection.baseUrl),
					cause: error,
				});
			}
			if (deadlineSignal?.aborted) throw timedOut();
			throw error;
		}
	}

	/**
	 * Asks for JSON matching `schema` (constrained decoding), validates it, and on a broken or
	 * invalid reply asks again quoting what was wrong, at most `maxRepairs` times.
	 */
	async generateStructured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
		const messages: Message[] = [
			{ role: 'system', content: request.system },
			{ role: 'user', content: request.prompt },
		];
		// A NaN here (a bad node parameter) would otherwise never end the loop.
		const maxRepairs = Number.isFinite(request.maxRepairs) ? Math.max(0, Math.floor(request.maxRepairs)) : 0;
		let usage = emptyUsage();
		for (let attempt = 0; ; attempt++) {
			const reply = await this.chat(request.model, messages, { ...request, format: request.schema });
			usage = addUsage(usage, reply.usage);
			const problems = replyProblems(reply, request);
			if (problems.ok) {
				return { value: problems.value, raw: reply.content, model: request.model, usage, repairs: attempt };
			}
			if (attempt >= maxRepairs) {
				throw new LlmOutputError(request.model, reply.content, problems.problems, attempt + 1, usage);
			}
			messages.push(
				{ role: 'assistant', content: reply.content.slice(0, MAX_REPLY_QUOTED_IN_REPAIR) },
				{ role: 'user', content: repairPrompt(problems.problems) },
			);
		}
	}
}

type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function replyProblems<T>(reply: ChatReply, request: StructuredRequest<T>): Checked<T> {
	const parsed = parseJsonReply(reply.content);
	if (!parsed.ok) {
		const cutOff =
			reply.doneReason === 'length'
				? ['the reply was cut off before it was complete (it hit the token limit: raise Context Size or Max Tokens)']
				: [];
		return { ok: false, problems: [...cutOff, parsed.problem] };
	}
	const invalid = schemaProblems(request.schema, parsed.value);
	if (invalid.length) return { ok: false, problems: invalid };
	const value = parsed.value as T;
	const semantic = request.check?.(value) ?? [];
	if (semantic.length) return { ok: false, problems: semantic };
	return { ok: true, value };
}

function repairPrompt(problems: string[]): string {
	return [
		'Your previous reply could not be used because:',
		...problems.slice(0, 20).map((p) => `- ${p}`),
		'Reply again with only the corrected JSON object that satisfies the schema. No explanations, no code fences.',
	].join('\n');
}
