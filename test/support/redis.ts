import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { StoreKeys } from '../../runtime/state/keys';

/**
 * Integration tests share one real Redis with other suites and people: each test file works under
 * its own random key prefix in its own database, and removes only its own keys afterwards.
 * Set REDIS_URL to use another server; otherwise 127.0.0.1:6379, database 11.
 */
export const TEST_REDIS_DB = 11;

export function testRedisOptions(): RedisOptions {
	const url = process.env.REDIS_URL;
	if (url) {
		const parsed = new URL(url);
		const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : TEST_REDIS_DB;
		return {
			host: parsed.hostname,
			port: parsed.port ? Number(parsed.port) : 6379,
			username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
			password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
			db,
			...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
		};
	}
	return { host: '127.0.0.1', port: 6379, db: TEST_REDIS_DB };
}

/**
 * n8n's built-in `redis` credential (Host, Port, User, Password, Database Number, SSL, Disable TLS
 * Verification) for the Redis these options reach.
 */
export function redisCredentialFor(options: RedisOptions): ICredentialDataDecryptedObject {
	return {
		host: options.host ?? '127.0.0.1',
		port: options.port ?? 6379,
		user: options.username ?? '',
		password: options.password ?? '',
		database: options.db ?? 0,
		ssl: options.tls !== undefined,
		disableTlsVerification: false,
	};
}

/**
 * n8n's `redis` credential for the test database, so a node run through n8n's interfaces connects
 * where the store tests look; `overrides` replace fields (e.g. a port nothing listens on).
 */
export function redisCredential(overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return { ...redisCredentialFor(testRedisOptions()), ...overrides };
}

/** A fresh client to the test database; the caller closes it (or hands it to a TestRedis). */
export function testRedisClient(): Redis {
	return new Redis({ ...testRedisOptions(), maxRetriesPerRequest: 3 });
}

export function uniquePrefix(label: string): string {
	return `aictest:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Keys under the prefix, found with SCAN (fine in a test; the store itself never scans). */
export async function keysWithPrefix(redis: Redis, prefix: string): Promise<string[]> {
	const keys: string[] = [];
	let cursor = '0';
	do {
		const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
		keys.push(...batch);
		cursor = next;
	} while (cursor !== '0');
	return keys.sort();
}

/** Every key under the prefix with its full content, to prove a refused call changed nothing. */
export async function snapshotPrefix(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
	const snapshot: Record<string, unknown> = {};
	for (const key of await keysWithPrefix(redis, prefix)) {
		const type = await redis.type(key);
		if (type === 'hash') snapshot[key] = await redis.hgetall(key);
		else if (type === 'string') snapshot[key] = await redis.get(key);
		else if (type === 'zset') snapshot[key] = await redis.zrange(key, '0', '-1', 'WITHSCORES');
		else if (type === 'stream') snapshot[key] = await redis.xrange(key, '-', '+');
		else snapshot[key] = type;
	}
	return snapshot;
}

/**
 * One test file's Redis: a unique prefix, and every client opened through it closed, and every
 * key under the prefix deleted, by `cleanup()`.
 */
export class TestRedis {
	readonly prefix: string;
	private readonly clients: Redis[] = [];
	private inspectorClient?: Redis;

	constructor(label: string) {
		this.prefix = uniquePrefix(label);
	}

	client(): Redis {
		const redis = testRedisClient();
		this.clients.push(redis);
		return redis;
	}

	/** One shared client for looking at keys directly, beside what the code under test does. */
	get inspector(): Redis {
		this.inspectorClient ??= this.client();
		return this.inspectorClient;
	}

	/** Every key under the prefix (default: the file's) with its content. */
	snapshot(prefix = this.prefix): Promise<Record<string, unknown>> {
		return snapshotPrefix(this.inspector, prefix);
	}

	/** Closes every client opened so far (as a restart would) without removing data. */
	async closeClients(): Promise<void> {
		const open = this.clients.splice(0);
		this.inspectorClient = undefined;
		await Promise.all(open.map((c) => c.quit().catch(() => c.disconnect())));
	}

	async cleanup(): Promise<void> {
		await this.closeClients();
		const redis = testRedisClient();
		try {
			const keys = await keysWithPrefix(redis, this.prefix);
			for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
		} finally {
			await redis.quit();
		}
	}
}

/** A client to the Redis these options reach, for one use, closed afterwards. */
export async function withRedisClient<T>(options: RedisOptions, use: (redis: Redis) => Promise<T>): Promise<T> {
	const redis = new Redis({ ...options, maxRetriesPerRequest: 3 });
	try {
		return await use(redis);
	} finally {
		await redis.quit().catch(() => redis.disconnect());
	}
}

/**
 * Removes one stored project under a prefix the test does not own (e.g. the default `aic:` of a
 * shipped template, in a database of its own) and nothing else: first lists what belongs to it
 * (its hash, its event log, its idempotency key when that still names it, and the index sets that
 * hold its id), then deletes those keys and takes its id out of those sets. Returns the list.
 */
export async function removeProject(redis: Redis, prefix: string, id: string): Promise<{ keys: string[]; indexes: string[] }> {
	const keys = new StoreKeys(prefix);
	const data = await redis.hget(keys.project(id), 'data');
	const idempotencyKey = data ? (JSON.parse(data) as { idempotencyKey?: string }).idempotencyKey : undefined;
	const own = [keys.project(id), keys.events(id)];
	if (idempotencyKey && (await redis.get(keys.idempotency(idempotencyKey))) === id) own.push(keys.idempotency(idempotencyKey));
	const existing: string[] = [];
	for (const key of own) if (await redis.exists(key)) existing.push(key);
	const indexes: string[] = [];
	for (const index of keys.everyIndex) if ((await redis.zscore(index, id)) !== null) indexes.push(index);
	if (existing.length > 0) await redis.del(...existing);
	for (const index of indexes) await redis.zrem(index, id);
	return { keys: existing, indexes };
}

/** Deletes every key under `prefix` (one a test made its own, e.g. a service's KEY_PREFIX) and nothing else. */
export async function deleteKeysWithPrefix(prefix: string, options: RedisOptions = testRedisOptions()): Promise<void> {
	await withRedisClient(options, async (redis) => {
		const keys = await keysWithPrefix(redis, prefix);
		for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
	});
}
