import type { Redis } from 'ioredis';

import type { ProjectRun, RunMode, RunSettings } from '../contracts/service';
import { StoreKeys } from './keys';
import { MOVE_CURSOR } from './luaScripts';
import { runScript } from './runScript';

const WEBHOOK_CURSOR = 'webhooks:after';
const PORTAL_GENERATION = 'portal:generation';

/**
 * How the service runs each project, kept beside it in a hash (`<prefix>project:<id>:run`, removed
 * with the project): `mode`, the retry `round` that job ids carry, and the intake's `settings`
 * (JSON). Kept out of the project so the project's public shape stays what the nodes show. Every
 * change is one atomic Redis command, so concurrent API calls and workers never lose one.
 */
export class ProjectRuns {
	constructor(
		private readonly redis: Redis,
		private readonly keys: StoreKeys,
	) {}

	/** Records how the project runs; a repeated intake keeps what the first one recorded. */
	async init(projectId: string, mode: RunMode, settings: RunSettings): Promise<ProjectRun> {
		const key = this.keys.run(projectId);
		await this.redis.multi().hsetnx(key, 'mode', mode).hsetnx(key, 'round', '0').hsetnx(key, 'settings', JSON.stringify(settings)).exec();
		return this.get(projectId);
	}

	/** The record; a project made elsewhere (e.g. by a Project State node) runs in steps mode with no settings. */
	async get(projectId: string): Promise<ProjectRun> {
		const fields = await this.redis.hgetall(this.keys.run(projectId));
		return {
			mode: fields.mode === 'auto' ? 'auto' : 'steps',
			round: Number(fields.round ?? 0),
			settings: fields.settings ? (JSON.parse(fields.settings) as RunSettings) : {},
		};
	}

	/** A retry after a failure: new job ids for the work done again. Returns the new round. */
	async nextRound(projectId: string, mode: RunMode): Promise<number> {
		const key = this.keys.run(projectId);
		const [[, round]] = (await this.redis.multi().hincrby(key, 'round', 1).hset(key, 'mode', mode).exec()) as [[null, number], unknown];
		return round;
	}

	/** The last event of the project's log that webhooks were sent out for (undefined: none yet). */
	async webhookCursor(projectId: string): Promise<string | undefined> {
		return (await this.redis.hget(this.keys.run(projectId), WEBHOOK_CURSOR)) ?? undefined;
	}

	/** Moves the webhook cursor forward to `eventId`; a slower concurrent caller never moves it back. */
	async moveWebhookCursor(projectId: string, eventId: string): Promise<void> {
		await runScript(this.redis, MOVE_CURSOR, [this.keys.run(projectId)], [WEBHOOK_CURSOR, eventId]);
	}

	/** The generation of the project's portal links: a link carries the one it was made in and works only while it is current. */
	async portalGeneration(projectId: string): Promise<number> {
		return Number((await this.redis.hget(this.keys.run(projectId), PORTAL_GENERATION)) ?? 0);
	}

	/** Revokes every portal link of the project made so far (the generation moves on); returns the new generation. */
	async revokePortalLinks(projectId: string): Promise<number> {
		return this.redis.hincrby(this.keys.run(projectId), PORTAL_GENERATION, 1);
	}

	/** True exactly once per project, round and status: the end of a run is announced once. */
	async claimNotification(projectId: string, round: number, status: string): Promise<boolean> {
		return (await this.redis.hsetnx(this.keys.run(projectId), `notified:${round}:${status}`, new Date().toISOString())) === 1;
	}
}
