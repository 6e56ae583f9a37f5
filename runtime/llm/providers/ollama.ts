import { listModels, normalizeBaseUrl, streamChat, type OllamaConnection } from '../ollamaTransport';
import { withoutUrlCredentials } from '../../contracts/credentials';
import { withoutCredentialsIn } from './http';
import type { ChatReply, ModelProvider, ProviderChat, ProviderModel } from './provider';

/** Ollama's own API (`/api/chat`, `/api/tags`): the transport in ../ollamaTransport.ts, behind the provider interface. */
export class OllamaProvider implements ModelProvider {
	readonly name = 'ollama' as const;

	constructor(private readonly connection: OllamaConnection) {}

	/** Where it is, without the user and password OLLAMA_HOST may carry. */
	get baseUrl(): string {
		return withoutUrlCredentials(normalizeBaseUrl(this.connection.baseUrl));
	}

	streamChat(call: ProviderChat): Promise<ChatReply> {
		return streamChat(this.connection, { ...call, format: call.schema }).catch((error: unknown) => {
			throw withoutCredentialsIn(error);
		});
	}

	async listModels(limits: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderModel[]> {
		const models = await listModels(this.connection, limits).catch((error: unknown) => {
			throw withoutCredentialsIn(error);
		});
		return models.map((m) => ({ name: m.name, sizeBytes: m.size, parameterSize: m.details?.parameter_size, family: m.details?.family }));
	}
}
