import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_CONTEXT_TOKENS, runDeveloperStep, type DeveloperMode } from '../../runtime/index';
import { executePerItem } from '../shared/executePerItem';
import { readAgentTurn } from '../shared/taskFields';

/** One developer turn per input item; the files are stored on the task, and returned. */
export async function executeAiDeveloper(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex, stores) => {
		const { projectId, taskId, options, settings, step } = await readAgentTurn(this, itemIndex, stores);
		const { project, output, attempt } = await runDeveloperStep(step, projectId, taskId, {
			...settings,
			mode: this.getNodeParameter('mode', itemIndex, 'auto') as DeveloperMode,
			model: String(this.getNodeParameter('model', itemIndex, '')),
			contextTokens: typeof options.contextTokens === 'number' ? options.contextTokens : DEFAULT_CONTEXT_TOKENS,
			promptTemplate: typeof options.promptTemplate === 'string' ? options.promptTemplate : undefined,
		});
		const task = project.plan?.tasks.find((t) => t.id === taskId) ?? null;
		return { projectId, taskId, task, attempt, ...output } as unknown as IDataObject;
	});
}
