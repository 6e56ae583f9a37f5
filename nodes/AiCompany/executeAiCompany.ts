import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { RUN_ENDED_STATUSES } from '../../runtime/contracts/outcome';
import { executePerItem } from '../shared/executePerItem';
import { intakeBody } from '../shared/intake';
import { longPoll } from '../shared/transport/longPoll';
import { serviceRequest } from '../shared/transport/serviceRequest';
import { projectOutcome, type ProjectView } from './projectOutcome';

/** The statuses a run ends in: the contracts' RUN_ENDED_STATUSES, which the compiler holds this copy to (a value the compiled node cannot import). */
export const ENDED_STATUSES: typeof RUN_ENDED_STATUSES = ['completed', 'failed', 'cancelled'];
const ENDED = new Set<string>(ENDED_STATUSES);

/** One whole project per input item, run by the service; waits for its end unless told not to. */
export async function executeAiCompany(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return executePerItem(this, async (itemIndex) => {
		const intake = await serviceRequest<IDataObject & { projectId: string }>(this, {
			method: 'POST',
			path: '/api/projects',
			body: intakeBody(this, itemIndex, true),
			itemIndex,
		});
		if (this.getNodeParameter('execution', itemIndex, 'wait') === 'queue') return intake;
		const project = await longPoll<ProjectView>(this, {
			path: `/api/projects/${encodeURIComponent(intake.projectId)}`,
			timeoutSeconds: this.getNodeParameter('waitTimeoutSeconds', itemIndex, 7200) as number,
			itemIndex,
			isDone: (p) => ENDED.has(p.status),
			waitingFor: `Project "${intake.projectId}"`,
			stillGoing: (p) => `it is ${p.status}`,
			timeoutHint: 'Raise Wait Timeout, or use Execution: Queue Only with an End Callback URL.',
		});
		return projectOutcome(project);
	});
}
