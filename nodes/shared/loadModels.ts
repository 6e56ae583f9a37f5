import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { serviceRequest } from './transport/serviceRequest';

interface ModelInfo extends IDataObject {
	name: string;
	parameterSize?: string;
	family?: string;
	sizeBytes?: number;
}

/**
 * The Model dropdown: first the parameter's default, "" (the service's own MODEL_* setting, which
 * n8n would otherwise flag as a value not in the list), then the models the service's Ollama
 * really has (GET /api/models).
 */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const { models } = await serviceRequest<{ models: ModelInfo[] }>(this, { method: 'GET', path: '/api/models', timeoutMs: 15_000 });
	const serviceDefault: INodePropertyOptions = { name: 'Service Default', value: '', description: "The service's MODEL_* setting for this role" };
	return [serviceDefault, ...models
		.map((m) => ({
			name: m.name,
			value: m.name,
			description: [m.parameterSize, m.family, typeof m.sizeBytes === 'number' ? `${(m.sizeBytes / 1e9).toFixed(1)} GB` : ''].filter(Boolean).join(' · '),
		}))
		.sort((a, b) => a.name.localeCompare(b.name))];
}
