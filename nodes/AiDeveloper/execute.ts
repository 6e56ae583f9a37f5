import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_CONTEXT_TOKENS, runDeveloperStep, type DeveloperMode } from '../../runtime';
import { ExecutionStore } from '../shared/executionStore';
import { createLlmClient, readLlmCallSettings } from '../shared/llmOptions';
import { getOllamaConnection } from '../shared/ollamaCredentials';
import { readTaskTarget } from '../shared/taskFields';
import { toNodeError } from '../shared/toNodeError';

/** One developer turn per input item; the files are stored on the task, and returned. */
export async function executeAiDeveloper(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const stores = new ExecutionStore(this);
	const output: INodeExecutionData[] = [];
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
				const { projectId, taskId } = readTaskTarget(this, itemIndex);
				const settings = readLlmCallSettings(options);
				const llm = createLlmClient(this, await getOllamaConnection(this, itemIndex), settings);
				const store = await stores.get(itemIndex, options.keyPrefix);
				const { project, output: work, attempt } = await runDeveloperStep({ store, llm, source: stores.source }, projectId, taskId, {
					...settings,
					mode: this.getNodeParameter('mode', itemIndex, 'auto') as DeveloperMode,
					model: String(this.getNodeParameter('model', itemIndex, '')),
					contextTokens: typeof options.contextTokens === 'number' ? options.contextTokens : DEFAULT_CONTEXT_TOKENS,
					promptTemplate: typeof options.promptTemplate === 'string' ? options.promptTemplate : undefined,
				});
				output.push({
					json: {
						projectId,
						taskId,
						task: project.plan?.tasks.find((t) => t.id === taskId) ?? null,
						attempt,
						...work,
					} as unknown as IDataObject,
					pairedItem: { item: itemIndex },
				});
			} catch (error) {
				const nodeError = toNodeError(this.getNode(), error, itemIndex);
				if (!this.continueOnFail()) throw nodeError;
				output.push({ json: { error: nodeError.message, description: nodeError.description ?? null }, pairedItem: { item: itemIndex } });
			}
		}
	} finally {
		await stores.close();
	}
	return [output];
}
