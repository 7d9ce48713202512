-- Writes one resource and its index entries atomically.
--
-- KEYS: record hash, creation-order sorted set, sequence counter, then the
-- old unique-index hashes, the new unique-index hashes, the old index sets
-- and the new index sets.
-- ARGV: id, expected version (0: must not exist), document ("" deletes),
-- index entries blob, the four key counts, then the old unique fields and
-- the new unique fields.
-- Returns "ok", "version" when the stored version differs, or "conflict:N"
-- when the Nth new unique field belongs to another resource.
local id = ARGV[1]
local expected = tonumber(ARGV[2])
local document = ARGV[3]
local oldUnique, newUnique = tonumber(ARGV[5]), tonumber(ARGV[6])
local oldSets, newSets = tonumber(ARGV[7]), tonumber(ARGV[8])

local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= expected then
  return 'version'
end

for i = 1, newUnique do
  local owner = redis.call('HGET', KEYS[3 + oldUnique + i], ARGV[8 + oldUnique + i])
  if owner and owner ~= id then
    return 'conflict:' .. i
  end
end

for i = 1, oldUnique do
  local key, field = KEYS[3 + i], ARGV[8 + i]
  if redis.call('HGET', key, field) == id then
    redis.call('HDEL', key, field)
  end
end
for i = 1, oldSets do
  redis.call('SREM', KEYS[3 + oldUnique + newUnique + i], id)
end

if document == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], id)
  return 'ok'
end

for i = 1, newUnique do
  redis.call('HSET', KEYS[3 + oldUnique + i], ARGV[8 + oldUnique + i], id)
end
for i = 1, newSets do
  redis.call('SADD', KEYS[3 + oldUnique + newUnique + oldSets + i], id)
end
redis.call('HSET', KEYS[1], 'd', document, 'v', current + 1, 'x', ARGV[4])
if current == 0 then
  local sequence = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[2], sequence, id)
end
return 'ok'
