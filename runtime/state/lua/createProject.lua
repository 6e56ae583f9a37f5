-- KEYS: idempotency key, project, events, then every index to add the project to.
-- ARGV: id, project JSON, index score, events MAXLEN, then the fields of the created event.
-- Returns {1, id} when created, {0, existing id} when the key was already used, {-1} when the id is taken.
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'version', '1', 'data', ARGV[2])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[1]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 5))
return {1, ARGV[1]}
