import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

import { EVENT_TYPES, type WebhookBody, type WebhookSubscription } from '../contracts/webhooks';
import { InvalidInputError } from '../errors';

/**
 * Webhook subscriptions, one hash (`<prefix>webhooks`: webhookId → subscription JSON). A
 * subscription's id comes from its url, events and project, so posting the same one again finds
 * it (HSETNX: one wins however many post at once) instead of adding a second.
 */
export class WebhookSubscriptions {
	private readonly key: string;

	constructor(
		private readonly redis: Redis,
		keyPrefix: string,
	) {
		this.key = `${keyPrefix}webhooks`;
	}

	/** Stores the subscription unless the same one is there; `created` says which. */
	async create(body: WebhookBody, now = new Date()): Promise<{ subscription: WebhookSubscription; created: boolean }> {
		checkUrl(body.url);
		const events = EVENT_TYPES.filter((type) => body.events.includes(type));
		const identity = JSON.stringify([body.url, events, body.projectId ?? null]);
		const webhookId = `wh_${createHash('sha256').update(identity).digest('hex').slice(0, 24)}`;
		const subscription: WebhookSubscription = { webhookId, url: body.url, events, ...(body.projectId === undefined ? {} : { projectId: body.projectId }), createdAt: now.toISOString() };
		if (await this.redis.hsetnx(this.key, webhookId, JSON.stringify(subscription))) return { subscription, created: true };
		const existing = await this.get(webhookId);
		// Removed between the two commands: store it again rather than answer with nothing.
		return existing ? { subscription: existing, created: false } : this.create(body, now);
	}

	async get(webhookId: string): Promise<WebhookSubscription | null> {
		const json = await this.redis.hget(this.key, webhookId);
		return json === null ? null : (JSON.parse(json) as WebhookSubscription);
	}

	/** Every subscription, oldest first. */
	async list(): Promise<WebhookSubscription[]> {
		const all = Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as WebhookSubscription);
		return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.webhookId.localeCompare(b.webhookId));
	}

	/** false when there was no such subscription. */
	async remove(webhookId: string): Promise<boolean> {
		return (await this.redis.hdel(this.key, webhookId)) === 1;
	}
}

/** The schema checks the scheme; this, that the rest is a URL with a host. */
function checkUrl(url: string): void {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new InvalidInputError('url', `is not a URL: ${JSON.stringify(url)}`);
	}
	if (!parsed.hostname) throw new InvalidInputError('url', `has no host: ${JSON.stringify(url)}`);
}
