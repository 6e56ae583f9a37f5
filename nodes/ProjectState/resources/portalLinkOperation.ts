import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { serviceRequest } from '../../shared/transport/serviceRequest';

const show = { displayOptions: { show: { resource: ['project'], operation: ['portalLink'] } } };

/** Project → Create Portal Link: a signed link to the project's client portal, e.g. to email the client. */
export const portalLinkOperation = {
	fields: [
		{
			displayName: 'Expires In (Hours)',
			name: 'expiresInHours',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 2160 },
			default: 168,
			description: 'How long the link works (1 to 2160 hours); revoking the project\'s links (DELETE on the same route) ends it sooner',
			...show,
		},
	] satisfies INodeProperties[],

	execute(context: IExecuteFunctions, itemIndex: number, path: string): Promise<IDataObject> {
		const expiresInHours = context.getNodeParameter('expiresInHours', itemIndex, 168) as number;
		return serviceRequest(context, { method: 'POST', path, body: { expiresInHours }, itemIndex });
	},
};
