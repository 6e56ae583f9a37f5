import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../shared/executePerItem';
import { runServiceJob } from '../shared/runServiceJob';
import { stepBody, taskStepPath } from '../shared/stepRequest';

/**
 * One reviewer turn per input item, on the item's task: approve (the task is done) or request
 * changes (the attempt fails with the comments, for the developer's next attempt). The output is the
 * job's result without the review's `reviewedFiles` (see withoutReviewedFiles).
 */
export async function executeAiReviewer(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const body = stepBody(this, itemIndex, []);
		return withoutReviewedFiles(await runServiceJob(this, itemIndex, taskStepPath(this, itemIndex, 'review'), body));
	});
}

/**
 * A rejection's stored review keeps the task's files as it read them (`reviewedFiles`, up to 64,000
 * characters), for the service's next round to diff against. Nothing downstream of the node needs
 * them (the next round reads them from the project, and Get still shows them), and they would be
 * copied into every item and every saved execution, so the node leaves them out.
 */
function withoutReviewedFiles(result: IDataObject): IDataObject {
	const review = result.review as IDataObject | undefined;
	if (!review || typeof review !== 'object' || !('reviewedFiles' in review)) return result;
	const shown = { ...review };
	delete shown.reviewedFiles;
	return { ...result, review: shown };
}
