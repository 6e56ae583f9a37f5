import type { ProjectOutcome } from './outcome';
import { httpUrl } from './service';

/**
 * What a webhook subscription can ask for (the AI Company Trigger node's Events): each is POSTed
 * once per occurrence to every subscription that lists it.
 */
export const EVENT_TYPES = ['project.planned', 'project.awaiting_approval', 'project.completed', 'project.failed', 'project.cancelled', 'task.done', 'task.failed', 'task.reviewed'] as const;
export type WebhookEventType = (typeof EVENT_TYPES)[number];

/** POST /api/webhooks */
export interface WebhookBody {
	url: string;
	events: WebhookEventType[];
	/** Only this project's events; without it, every project's. */
	projectId?: string;
	/**
	 * Signs every delivery with it (HMAC-SHA256, see runtime/webhooks/signature.ts), so the receiver
	 * can tell the service's deliveries from anyone else's POST. Never shown again; posting the same
	 * subscription with another secret replaces it.
	 */
	secret?: string;
}

export const webhookBodySchema = {
	type: 'object',
	additionalProperties: false,
	required: ['url', 'events'],
	properties: {
		url: httpUrl,
		events: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...EVENT_TYPES] } },
		projectId: { type: 'string', minLength: 1, maxLength: 200 },
		secret: { type: 'string', minLength: 16, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
	},
} as const;

/** A stored subscription, as every /api/webhooks route answers it. */
export interface WebhookSubscription {
	webhookId: string;
	url: string;
	/** In EVENT_TYPES order. */
	events: WebhookEventType[];
	projectId?: string;
	/** Whether deliveries carry a signature (the subscription has a secret; the secret itself is never shown). */
	signed: boolean;
	createdAt: string;
}

/** As stored: the secret too. */
export interface StoredWebhookSubscription extends Omit<WebhookSubscription, 'signed'> {
	secret?: string;
}

/** What each delivery POSTs. */
export interface WebhookDelivery {
	event: WebhookEventType;
	projectId: string;
	/** For task.done and task.failed. */
	taskId?: string;
	/** When it happened (the event log's time), ISO 8601. */
	at: string;
	/** The project's outcome when the delivery was queued: status, reason, tasks, repository, usage. */
	project: ProjectOutcome;
}
