import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { LlmClient } from '../../runtime/index';
import { getOllamaConnection } from './ollamaCredentials';

/** The Model dropdown: the models the Ollama server really has (/api/tags). */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connection = await getOllamaConnection(this);
	try {
		const models = await new LlmClient({ connection, timeoutMs: 15_000, retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 } }).listModels();
		return models
			.map((m) => ({
				name: m.name,
				value: m.name,
				description: [m.parameterSize, m.family, `${(m.sizeBytes / 1e9).toFixed(1)} GB`].filter(Boolean).join(' · '),
			}))
			.sort((a, b) => a.name.localeCompare(b.name));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error, {
			description: 'The model list comes from the Ollama server of the selected credential',
		});
	}
}
