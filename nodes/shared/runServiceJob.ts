import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { QueuedJob } from '../../runtime/contracts/service';
import { readText } from './parameters';
import { serviceRequest } from './transport/serviceRequest';
import { waitForJob } from './transport/waitForJob';

/**
 * Queues one step job at the service (`POST path`) and, by the node's Execution parameter, either
 * waits for its result or outputs `{ jobId, projectId, taskId }` at once (the service then POSTs the
 * result to the Callback URL).
 */
export async function runServiceJob(context: IExecuteFunctions, itemIndex: number, path: string, body: IDataObject): Promise<IDataObject> {
	const execution = context.getNodeParameter('execution', itemIndex, 'wait') as string;
	const callbackUrl = execution === 'queue' ? readText(context, 'callbackUrl', 'Callback URL', itemIndex) : undefined;
	const queued = await serviceRequest<QueuedJob>(context, {
		method: 'POST',
		path,
		body: callbackUrl ? { ...body, callbackUrl } : body,
		itemIndex,
	});
	if (execution === 'queue') {
		return { jobId: queued.jobId, projectId: queued.projectId, ...(queued.taskId ? { taskId: queued.taskId } : {}) };
	}
	const timeoutSeconds = context.getNodeParameter('waitTimeoutSeconds', itemIndex, 3600) as number;
	return waitForJob(context, queued.jobId, timeoutSeconds, itemIndex);
}
