import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Redis } from 'ioredis';

import { DEFAULT_KEY_PREFIX, ProjectStore, StoreKeys } from '../../runtime/index';
import { closeRedis, openRedis } from './redisConnection';

export const keyPrefixOption: INodeProperties = {
	displayName: 'Key Prefix',
	name: 'keyPrefix',
	type: 'string',
	default: DEFAULT_KEY_PREFIX,
	description:
		'Starts every Redis key of the store, so several installations can share one Redis database. Use the same prefix everywhere: projects under another prefix are not found.',
};

/**
 * The project store for one node execution: one Redis connection, opened at the first item that
 * needs it and closed when the execution ends, whatever happened. Events record `source`, e.g.
 * "n8n:AI Developer", so the log says which step made a change.
 */
export class ExecutionStore {
	private opening?: Promise<Redis>;
	readonly source: string;

	constructor(private readonly context: IExecuteFunctions) {
		this.source = `n8n:${context.getNode().name}`.slice(0, 200);
	}

	/** The store under the prefix given (Options → Key Prefix); a bad prefix is refused before connecting. */
	async get(itemIndex: number, keyPrefix?: unknown): Promise<ProjectStore> {
		const prefix = keyPrefix === undefined || keyPrefix === '' ? DEFAULT_KEY_PREFIX : (keyPrefix as string);
		new StoreKeys(prefix);
		this.opening ??= this.context.getCredentials('redis', itemIndex).then(openRedis);
		return new ProjectStore(await this.opening, { prefix, source: this.source });
	}

	async close(): Promise<void> {
		const redis = await this.opening?.catch(() => undefined);
		if (redis) await closeRedis(redis);
	}
}
