-- KEYS: project, events, then the indexes to leave, then the indexes to be in.
-- ARGV: version read, new version, new JSON, id, index score, number of indexes to leave, number
-- to be in, events MAXLEN, number of events, then per event its field count and fields.
-- Returns {1} when written, {0, current version} when the project changed since it was read,
-- {-1} when it no longer exists.
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
