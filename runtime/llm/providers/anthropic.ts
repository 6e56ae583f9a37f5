import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';

import { usageCount } from '../../contracts/usage';
import { LINE_ENVELOPE_BYTES, MAX_JSON_BODY_BYTES, ReplyProblem, describeBytes, sdkClientOptions, sdkError, withCallLimits, type CallSite } from './http';
import { withoutUrlCredentials } from '../../contracts/credentials';
import type { ChatReply, ModelProvider, ProviderChat, ProviderConnection, ProviderModel } from './provider';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
/** The Messages API needs a token limit; this one when the agent sets none (Max Tokens). */
const DEFAULT_MAX_TOKENS = 8192;
/** The forced tool whose input is the structured reply. */
const REPLY_TOOL = 'reply';

/** The Anthropic Messages API through the official `@anthropic-ai/sdk` client. */
export class AnthropicProvider implements ModelProvider {
	readonly name = 'anthropic' as const;
	/** Where it is, without the user and password the URL may carry (for errors and the model list). */
	readonly baseUrl: string;
	/** The URL the client calls, as configured. */
	private readonly url: string;

	constructor(private readonly connection: ProviderConnection) {
		this.url = (connection.baseUrl || DEFAULT_ANTHROPIC_BASE_URL).trim().replace(/\/+$/, '');
		this.baseUrl = withoutUrlCredentials(this.url);
	}

	private client(maxLineBytes: number, timeoutMs: number): Anthropic {
		return new Anthropic({
			baseURL: this.url,
			apiKey: this.connection.apiKey ?? null,
			authToken: null,
			...sdkClientOptions(maxLineBytes, timeoutMs),
		});
	}

	private site(model?: string, timeoutMs?: number): CallSite {
		return { provider: 'anthropic', baseUrl: this.baseUrl, model, timeoutMs, apiKey: this.connection.apiKey, hints: { baseUrl: 'ANTHROPIC_BASE_URL (without /v1)', apiKey: 'ANTHROPIC_API_KEY' } };
	}

	/**
	 * One streamed Messages call. With a schema the model must call the `reply` tool whose
	 * input_schema it is: the tool input, streamed as input_json_delta, is the reply text.
	 */
	streamChat(call: ProviderChat): Promise<ChatReply> {
		const started = Date.now();
		const site = this.site(call.model, call.timeoutSettingMs ?? call.timeoutMs);
		return withCallLimits(
			call,
			async (signal) => {
				const client = this.client(call.maxReplyBytes + LINE_ENVELOPE_BYTES, call.timeoutMs);
				const stream = await client.messages.create(this.body(call), { signal });
				let toolInput = '';
				let text = '';
				let bytes = 0;
				let chunks = 0;
				let stopReason: string | undefined;
				let stopped = false;
				let promptTokens = 0;
				let completionTokens: number | undefined;
				for await (const event of stream) {
					let piece = '';
					if (event.type === 'message_start') promptTokens = usageCount(event.message.usage?.input_tokens);
					else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') toolInput += piece = event.delta.partial_json;
					else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += piece = event.delta.text;
					else if (event.type === 'message_delta') {
						stopReason = event.delta.stop_reason ?? stopReason;
						if (event.usage?.output_tokens !== undefined) completionTokens = usageCount(event.usage.output_tokens);
					} else if (event.type === 'message_stop') stopped = true;
					if (!piece) continue;
					bytes += Buffer.byteLength(piece, 'utf8');
					if (bytes > call.maxReplyBytes) {
						throw new ReplyProblem('too_large', `grew past the limit of ${describeBytes(call.maxReplyBytes)}`, toolInput || text, call.maxReplyBytes);
					}
					chunks++;
					call.onProgress?.({ completionTokens: chunks });
				}
				// The client ends an aborted stream quietly: the reply is not complete.
				if (signal.aborted) throw new Error('aborted');
				if (!stopped) throw new Error('the reply stream ended before message_stop');
				const completion = completionTokens ?? chunks;
				const wallMs = Date.now() - started;
				return {
					// A model that answered in prose instead of calling the tool: its text goes to validation and repair.
					content: call.schema && toolInput ? toolInput : text || toolInput,
					doneReason: stopReason === 'max_tokens' ? 'length' : stopReason,
					usage: { promptTokens, completionTokens: completion, totalTokens: Math.min(Number.MAX_SAFE_INTEGER, promptTokens + completion), llmMs: wallMs, wallMs, calls: 1 },
				};
			},
			(error, state) => sdkError(error, site, state),
		);
	}

	private body(call: ProviderChat): MessageCreateParamsStreaming {
		const options = call.options ?? {};
		const system = call.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
		const messages: MessageParam[] = call.messages
			.filter((m) => m.role !== 'system')
			.map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content }));
		return {
			model: call.model,
			max_tokens: typeof options.num_predict === 'number' && options.num_predict > 0 ? options.num_predict : DEFAULT_MAX_TOKENS,
			messages,
			stream: true,
			...(system ? { system } : {}),
			// Anthropic's temperature runs from 0 to 1.
			...(typeof options.temperature === 'number' ? { temperature: Math.min(1, Math.max(0, options.temperature)) } : {}),
			...(call.schema
				? {
						tools: [{ name: REPLY_TOOL, description: 'Give your reply: its input is the whole answer.', input_schema: call.schema as Anthropic.Tool.InputSchema }],
						tool_choice: { type: 'tool' as const, name: REPLY_TOOL },
					}
				: {}),
		};
	}

	async listModels(limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderModel[]> {
		return withCallLimits(
			limits,
			async (signal) => {
				const client = this.client(MAX_JSON_BODY_BYTES, limits.timeoutMs);
				const names: string[] = [];
				for await (const model of client.models.list({ limit: 100 }, { signal })) {
					if (typeof model.id === 'string') names.push(model.id);
				}
				return names.map((name) => ({ name }));
			},
			(error, state) => sdkError(error, this.site(undefined, limits.timeoutMs), state),
		);
	}
}
