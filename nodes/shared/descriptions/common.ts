import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../transport/serviceRequest';

export const serviceCredentials: INodeCredentialDescription[] = [{ name: CREDENTIAL_TYPE, required: true }];

/** The Model dropdown of an AI node, filled from the service's GET /api/models. */
export function modelProperty(purpose: string): INodeProperties {
	return {
		displayName: 'Model Name or ID',
		name: 'model',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getModels' },
		default: '',
		description: `The Ollama model that ${purpose}; empty uses the service's MODEL_* setting. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

export const projectIdProperty: INodeProperties = {
	displayName: 'Project ID',
	name: 'projectId',
	type: 'string',
	default: '={{ $json.projectId }}',
	required: true,
	description: 'The project in the service (Project State → Create, or the webhook intake)',
};

export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	default: '={{ $json.task?.id ?? $json.taskId }}',
	required: true,
	description: "The task to work on: a Task Splitter item's task ID by default",
};
