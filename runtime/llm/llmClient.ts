import type { Options } from 'ollama';

import { DEFAULT_RETRY_POLICY } from '../config/defaults';
import { addUsage, emptyUsage, type LlmUsage } from '../contracts/usage';
import { timePhase } from '../phaseTimes';
import { LlmError, LlmOutputError } from './errors';
import { parseJsonReply } from './jsonReply';
import { formatModelRef, modelRefProblem, parseModelRef, PROVIDER_LABELS, PROVIDERS, type ProviderName } from './modelRef';
import { DEFAULT_MAX_REPLY_BYTES, type OllamaConnection } from './ollamaTransport';
import { AnthropicProvider } from './providers/anthropic';
import { describeMs } from './providers/http';
import { OllamaProvider } from './providers/ollama';
import { OpenAiProvider } from './providers/openai';
import type { ChatMessage, ChatReply, ModelProvider, ProviderConnection, SamplingOptions } from './providers/provider';
import type { ModelInfo } from '../contracts/models';
import type { CallLimiter } from './callLimiter';
import { withRetry, type RetryPolicy } from './retry';
import { schemaProblems } from '../contracts/schemaValidator';

/** The providers besides Ollama a client may call; one absent is not configured (a reference to it fails as bad_request). */
export interface ProviderConnections {
	/** An OpenAI-compatible server: its base URL with its /v1, as the `openai` client takes it. */
	openai?: ProviderConnection;
	/** The Anthropic API: its base URL without /v1 (default https://api.anthropic.com) and its key. */
	anthropic?: ProviderConnection;
}

export interface LlmSettings {
	/** Ollama's: bare model references and `ollama:` ones go there. */
	connection: OllamaConnection;
	providers?: ProviderConnections;
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
	/** Shared by every client of a worker process, so its calls never exceed the model server's slots; for every provider without its own in `limiters`. */
	limiter?: CallLimiter;
	/** Each provider's slots (OLLAMA_NUM_PARALLEL, OPENAI_NUM_PARALLEL, ANTHROPIC_NUM_PARALLEL). */
	limiters?: Partial<Record<ProviderName, CallLimiter>>;
	/** Whose calls these are for the limiter's fair share (the project id). */
	limiterOwner?: string;
}

export interface GenerationOptions {
	/** Passed to Ollama's `options` as they are: temperature, num_ctx, seed, num_predict, …; the other providers take temperature, seed and num_predict (as max_tokens). */
	options?: Partial<Options> & SamplingOptions;
	keepAlive?: string | number;
}

export interface StructuredRequest<T> extends GenerationOptions {
	/** A model reference: `openai:<model>`, `anthropic:<model>`, or an Ollama name (bare or `ollama:<name>`). */
	model: string;
	system: string;
	prompt: string;
	/** Sent as Ollama's `format` (OpenAI's response_format, Anthropic's forced tool) and used to validate the reply. */
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

	/** The providers this client may call: Ollama always, the others when their connection is given. */
	configuredProviders(): ProviderName[] {
		return PROVIDERS.filter((name) => name === 'ollama' || !!this.settings.providers?.[name]);
	}

	private readonly providers = new Map<ProviderName, ModelProvider>();

	private provider(name: ProviderName): ModelProvider | undefined {
		let provider = this.providers.get(name);
		if (provider) return provider;
		const connection = name === 'ollama' ? this.settings.connection : this.settings.providers?.[name];
		if (!connection) return undefined;
		provider = name === 'ollama' ? new OllamaProvider(connection) : name === 'openai' ? new OpenAiProvider(connection) : new AnthropicProvider(connection);
		this.providers.set(name, provider);
		return provider;
	}

	/** The provider a model reference names, and its own name for the model; a bad_request when it is not configured here. */
	private resolve(reference: string): { provider: ModelProvider; model: string } {
		const { provider: name, model } = parseModelRef(reference);
		const provider = this.provider(name);
		const problem = modelRefProblem(reference, new Set(this.configuredProviders()));
		if (!provider || problem) throw new LlmError('bad_request', `Model "${reference}" ${problem ?? 'cannot be used'}`, { model: reference, provider: name });
		return { provider, model };
	}

	/** The models a provider has (Ollama's `/api/tags`, the others' `/v1/models`) as model references, for dropdowns and connection checks. */
	async listModels(providerName: ProviderName = 'ollama'): Promise<ModelInfo[]> {
		const provider = this.provider(providerName);
		if (!provider) throw new LlmError('bad_request', `${PROVIDER_LABELS[providerName]} is not configured on this service`, { provider: providerName });
		const models = await provider.listModels({
			timeoutMs: this.settings.timeoutMs > 0 ? this.settings.timeoutMs : 0,
			signal: this.settings.signal,
		});
		return models.map((m) => ({ ...m, name: formatModelRef({ provider: providerName, model: m.name }), provider: providerName }));
	}

	/**
	 * One chat call, retried with backoff on transient errors, all within `settings.timeoutMs`; the
	 * usage counts the failed attempts too.
	 */
	chat(model: string, messages: ChatMessage[], generation: GenerationOptions & { format?: object } = {}): Promise<ChatReply> {
		return timePhase('llm', () => this.chatWithRetries(model, messages, generation));
	}

	private async chatWithRetries(reference: string, messages: ChatMessage[], generation: GenerationOptions & { format?: object }): Promise<ChatReply> {
		const { signal } = this.settings;
		const { provider, model } = this.resolve(reference);
		// NaN or a negative number means no limit, as 0 does.
		const timeoutMs = this.settings.timeoutMs > 0 ? this.settings.timeoutMs : 0;
		let deadline: number | undefined;
		let failedCalls = 0;
		let failedWallMs = 0;
		const label = PROVIDER_LABELS[provider.name];
		const timedOut = () =>
			new LlmError(
				'timeout',
				`${label.charAt(0).toUpperCase()}${label.slice(1)} at ${provider.baseUrl} did not finish the reply of model "${model}" within ${describeMs(timeoutMs)} (the Timeout option; 0 means no limit)`,
				{ model, baseUrl: provider.baseUrl, provider: provider.name },
			);
		const reply = await withRetry(
			async () => {
				const started = Date.now();
				const call = () => {
					if (timeoutMs > 0) deadline ??= Date.now() + timeoutMs;
					const remainingMs = deadline === undefined ? 0 : deadline - Date.now();
					if (deadline !== undefined && remainingMs <= 0) return Promise.reject(timedOut());
					return provider.streamChat({
						model,
						messages,
						schema: generation.format,
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
					return await this.inSlot(call, deadline, timedOut, model, provider);
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
	private async inSlot<T>(call: () => Promise<T>, deadline: number | undefined, timedOut: () => LlmError, model: string, provider: ModelProvider): Promise<T> {
		const { signal } = this.settings;
		const limiter = this.settings.limiters?.[provider.name] ?? this.settings.limiter;
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
					baseUrl: provider.baseUrl,
					provider: provider.name,
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
		const messages: ChatMessage[] = [
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
