import type { Message, Options } from 'ollama';

import { addUsage, emptyUsage, type LlmUsage } from '../contracts/usage';
import { LlmOutputError } from './errors';
import { parseJsonReply } from './jsonReply';
import { listModels, streamChat, type ChatReply, type OllamaConnection } from './ollamaTransport';
import type { CallLimiter } from './callLimiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';
import { schemaProblems } from './schemaValidator';

export interface LlmSettings {
	connection: OllamaConnection;
	/** Limit for one HTTP call in ms; 0 means none. */
	timeoutMs: number;
	retry?: RetryPolicy;
	/** Cancels every call in flight (n8n's execution cancel signal, or a worker's shutdown). */
	signal?: AbortSignal;
	onProgress?: (progress: { completionTokens: number }) => void;
	/** Shared by every client of a worker process, so its calls never exceed the model server's slots. */
	limiter?: CallLimiter;
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
	constructor(private readonly settings: LlmSettings) {}

	get baseUrl(): string {
		return this.settings.connection.baseUrl;
	}

	/** The models the server has (`/api/tags`), for dropdowns and connection checks. */
	async listModels(): Promise<ModelInfo[]> {
		const models = await listModels(this.settings.connection, {
			timeoutMs: this.settings.timeoutMs,
			signal: this.settings.signal,
		});
		return models.map((m) => ({
			name: m.name,
			sizeBytes: m.size,
			parameterSize: m.details?.parameter_size,
			family: m.details?.family,
		}));
	}

	/** One chat call, retried with backoff on transient errors; the usage counts the failed attempts too. */
	async chat(model: string, messages: Message[], generation: GenerationOptions & { format?: object } = {}): Promise<ChatReply> {
		let failedCalls = 0;
		let failedWallMs = 0;
		const reply = await withRetry(
			async () => {
				const started = Date.now();
				const call = () =>
					streamChat(this.settings.connection, {
						model,
						messages,
						format: generation.format,
						options: generation.options,
						keepAlive: generation.keepAlive,
						timeoutMs: this.settings.timeoutMs,
						signal: this.settings.signal,
						onProgress: this.settings.onProgress,
					});
				try {
					return await (this.settings.limiter ? this.settings.limiter.run(call, this.settings.signal) : call());
				} catch (error) {
					failedCalls++;
					failedWallMs += Date.now() - started;
					throw error;
				}
			},
			this.settings.retry ?? DEFAULT_RETRY_POLICY,
			this.settings.signal,
		);
		if (!failedCalls) return reply;
		return {
			...reply,
			usage: { ...reply.usage, calls: reply.usage.calls + failedCalls, wallMs: reply.usage.wallMs + failedWallMs },
		};
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
