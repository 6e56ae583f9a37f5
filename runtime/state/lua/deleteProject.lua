-- KEYS: project, events, idempotency key, run record, then every index. ARGV: id, expected version or "".
-- The idempotency key is removed only while it still names this project.
-- Returns {1} when deleted, {0, current version} on a version mismatch, {-1} when not found.
local current = redis.call('HGET', KEYS[1], 'version')
if not current then return {-1} end
if ARGV[2] ~= '' and current ~= ARGV[2] then return {0, tonumber(current)} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
for i = 5, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return {1}
