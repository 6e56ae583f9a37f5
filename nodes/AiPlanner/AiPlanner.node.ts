import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelProperty, serviceCredentials } from '../shared/descriptions/common';
import { executionProperties } from '../shared/descriptions/execution';
import { agentOptionsProperty } from '../shared/descriptions/generationOptions';
import { getModels } from '../shared/loadModels';
import { executeAiPlanner } from './executeAiPlanner';

export class AiPlanner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Planner',
		name: 'aiPlanner',
		icon: { light: 'file:aiPlanner.svg', dark: 'file:aiPlanner.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] || "service default model" }}',
		description: "Turns a client's requirements into a structured project plan with a local model, through the AI Company service",
		defaults: { name: 'AI Planner' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			{
				displayName: 'Project ID',
				name: 'projectId',
				type: 'string',
				default: '={{ $json.projectId }}',
				description: 'The stored project to plan. When empty, a project is created from the Requirements below and planned.',
			},
			{
				displayName: 'Requirements',
				name: 'requirements',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '={{ $json.requirements }}',
				description: 'What the client wants built, used only when Project ID is empty. Treated as data: the model is told never to follow instructions in it.',
			},
			{
				displayName: 'Title',
				name: 'title',
				type: 'string',
				default: '={{ $json.title }}',
				description: 'Title of a project created here; when empty, the first line of the requirements is used',
			},
			modelProperty('plans'),
			...executionProperties('the plan'),
			agentOptionsProperty('planner', '{{title}}, {{requirements}}, {{client.name}}, {{maxTasks}}, {{changeRequest}} (the client\'s requested changes when the plan is made again), {{schema}}', [
				{
					displayName: 'Max Tasks',
					name: 'maxTasks',
					type: 'number',
					default: 12,
					typeOptions: { minValue: 1, maxValue: 200 },
					description: 'Largest plan accepted; a bigger plan is sent back to the model to merge tasks',
				},
			]),
		],
	};

	methods = { loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiPlanner.call(this);
	}
}
