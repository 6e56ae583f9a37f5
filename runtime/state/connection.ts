import { Redis, type RedisOptions } from 'ioredis';
import { InvalidInputError } from '../errors';
import { RedisUnavailableError } from './errors';

/**
 * Opens a Redis connection and waits until it is ready, so a wrong address fails here with
 * "Cannot reach Redis at host:port" instead of as a hang or a vague error in the first command.
 *
 * Defaults: `maxRetriesPerRequest: null`, which BullMQ requires for its workers, so the same
 * options serve the queue later; commands then wait through a reconnect instead of failing after
 * 20 tries. Options given (in `target` or, with a URL, in `overrides`) win over this default.
 */
export async function connectRedis(target: string | RedisOptions = {}, overrides: RedisOptions = {}): Promise<Redis> {
	const given = typeof target === 'string' ? overrides : { ...target, ...overrides };
	const options: RedisOptions = { maxRetriesPerRequest: null, ...given, lazyConnect: true };
	const redis = typeof target === 'string' ? new Redis(target, options) : new Redis(options);
	// No retries until the first connection works: a wrong address must fail now, and must not leave
	// reconnect timers behind. The configured strategy (ioredis's default unless given) applies after.
	const reconnect = redis.options.retryStrategy;
	let connected = false;
	redis.options.retryStrategy = (times) => (connected ? reconnect?.(times) : null);
	// The connect() promise only says "Connection is closed"; the error event says why.
	let lastError: unknown;
	const remember = (error: unknown) => {
		lastError = error;
	};
	redis.on('error', remember);
	try {
		await redis.connect();
		connected = true;
	} catch (error) {
		throw new RedisUnavailableError(addressOf(redis.options), lastError ?? error);
	} finally {
		redis.off('error', remember);
	}
	// ioredis selects the database in the background and stays on 0 when Redis refuses it: select it
	// again here, where a refusal still stops the caller instead of silently writing to database 0.
	const db = Number(redis.options.db ?? 0);
	if (db !== 0) {
		try {
			await redis.select(db);
		} catch (error) {
			redis.disconnect();
			throw new InvalidInputError('database', `Redis at ${addressOf(redis.options)} refused database ${db}: ${(error as Error).message}`);
		}
	}
	return redis;
}

function addressOf(options: RedisOptions): string {
	if (options.path) return options.path;
	return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}
