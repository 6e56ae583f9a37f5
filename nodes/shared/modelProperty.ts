import type { INodeProperties } from 'n8n-workflow';

/** The Model dropdown every AI node shows, filled from the server's /api/tags (see loadModels.ts). */
export function modelProperty(purpose: string): INodeProperties {
	return {
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getModels', loadOptionsDependsOn: ['authentication'] },
		default: '',
		required: true,
		description: `The Ollama model that ${purpose}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}
