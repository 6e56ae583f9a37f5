import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ApprovalBody } from '../../../runtime/contracts/approval';
import { readText } from '../../shared/parameters';
import { serviceRequest } from '../../shared/transport/serviceRequest';

const show = { displayOptions: { show: { resource: ['project'], operation: ['decideApproval'] } } };

/** Project → Decide Plan Approval: the client's (or the operator's) decision on a plan awaiting approval. */
export const approvalOperation = {
	fields: [
		{
			displayName: 'Decision',
			name: 'decision',
			type: 'options',
			options: [
				{ name: 'Approve', value: 'approve', description: 'Development starts' },
				{ name: 'Request Changes', value: 'request_changes', description: 'The planner plans again with the comment, then the plan waits for approval again' },
			],
			default: 'approve',
			description: 'Approve the plan (development starts), or send it back to the planner with a comment. The project must be awaiting approval.',
			...show,
		},
		{
			displayName: 'Comment',
			name: 'comment',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			description: 'What the plan should change (needed to request changes; at most 4,000 characters). Kept in the event log.',
			...show,
		},
	] satisfies INodeProperties[],

	execute(context: IExecuteFunctions, itemIndex: number, path: string): Promise<IDataObject> {
		const body: ApprovalBody = { decision: context.getNodeParameter('decision', itemIndex) as ApprovalBody['decision'] };
		const comment = readText(context, 'comment', 'Comment', itemIndex);
		if (comment) body.comment = comment;
		return serviceRequest(context, { method: 'POST', path, body: { ...body }, itemIndex });
	},
};
