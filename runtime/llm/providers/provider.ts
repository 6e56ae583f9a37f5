import type { LlmUsage } from '../../contracts/usage';
import type { ProviderName } from '../modelRef';

/** One message of a chat: Ollama's Message fits, and so does every other provider's text message. */
export interface ChatMessage {
	role: string;
	content: string;
}

/** Generation options in Ollama's words (every agent's settings speak them); each provider maps what it has. */
export interface SamplingOptions {
	temperature?: number;
	num_ctx?: number;
	seed?: number;
	/** Most tokens to generate (OpenAI's max_tokens, Anthropic's max_tokens). */
	num_predict?: number;
	[option: string]: unknown;
}

/** One chat request as LlmClient hands it to a provider: the model is the provider's own name for it. */
export interface ProviderChat {
	model: string;
	messages: ChatMessage[];
	/** JSON schema the reply must follow (constrained decoding where the provider has it). */
	schema?: object;
	options?: SamplingOptions;
	keepAlive?: string | number;
	/** Limit for this request in ms; 0 means none. */
	timeoutMs: number;
	/** The operator's Timeout, named in the error message when this request had only part of it left. */
	timeoutSettingMs?: number;
	signal?: AbortSignal;
	onProgress?: (progress: { completionTokens: number }) => void;
	/** Largest reply text in UTF-8 bytes; reading stops and the request is aborted past it. */
	maxReplyBytes: number;
}

export interface ChatReply {
	content: string;
	/** "stop" normally, "length" when the reply was cut off by its token limit. */
	doneReason?: string;
	usage: LlmUsage;
}

export interface ProviderModel {
	/** The provider's own name for it. */
	name: string;
	sizeBytes?: number;
	parameterSize?: string;
	family?: string;
}

/** What LlmClient needs of a model server; everything else (validation, repair, retries, slots) is LlmClient's. */
export interface ModelProvider {
	readonly name: ProviderName;
	/** Where it is, without credentials, for errors and the model list. */
	readonly baseUrl: string;
	streamChat(call: ProviderChat): Promise<ChatReply>;
	listModels(limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderModel[]>;
}

/** How to reach a provider. */
export interface ProviderConnection {
	baseUrl: string;
	apiKey?: string;
}
