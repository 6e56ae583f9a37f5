import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidInputError, type StepContext } from '../../runtime/index';
import type { ExecutionStore } from './executionStore';
import { createLlmClient, readLlmCallSettings, type LlmCallSettings } from './llmOptions';
import { getOllamaConnection } from './ollamaCredentials';

/** Project and task of a Task Splitter item (or any item carrying them), for the nodes that work on one task. */
export const taskTargetProperties: INodeProperties[] = [
	{
		displayName: 'Project ID',
		name: 'projectId',
		type: 'string',
		default: '={{ $json.projectId }}',
		required: true,
		description: 'The project in the Project State store; the plan must be stored there (Project State → Set Plan)',
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.task?.id ?? $json.taskId }}',
		required: true,
		description: 'The task to work on: a Task Splitter item\'s task ID by default',
	},
];

export function readTaskTarget(context: IExecuteFunctions, itemIndex: number): { projectId: string; taskId: string } {
	const text = (name: string) => {
		const value = context.getNodeParameter(name, itemIndex, '');
		if (typeof value === 'number') return String(value);
		if (typeof value !== 'string' || !value.trim()) throw new InvalidInputError(name, 'is empty: map it from the input item, e.g. {{ $json.' + name + ' }}');
		return value.trim();
	};
	return { projectId: text('projectId'), taskId: text('taskId') };
}

export interface AgentTurn {
	projectId: string;
	taskId: string;
	options: IDataObject;
	settings: LlmCallSettings;
	/** The store, the model client and the event source: what a pipeline step runs with. */
	step: StepContext;
}

/** What an agent node reads before it takes a turn on a stored task, the same for every role. */
export async function readAgentTurn(context: IExecuteFunctions, itemIndex: number, stores: ExecutionStore): Promise<AgentTurn> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const { projectId, taskId } = readTaskTarget(context, itemIndex);
	const settings = readLlmCallSettings(options);
	const llm = createLlmClient(context, await getOllamaConnection(context, itemIndex), settings);
	const store = await stores.get(itemIndex, options.keyPrefix);
	return { projectId, taskId, options, settings, step: { store, llm, source: stores.source } };
}
