import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { runServiceJob } from '../shared/runServiceJob';
import { stepBody, taskStepPath } from '../shared/stepRequest';

/** One developer turn per input item, on the item's task. */
export async function executeAiDeveloper(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const body = stepBody(this, itemIndex, ['contextTokens']);
		body.mode = this.getNodeParameter('mode', itemIndex, 'auto') as string;
		return runServiceJob(this, itemIndex, taskStepPath(this, itemIndex, 'develop'), body);
	});
}
