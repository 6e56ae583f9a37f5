import type { Redis } from 'ioredis';
import type { LuaScript } from './luaScripts';

/**
 * Runs a script by its SHA and sends the source only when Redis has not cached it (after a restart
 * or SCRIPT FLUSH). Unlike defineCommand this leaves the caller's client untouched.
 */
export async function runScript(redis: Redis, script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
	try {
		return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
	} catch (error) {
		if (!String((error as { message?: unknown } | null)?.message).startsWith('NOSCRIPT')) throw error;
		return redis.eval(script.source, keys.length, ...keys, ...args);
	}
}
