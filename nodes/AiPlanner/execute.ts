import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_MAX_REQUIREMENTS_LENGTH, DEFAULT_MAX_TASKS, planProject, validatePlannerInput } from '../../runtime/index';
import { createLlmClient, readLlmCallSettings } from '../shared/llmOptions';
import { getOllamaConnection } from '../shared/ollamaCredentials';
import { executePerItem } from '../shared/executePerItem';

/** One plan per input item; the item's client fields are carried to the output. */
export async function executeAiPlanner(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	return executePerItem(this, async (itemIndex) => {
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const input = validatePlannerInput(
			{
				requirements: this.getNodeParameter('requirements', itemIndex, undefined),
				title: this.getNodeParameter('title', itemIndex, ''),
				projectId: this.getNodeParameter('projectId', itemIndex, ''),
				client: items[itemIndex].json.client,
			},
			typeof options.maxRequirementsLength === 'number' ? options.maxRequirementsLength : DEFAULT_MAX_REQUIREMENTS_LENGTH,
		);
		const settings = readLlmCallSettings(options);
		const llm = createLlmClient(this, await getOllamaConnection(this, itemIndex), settings);
		const result = await planProject(input, llm, {
			...settings,
			model: String(this.getNodeParameter('model', itemIndex, '')),
			maxTasks: typeof options.maxTasks === 'number' ? options.maxTasks : DEFAULT_MAX_TASKS,
			promptTemplate: typeof options.promptTemplate === 'string' ? options.promptTemplate : undefined,
		});
		return { ...result, client: input.client } as unknown as IDataObject;
	});
}
