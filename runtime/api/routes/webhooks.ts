import type { FastifyInstance } from 'fastify';

import { webhookBodySchema, type WebhookBody } from '../../contracts/webhooks';
import type { Services } from '../../service/services';
import { ProjectNotFoundError } from '../../state/errors';

const webhookParams = { type: 'object', required: ['webhookId'], properties: { webhookId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;

class WebhookNotFoundError extends ProjectNotFoundError {
	constructor(webhookId: string) {
		super(webhookId);
		this.message = `Webhook subscription "${webhookId}" not found (never made, or removed)`;
	}
}

/** Webhook subscriptions: the AI Company Trigger node adds its URL when its workflow is activated and removes it when deactivated. */
export function webhookRoutes(app: FastifyInstance, services: Services): void {
	const { webhooks, store } = services;

	app.post<{ Body: WebhookBody }>(
		'/api/webhooks',
		{ schema: { summary: 'Subscribe a URL to project events (the same url, events and project again: the subscription already there, 200)', tags: ['webhooks'], body: webhookBodySchema } },
		async (request, reply) => {
			// A project's subscription for a project that is not there would never fire.
			if (request.body.projectId !== undefined) await store.get(request.body.projectId);
			const { subscription, created } = await webhooks.create(request.body);
			reply.code(created ? 201 : 200);
			return subscription;
		},
	);

	app.get('/api/webhooks', { schema: { summary: 'Every webhook subscription, oldest first', tags: ['webhooks'] } }, async () => ({ webhooks: await webhooks.list() }));

	app.get<{ Params: { webhookId: string } }>(
		'/api/webhooks/:webhookId',
		{ schema: { summary: 'One webhook subscription', tags: ['webhooks'], params: webhookParams } },
		async (request) => {
			const subscription = await webhooks.get(request.params.webhookId);
			if (!subscription) throw new WebhookNotFoundError(request.params.webhookId);
			return subscription;
		},
	);

	app.delete<{ Params: { webhookId: string } }>(
		'/api/webhooks/:webhookId',
		{ schema: { summary: 'Remove a webhook subscription; deliveries not sent yet are dropped', tags: ['webhooks'], params: webhookParams } },
		async (request) => {
			if (!(await webhooks.remove(request.params.webhookId))) throw new WebhookNotFoundError(request.params.webhookId);
			return { webhookId: request.params.webhookId, deleted: true };
		},
	);
}
