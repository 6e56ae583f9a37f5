import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { DEFAULT_MAX_REQUIREMENTS_LENGTH, DEFAULT_MAX_TASKS } from '../../runtime/index';
import { agentOptionsProperty } from '../shared/llmOptions';
import { ollamaAuthenticationProperty, ollamaCredentialDescriptions } from '../shared/ollamaCredentials';

import { getModels } from '../shared/loadModels';
import { modelProperty } from '../shared/modelProperty';
import { OLLAMA_CREDENTIAL_TEST, testOllamaCredential } from '../shared/ollamaCredentials';
import { executeAiPlanner } from './execute';

export class AiPlanner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Planner',
		name: 'aiPlanner',
		icon: 'file:aiPlanner.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description: 'Turns a client\'s requirements into a structured project plan with a local Ollama model',
		defaults: { name: 'AI Planner' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: ollamaCredentialDescriptions,
		properties: [
			ollamaAuthenticationProperty,
			modelProperty('plans'),
			{
				displayName: 'Requirements',
				name: 'requirements',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '={{ $json.requirements }}',
				required: true,
				description: 'What the client wants built. Treated as data: the model is told never to follow instructions in it.',
			},
			{
				displayName: 'Title',
				name: 'title',
				type: 'string',
				default: '={{ $json.title }}',
				description: 'Project title; when empty, the first line of the requirements is used',
			},
			{
				displayName: 'Project ID',
				name: 'projectId',
				type: 'string',
				default: '={{ $json.projectId }}',
				description: 'Carried to the output and to every task, so later steps know which project they belong to',
			},
			agentOptionsProperty('planner', '{{title}}, {{requirements}}, {{client.name}}, {{maxTasks}}, {{schema}}', [
				{
					displayName: 'Max Requirements Length',
					name: 'maxRequirementsLength',
					type: 'number',
					default: DEFAULT_MAX_REQUIREMENTS_LENGTH,
					typeOptions: { minValue: 1 },
					description: 'Longer requirements are refused with an error instead of being sent to the model',
				},
				{
					displayName: 'Max Tasks',
					name: 'maxTasks',
					type: 'number',
					default: DEFAULT_MAX_TASKS,
					typeOptions: { minValue: 1, maxValue: 200 },
					description: 'Largest plan accepted; a bigger plan is sent back to the model to merge tasks',
				},
			]),
		],
	};

	methods = {
		loadOptions: { getModels },
		credentialTest: { [OLLAMA_CREDENTIAL_TEST]: testOllamaCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiPlanner.call(this);
	}
}
