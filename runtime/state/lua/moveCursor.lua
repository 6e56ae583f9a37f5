-- KEYS: run record. ARGV: field, event id ("<ms>-<seq>").
-- Moves the field forward to the event id, never back, and only while the run record exists (a
-- deleted project gets no orphan record). Returns 1 when moved, 0 otherwise.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
	local cm, cs = string.match(current, '^(%d+)-(%d+)$')
	local nm, ns = string.match(ARGV[2], '^(%d+)-(%d+)$')
	cm, cs, nm, ns = tonumber(cm), tonumber(cs), tonumber(nm), tonumber(ns)
	if cm > nm or (cm == nm and cs >= ns) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
