import { listModels, normalizeBaseUrl, streamChat, type OllamaConnection } from '../ollamaTransport';
import type { ChatReply, ModelProvider, ProviderChat, ProviderModel } from './provider';

/** Ollama's own API (`/api/chat`, `/api/tags`): the transport in ../ollamaTransport.ts, behind the provider interface. */
export class OllamaProvider implements ModelProvider {
	readonly name = 'ollama' as const;

	constructor(private readonly connection: OllamaConnection) {}

	get baseUrl(): string {
		return normalizeBaseUrl(this.connection.baseUrl);
	}

	streamChat(call: ProviderChat): Promise<ChatReply> {
		return streamChat(this.connection, { ...call, format: call.schema });
	}

	async listModels(limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderModel[]> {
		const models = await listModels(this.connection, limits);
		return models.map((m) => ({ name: m.name, sizeBytes: m.size, parameterSize: m.details?.parameter_size, family: m.details?.family }));
	}
}
