export * from './errors';
export * from './llmClient';
export * from './probeOllama';
export { normalizeBaseUrl, type ChatReply, type OllamaConnection } from './ollamaTransport';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
