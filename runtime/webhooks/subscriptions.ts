import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

import { EVENT_TYPES, type StoredWebhookSubscription, type WebhookBody, type WebhookSubscription } from '../contracts/webhooks';
import { checkOutboundUrl, type OutboundAllow } from '../net/outboundPolicy';

/**
 * Webhook subscriptions, one hash (`<prefix>webhooks`: webhookId → subscription JSON, its secret
 * included). A subscription's id comes from its url, events and project, so posting the same one
 * again finds it (HSETNX: one wins however many post at once) instead of adding a second; posted
 * again with another secret (a trigger activated anew), it keeps its id and takes the new secret.
 * What the routes answer never holds the secret.
 */
export class WebhookSubscriptions {
	private readonly key: string;

	constructor(
		private readonly redis: Redis,
		keyPrefix: string,
		/** OUTBOUND_ALLOW: a url aimed at a refused address is refused when subscribed. */
		private readonly outboundAllow?: OutboundAllow,
	) {
		this.key = `${keyPrefix}webhooks`;
	}

	/** Stores the subscription unless the same one is there; `created` says which. */
	async create(body: WebhookBody, now = new Date()): Promise<{ subscription: WebhookSubscription; created: boolean }> {
		checkOutboundUrl(body.url, 'url', this.outboundAllow);
		const events = EVENT_TYPES.filter((type) => body.events.includes(type));
		const identity = JSON.stringify([body.url, events, body.projectId ?? null]);
		const webhookId = `wh_${createHash('sha256').update(identity).digest('hex').slice(0, 24)}`;
		const stored: StoredWebhookSubscription = {
			webhookId,
			url: body.url,
			events,
			...(body.projectId === undefined ? {} : { projectId: body.projectId }),
			...(body.secret === undefined ? {} : { secret: body.secret }),
			createdAt: now.toISOString(),
		};
		if (await this.redis.hsetnx(this.key, webhookId, JSON.stringify(stored))) return { subscription: publicView(stored), created: true };
		const existing = await this.stored(webhookId);
		// Removed between the two commands: store it again rather than answer with nothing.
		if (!existing) return this.create(body, now);
		if (body.secret !== undefined && body.secret !== existing.secret) {
			const renewed = { ...existing, secret: body.secret };
			await this.redis.hset(this.key, webhookId, JSON.stringify(renewed));
			return { subscription: publicView(renewed), created: false };
		}
		return { subscription: publicView(existing), created: false };
	}

	async get(webhookId: string): Promise<WebhookSubscription | null> {
		const stored = await this.stored(webhookId);
		return stored && publicView(stored);
	}

	/** The subscription with its secret: for signing deliveries only. */
	async stored(webhookId: string): Promise<StoredWebhookSubscription | null> {
		const json = await this.redis.hget(this.key, webhookId);
		return json === null ? null : (JSON.parse(json) as StoredWebhookSubscription);
	}

	/** Every subscription, oldest first. */
	async list(): Promise<WebhookSubscription[]> {
		const all = Object.values(await this.redis.hgetall(this.key)).map((json) => publicView(JSON.parse(json) as StoredWebhookSubscription));
		return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.webhookId.localeCompare(b.webhookId));
	}

	/** false when there was no such subscription. */
	async remove(webhookId: string): Promise<boolean> {
		return (await this.redis.hdel(this.key, webhookId)) === 1;
	}
}

function publicView(stored: StoredWebhookSubscription): WebhookSubscription {
	const { secret, ...shown } = stored;
	return { ...shown, signed: typeof secret === 'string' };
}
