import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelProperty, projectIdProperty, serviceCredentials, taskIdProperty } from '../shared/descriptions/common';
import { executionProperties } from '../shared/descriptions/execution';
import { agentOptionsProperty } from '../shared/descriptions/generationOptions';
import { getModels } from '../shared/loadModels';
import { executeAiDeveloper } from './executeAiDeveloper';

export class AiDeveloper implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Developer',
		name: 'aiDeveloper',
		icon: { light: 'file:aiDeveloper.svg', dark: 'file:aiDeveloper.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "fix" ? "Fix" : $parameter["mode"] === "write" ? "Write" : "Write or fix" }}',
		description: 'Writes the code of a task, or fixes it from its failing test report, with a local model, through the AI Company service',
		defaults: { name: 'AI Developer' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			projectIdProperty,
			taskIdProperty,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{
						name: 'Write or Fix',
						value: 'auto',
						description: "Fix when the task's last test run failed, write otherwise: wire the fix loop back here",
					},
					{ name: 'Write', value: 'write', description: "Write the task's code from its description" },
					{ name: 'Fix', value: 'fix', description: "Fix the code from the task's failing test report" },
				],
				default: 'auto',
			},
			modelProperty('writes code'),
			...executionProperties('the code written'),
			agentOptionsProperty('developer', '{{task}}, {{planSummary}}, {{techStack}}, {{contextFiles}}, {{listedPaths}}, {{unlistedCount}}, {{protectedPaths}}, {{fix}}, {{failures}}, {{testFiles}}, {{testOutput}}, {{review}} (the review that asked for changes: summary, comments), {{schema}}', [
				{
					displayName: 'Context Budget (Tokens)',
					name: 'contextTokens',
					type: 'number',
					default: 6000,
					typeOptions: { minValue: 256 },
					description:
						'How many tokens of existing project files the model sees whole (the most relevant first); other files are listed by path. Keeps prompts bounded as the project grows.',
				},
			]),
		],
	};

	methods = { loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiDeveloper.call(this);
	}
}
