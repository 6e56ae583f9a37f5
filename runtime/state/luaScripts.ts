import { createHash } from 'node:crypto';

// The store keeps its logic in TypeScript and asks Redis only to apply a finished change if the
// project is still at the version it was computed from (compare-and-set). Each script writes the
// project, its index entries and its events in one step, so no reader sees half a change.
// Projects never pass through Lua's cjson, which would turn an empty array into {}.

export interface LuaScript {
	readonly name: string;
	readonly source: string;
	readonly sha: string;
}

function script(name: string, source: string): LuaScript {
	return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * KEYS: idempotency key, project, events, then every index to add the project to.
 * ARGV: id, project JSON, index score, events MAXLEN, then the fields of the created event.
 * Returns {1, id} when created, {0, existing id} when the key was already used, {-1} when the id is taken.
 */
export const CREATE_PROJECT = script(
	'createProject',
	`
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'version', '1', 'data', ARGV[2])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[1]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 5))
return {1, ARGV[1]}
`,
);

/**
 * KEYS: project, events, then the indexes to leave, then the indexes to be in.
 * ARGV: version read, new version, new JSON, id, index score, number of indexes to leave, number
 * to be in, events MAXLEN, number of events, then per event its field count and fields.
 * Returns {1} when written, {0, current version} when the project changed since it was read,
 * {-1} when it no longer exists.
 */
export const COMMIT_CHANGE = script(
	'commitChange',
	`
local current = redis.call('HGET', KEYS[1], 'version')
if not current then return {-1} end
if current ~= ARGV[1] then return {0, tonumber(current)} end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'data', ARGV[3])
local leave = tonumber(ARGV[6])
local join = tonumber(ARGV[7])
for i = 1, leave do redis.call('ZREM', KEYS[2 + i], ARGV[4]) end
for i = 1, join do redis.call('ZADD', KEYS[2 + leave + i], ARGV[5], ARGV[4]) end
local at = 10
for e = 1, tonumber(ARGV[9]) do
	local n = tonumber(ARGV[at])
	redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', unpack(ARGV, at + 1, at + n))
	at = at + n + 1
end
return {1}
`,
);

/**
 * KEYS: project, events. ARGV: events MAXLEN, then the event's fields.
 * Returns the new entry id, or nil when the project does not exist (no orphan log is started).
 */
export const APPEND_EVENT = script(
	'appendEvent',
	`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 2))
`,
);

/**
 * KEYS: project, events, idempotency key, then every index. ARGV: id, expected version or "".
 * The idempotency key is removed only while it still names this project.
 * Returns {1} when deleted, {0, current version} on a version mismatch, {-1} when not found.
 */
export const DELETE_PROJECT = script(
	'deleteProject',
	`
local current = redis.call('HGET', KEYS[1], 'version')
if not current then return {-1} end
if ARGV[2] ~= '' and current ~= ARGV[2] then return {0, tonumber(current)} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
for i = 5, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return {1}
`,
);
