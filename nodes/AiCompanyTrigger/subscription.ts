import { randomBytes } from 'crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';

import type { WebhookSubscription } from '../../runtime/contracts/webhooks';
import { serviceRequest } from '../shared/transport/serviceRequest';

/**
 * The trigger's subscription at the service (POST/GET/DELETE /api/webhooks), following n8n's
 * webhook lifecycle: its id and the secret that signs its deliveries are kept in the node's static
 * data from activation to deactivation. A subscription made without a secret (by an earlier
 * version) counts as missing, so activation registers it again with one.
 */
export function subscription(context: IHookFunctions) {
	const staticData = context.getWorkflowStaticData('node');
	const path = () => `/api/webhooks/${encodeURIComponent(String(staticData.webhookId))}`;
	return {
		async exists(): Promise<boolean> {
			if (typeof staticData.webhookId !== 'string' || typeof staticData.webhookSecret !== 'string') return false;
			const found = await serviceRequest<WebhookSubscription>(context, { method: 'GET', path: path(), notFoundAsUndefined: true });
			return found?.url === context.getNodeWebhookUrl('default') && found?.signed === true;
		},
		async create(): Promise<void> {
			const secret = randomBytes(32).toString('hex');
			const body: IDataObject = { url: context.getNodeWebhookUrl('default'), events: context.getNodeParameter('events') as string[], secret };
			const projectId = String(context.getNodeParameter('projectId', '') ?? '').trim();
			if (projectId) body.projectId = projectId;
			const created = await serviceRequest<WebhookSubscription>(context, { method: 'POST', path: '/api/webhooks', body });
			staticData.webhookId = created.webhookId;
			staticData.webhookSecret = secret;
		},
		async remove(): Promise<boolean> {
			if (typeof staticData.webhookId !== 'string') return true;
			// Already gone at the service (deleted there, or its Redis emptied) counts as removed.
			await serviceRequest(context, { method: 'DELETE', path: path(), notFoundAsUndefined: true });
			delete staticData.webhookId;
			delete staticData.webhookSecret;
			return true;
		},
	};
}
