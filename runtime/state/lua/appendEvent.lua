-- KEYS: project, events. ARGV: events MAXLEN, then the event's fields.
-- Returns the new entry id, or nil when the project does not exist (no orphan log is started).
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 2))
