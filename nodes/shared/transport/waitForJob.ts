import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { JobView } from '../../../runtime/contracts/service';
import { longPoll } from './longPoll';

/** A job as GET /api/jobs/:id reports it: the service's own type, its result as n8n data. */
type JobAnswer = Omit<JobView, 'result'> & IDataObject & { result?: IDataObject };

/** The job's result once it has finished; its failure as the service's error. `timeoutSeconds` 0: no limit. */
export async function waitForJob(context: IExecuteFunctions, jobId: string, timeoutSeconds: number, itemIndex: number): Promise<IDataObject> {
	const view = await longPoll<JobAnswer>(context, {
		path: `/api/jobs/${encodeURIComponent(jobId)}`,
		timeoutSeconds,
		itemIndex,
		isDone: (job) => job.state === 'completed' || job.state === 'failed',
		waitingFor: `Job "${jobId}"`,
		stillGoing: (job) => `it is ${job.state}`,
		timeoutHint: 'Raise Wait Timeout, or use Execution: Queue Only with a Callback URL so that n8n does not wait.',
	});
	if (view.state === 'completed') return view.result ?? {};
	const error = view.error ?? { kind: 'unknown', message: 'the job failed without a reason' };
	throw new NodeApiError(context.getNode(), { ...error, jobId: view.jobId }, {
		message: error.message,
		description: [`Job ${view.jobId} (${view.name}) failed: ${error.kind}`, error.field ? `Field: ${error.field}` : ''].filter(Boolean).join('. '),
		itemIndex,
	});
}
