import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DEFAULT_CONTEXT_TOKENS } from '../../runtime/index';
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
import { executeAiDeveloper } from './execute';

export class AiDeveloper implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AI Developer',
		name: 'aiDeveloper',
		icon: 'file:aiDeveloper.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "fix" ? "Fix" : $parameter["mode"] === "write" ? "Write" : "Write or fix" }}: {{ $parameter["model"] }}',
		description: 'Writes the code of a task, or fixes it from a failing test report, with a local Ollama model',
		defaults: { name: 'AI Developer' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: agentCredentialDescriptions,
		properties: [
			ollamaAuthenticationProperty,
			modelProperty('writes code'),
			...taskTargetProperties,
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{
						name: 'Write or Fix',
						value: 'auto',
						description: 'Fix when the task\'s last test run failed, write otherwise: wire the fix loop back here',
					},
					{ name: 'Write', value: 'write', description: 'Write the task\'s code from its description' },
					{ name: 'Fix', value: 'fix', description: 'Fix the code from the task\'s failing test report' },
				],
				default: 'auto',
			},
			agentOptionsProperty('developer', '{{task}}, {{planSummary}}, {{techStack}}, {{contextFiles}}, {{listedPaths}}, {{fix}}, {{failures}}, {{testFiles}}, {{testOutput}}, {{schema}}', [
				{
					displayName: 'Context Budget (Tokens)',
					name: 'contextTokens',
					type: 'number',
					default: DEFAULT_CONTEXT_TOKENS,
					typeOptions: { minValue: 0 },
					description:
						'How many tokens of existing project files the model sees whole (the most relevant first); other files are listed by path. Keeps prompts bounded as the project grows.',
				},
				keyPrefixOption,
			]),
		],
	};

	methods = {
		loadOptions: { getModels },
		credentialTest: { [OLLAMA_CREDENTIAL_TEST]: testOllamaCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeAiDeveloper.call(this);
	}
}
