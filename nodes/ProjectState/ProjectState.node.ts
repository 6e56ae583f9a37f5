import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { serviceCredentials } from '../shared/descriptions/common';
import { getModels } from '../shared/loadModels';
import { executeProjectState } from './executeProjectState';
import { eventFields, eventOperations } from './resources/eventDescription';
import { projectFields, projectOperations } from './resources/projectDescription';

export class ProjectState implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Project State',
		name: 'projectState',
		icon: { light: 'file:projectState.svg', dark: 'file:projectState.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: "Create, read, move and publish the AI Company's projects, kept by the service",
		defaults: { name: 'Project State' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Project', value: 'project' },
					{ name: 'Event', value: 'event' },
				],
				default: 'project',
			},
			projectOperations,
			eventOperations,
			...projectFields,
			...eventFields,
		],
	};

	methods = { loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeProjectState.call(this);
	}
}
