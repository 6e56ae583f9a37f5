export * from './errors';
export * from './llmClient';
export * from './probeOllama';
export { normalizeBaseUrl, type ChatReply, type OllamaConnection } from './ollamaTransport';
export type { RetryPolicy } from './retry';
export * from './modelRef';
export type { ChatMessage, ModelProvider, ProviderConnection } from './providers/provider';
