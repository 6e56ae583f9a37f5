import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { keyPrefixOption } from '../shared/executionStore';
import { agentOptionsProperty } from '../shared/llmOptions';
import { getModels } from '../shared/loadModels';
import { modelProperty } from '../shared/modelProperty';
import {
	OLLAMA_CREDENTIAL_TEST,
	ollamaAuthenticationProperty,
	testOllamaCredential,
} from '../shared/ollamaCredentials';
import { agentCredentialDescriptions } from '../shared/agentCredentials';
import { taskTargetProperties } from '../shared/taskFields';
import { executeAiTester } from './execute';

export class AiTester implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Tester',
		name: 'aiTester',
		icon: 'file:aiTester.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"] }}',
		description: 'Writes tests for a task with a local Ollama model, runs them in a sandbox, and reports',
		defaults: { name: 'AI Tester' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: agentCredentialDescriptions,
		properties: [
			ollamaAuthenticationProperty,
			modelProperty('writes tests'),
			...taskTargetProperties,
			agentOptionsProperty('tester', '{{task}}, {{planSummary}}, {{techStack}}, {{taskFiles}}, {{otherPaths}}, {{runner}}, {{schema}}', [
				keyPrefixOption,
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
					description: 'Whether to write new tests even when the task has tests already (normally tests are written once and kept, so fixes are judged by the same tests)',
				},
				{
					displayName: 'Sandbox',
					name: 'sandbox',
					type: 'options',
					options: [
						{ name: 'Auto', value: 'auto', description: 'Bubblewrap when installed, otherwise a plain process' },
						{ name: 'Bubblewrap', value: 'bubblewrap', description: 'No network, no writes outside the workspace; fails when bwrap is missing' },
						{ name: 'Process', value: 'process', description: 'Node tests only, under Node\'s permission model, as their own user when n8n runs as root' },
						{ name: 'Process (Unconfined)', value: 'process-unconfined', description: 'Also Python and custom commands without bubblewrap: not confined beyond a scrubbed environment and the timeout' },
					],
					default: 'auto',
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

	methods = {
		loadOptions: { getModels },
		credentialTest: { [OLLAMA_CREDENTIAL_TEST]: testOllamaCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiTester.call(this);
	}
}
