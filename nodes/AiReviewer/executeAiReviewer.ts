import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { runServiceJob } from '../shared/runServiceJob';
import { stepBody, taskStepPath } from '../shared/stepRequest';

/**
 * One reviewer turn per input item, on the item's task: approve (the task is done) or request
 * changes (the attempt fails with the comments, for the developer's next attempt).
 */
export async function executeAiReviewer(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const body = stepBody(this, itemIndex, []);
		return runServiceJob(this, itemIndex, taskStepPath(this, itemIndex, 'review'), body);
	});
}
