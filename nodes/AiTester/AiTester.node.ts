import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelProperty, projectIdProperty, serviceCredentials, taskIdProperty } from '../shared/descriptions/common';
import { executionProperties } from '../shared/descriptions/execution';
import { agentOptionsProperty } from '../shared/descriptions/generationOptions';
import { getModels } from '../shared/loadModels';
import { executeAiTester } from './executeAiTester';

export class AiTester implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Tester',
		name: 'aiTester',
		icon: { light: 'file:aiTester.svg', dark: 'file:aiTester.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] || "service default model" }}',
		description: "Writes a task's tests with a local model, runs them in the service's sandbox, and reports passed or failed",
		defaults: { name: 'AI Tester' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: serviceCredentials,
		properties: [
			projectIdProperty,
			taskIdProperty,
			modelProperty('writes tests'),
			...executionProperties('the test report'),
			agentOptionsProperty('tester', '{{task}}, {{planSummary}}, {{techStack}}, {{taskFiles}}, {{otherPaths}}, {{runner}}, {{schema}}', [
				{
					displayName: 'Max Test Output (KB)',
					name: 'maxOutputKb',
					type: 'number',
					default: 256,
					typeOptions: { minValue: 1 },
					description: 'Output kept from a test run (its start and end); the rest is cut',
				},
				{
					displayName: 'Regenerate Tests',
					name: 'regenerateTests',
					type: 'boolean',
					default: false,
					description:
						'Whether to write new tests even when the task has tests already (normally tests are written once and kept, so fixes are judged by the same tests)',
				},
				{
					displayName: 'Test Command',
					name: 'testCommand',
					type: 'string',
					default: '',
					placeholder: 'e.g. node --test test/',
					description: 'Runs instead of the runner chosen from the tech stack (node --test, pytest or unittest). Split on spaces; no shell.',
				},
				{
					displayName: 'Test Timeout (Seconds)',
					name: 'testTimeoutSeconds',
					type: 'number',
					default: 120,
					typeOptions: { minValue: 1 },
					description: 'A test run still going after this long is killed and reported as timeout',
				},
			]),
		],
	};

	methods = { loadOptions: { getModels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiTester.call(this);
	}
}
