import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { serviceCredentials } from '../shared/descriptions/common';
import { projectSettingsProperty } from '../shared/descriptions/projectSettings';
import { intakeProperties } from '../shared/intake';
import { executeAiCompany } from './executeAiCompany';

export class AiCompany implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Company',
		name: 'aiCompany',
		icon: { light: 'file:aiCompany.svg', dark: 'file:aiCompany.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["execution"] === "queue" ? "Run whole project (queued)" : "Run whole project" }}',
		description: "Runs a client's whole project in the AI Company service: plan, tasks in parallel, tests, fixes, commits, publish",
		defaults: { name: 'AI Company' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Run Whole Project',
						value: 'runProject',
						action: 'Run a whole project',
						description: 'Post the request to the service, which plans, develops, tests, fixes and publishes it',
					},
				],
				default: 'runProject',
			},
			...intakeProperties(),
			{
				displayName: 'Execution',
				name: 'execution',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Wait for Result', value: 'wait', description: 'Output the outcome once the project has ended (completed, failed or cancelled)' },
					{
						name: 'Queue Only',
						value: 'queue',
						description: 'Output { projectId, status } at once; set End Callback URL in Project Settings to hear of the end',
					},
				],
				default: 'wait',
			},
			{
				displayName: 'Wait Timeout (Seconds)',
				name: 'waitTimeoutSeconds',
				type: 'number',
				default: 7200,
				typeOptions: { minValue: 0 },
				description: 'Longest wait for the project to end; 0 means no limit. The project goes on in the service when the wait ends.',
				displayOptions: { show: { execution: ['wait'] } },
			},
			projectSettingsProperty,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiCompany.call(this);
	}
}
