import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';

import { usageCount } from '../../contracts/usage';
import { LlmError } from '../errors';
import { LINE_ENVELOPE_BYTES, MAX_JSON_BODY_BYTES, ReplyProblem, describeBytes, sdkClientOptions, sdkError, withCallLimits, type CallSite } from './http';
import { withoutUrlCredentials } from '../../contracts/credentials';
import type { ChatReply, ModelProvider, ProviderChat, ProviderConnection, ProviderModel } from './provider';

/**
 * Base URLs whose server refused `response_format: json_schema` with a 400 and then took
 * `json_object`: they get `json_object` from then on (vLLM and llama.cpp take schemas; older
 * servers and some proxies do not).
 */
const refusesSchemas = new Set<string>();

/** Any OpenAI-compatible server (vLLM, LM Studio, llama.cpp's server, OpenRouter, OpenAI) through the official `openai` client. */
export class OpenAiProvider implements ModelProvider {
	readonly name = 'openai' as const;
	/** Where it is, without the user and password the URL may carry (for errors and the model list). */
	readonly baseUrl: string;
	/** The URL the client calls, as configured. */
	private readonly url: string;

	constructor(private readonly connection: ProviderConnection) {
		this.url = connection.baseUrl.trim().replace(/\/+$/, '');
		this.baseUrl = withoutUrlCredentials(this.url);
	}

	private client(maxLineBytes: number, timeoutMs: number): OpenAI {
		return new OpenAI({
			baseURL: this.url,
			// Local servers take any key; the client insists on one.
			apiKey: this.connection.apiKey ?? 'no-key',
			organization: null,
			project: null,
			...sdkClientOptions(maxLineBytes, timeoutMs),
		});
	}

	private site(model?: string, timeoutMs?: number): CallSite {
		return { provider: 'openai', baseUrl: this.baseUrl, model, timeoutMs, apiKey: this.connection.apiKey, hints: { baseUrl: 'OPENAI_BASE_URL (with its /v1)', apiKey: 'OPENAI_API_KEY' } };
	}

	async streamChat(call: ProviderChat): Promise<ChatReply> {
		if (!call.schema || refusesSchemas.has(this.baseUrl)) return this.streamOnce(call, call.schema ? 'json_object' : 'none');
		try {
			return await this.streamOnce(call, 'json_schema');
		} catch (error) {
			if (!(error instanceof LlmError) || error.code !== 'bad_request' || error.status !== 400) throw error;
			// The server refused something in the request: the schema, most likely. Asked again with
			// json_object; remembered only when that works, so a refusal for another reason is not.
			const reply = await this.streamOnce(call, 'json_object');
			refusesSchemas.add(this.baseUrl);
			return reply;
		}
	}

	private streamOnce(call: ProviderChat, format: 'json_schema' | 'json_object' | 'none'): Promise<ChatReply> {
		const started = Date.now();
		const site = this.site(call.model, call.timeoutSettingMs ?? call.timeoutMs);
		return withCallLimits(
			call,
			async (signal) => {
				const client = this.client(call.maxReplyBytes + LINE_ENVELOPE_BYTES, call.timeoutMs);
				const stream = await client.chat.completions.create(this.body(call, format), { signal });
				let content = '';
				let contentBytes = 0;
				let chunks = 0;
				let finishReason: string | undefined;
				let promptTokens = 0;
				let completionTokens: number | undefined;
				for await (const chunk of stream) {
					const choice = chunk.choices?.[0];
					const piece = typeof choice?.delta?.content === 'string' ? choice.delta.content : '';
					if (piece) {
						content += piece;
						contentBytes += Buffer.byteLength(piece, 'utf8');
						if (contentBytes > call.maxReplyBytes) {
							throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(call.maxReplyBytes)}`, content, call.maxReplyBytes);
						}
						chunks++;
						call.onProgress?.({ completionTokens: chunks });
					}
					if (choice?.finish_reason) finishReason = choice.finish_reason;
					if (chunk.usage) {
						promptTokens = usageCount(chunk.usage.prompt_tokens);
						completionTokens = usageCount(chunk.usage.completion_tokens);
					}
				}
				// The client ends an aborted stream quietly: the reply is not complete.
				if (signal.aborted) throw new Error('aborted');
				if (!finishReason) throw new Error('the reply stream ended before it was done');
				const completion = completionTokens ?? chunks;
				const wallMs = Date.now() - started;
				return {
					content,
					doneReason: finishReason,
					usage: { promptTokens, completionTokens: completion, totalTokens: Math.min(Number.MAX_SAFE_INTEGER, promptTokens + completion), llmMs: wallMs, wallMs, calls: 1 },
				};
			},
			(error, state) => sdkError(error, site, state),
		);
	}

	private body(call: ProviderChat, format: 'json_schema' | 'json_object' | 'none'): ChatCompletionCreateParamsStreaming {
		const options = call.options ?? {};
		const messages = call.messages.map((m) => ({ role: m.role as 'system' | 'user' | 'assistant', content: m.content }));
		// json_object promises JSON but not its shape: the schema goes into the prompt instead (and
		// OpenAI's json_object wants the word JSON in a message).
		if (format === 'json_object') {
			messages.unshift({ role: 'system', content: `Reply with one JSON object that satisfies this JSON schema:\n${JSON.stringify(call.schema)}` });
		}
		return {
			model: call.model,
			messages,
			stream: true,
			stream_options: { include_usage: true },
			...(typeof options.temperature === 'number' ? { temperature: options.temperature } : {}),
			...(typeof options.seed === 'number' ? { seed: options.seed } : {}),
			...(typeof options.num_predict === 'number' && options.num_predict > 0 ? { max_tokens: options.num_predict } : {}),
			...(format === 'json_schema' ? { response_format: { type: 'json_schema', json_schema: { name: 'reply', schema: call.schema as Record<string, unknown> } } } : {}),
			...(format === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
		};
	}

	async listModels(limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderModel[]> {
		return withCallLimits(
			limits,
			async (signal) => {
				const client = this.client(MAX_JSON_BODY_BYTES, limits.timeoutMs);
				const names: string[] = [];
				for await (const model of client.models.list({ signal })) {
					if (typeof model.id === 'string') names.push(model.id);
				}
				return names.map((name) => ({ name }));
			},
			(error, state) => sdkError(error, this.site(undefined, limits.timeoutMs), state),
		);
	}
}
