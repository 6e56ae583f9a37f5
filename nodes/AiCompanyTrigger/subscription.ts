import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import { serviceRequest } from '../shared/transport/serviceRequest';

interface Subscription extends IDataObject {
	webhookId: string;
	url: string;
}

/**
 * The trigger's subscription at the service (POST/GET/DELETE /api/webhooks), following n8n's
 * webhook lifecycle: its id is kept in the node's static data from activation to deactivation.
 */
export function subscription(context: IHookFunctions) {
	const staticData = context.getWorkflowStaticData('node');
	const path = () => `/api/webhooks/${encodeURIComponent(String(staticData.webhookId))}`;
	return {
		async exists(): Promise<boolean> {
			if (typeof staticData.webhookId !== 'string') return false;
			const found = await serviceRequest<Subscription>(context, { method: 'GET', path: path(), notFoundAsUndefined: true });
			return found?.url === context.getNodeWebhookUrl('default');
		},
		async create(): Promise<void> {
			const body: IDataObject = { url: context.getNodeWebhookUrl('default'), events: context.getNodeParameter('events') as string[] };
			const projectId = String(context.getNodeParameter('projectId', '') ?? '').trim();
			if (projectId) body.projectId = projectId;
			const created = await serviceRequest<Subscription>(context, { method: 'POST', path: '/api/webhooks', body });
			staticData.webhookId = created.webhookId;
		},
		async remove(): Promise<boolean> {
			if (typeof staticData.webhookId !== 'string') return true;
			// Already gone at the service (deleted there, or its Redis emptied) counts as removed.
			await serviceRequest(context, { method: 'DELETE', path: path(), notFoundAsUndefined: true });
			delete staticData.webhookId;
			return true;
		},
	};
}
