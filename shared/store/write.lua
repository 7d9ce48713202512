-- Writes one resource, its index entries and its group memberships
-- atomically.
--
-- KEYS: record hash, creation-order sorted set, sequence counter, then the
-- old unique-index hashes, the new unique-index hashes, the old index sets
-- and the new index sets. Membership keys are built from the key base in
-- ARGV, because their number depends on data read here. They share the
-- hash tag of KEYS, so they live in the same Cluster slot.
--
-- ARGV, by position:
--   1  id
--   2  expected version (0: must not exist)
--   3  document ("" deletes)
--   4  index entries blob
--   5-8 the counts of the four groups of index keys
--   9  key base
--   10 resource type
--   11 timestamp
--   12 display name
--   13 "1" when the document changed
--   14 "1" when the adds replace every member
--   15 number of removed members
--   16 number of added members
--   17 the group type
--   18 the member types, separated by commas
--   19 number of members that are only verified
-- After these come the old unique fields, the new unique fields, the
-- removed member ids, an id and expected type ("" for any) per added
-- member, and the same pair per verified member.
--
-- Returns one of:
--   "ok:V"       written, now at version V
--   "same:V"     nothing changed, still at version V
--   "version"    the stored version differs from the expected one
--   "conflict:N" the Nth new unique field belongs to another resource
--   "missing:ID" an added or verified member does not exist
--   "type:ID"    that member has another type than the one expected
local id = ARGV[1]
local expected = tonumber(ARGV[2])
local document = ARGV[3]
local oldUnique, newUnique = tonumber(ARGV[5]), tonumber(ARGV[6])
local oldSets, newSets = tonumber(ARGV[7]), tonumber(ARGV[8])
local base, kind, now, display = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local docChanged, replace = ARGV[13] == '1', ARGV[14] == '1'
local removes, adds = tonumber(ARGV[15]), tonumber(ARGV[16])
local groupType, memberTypes = ARGV[17], ARGV[18]
local verifies = tonumber(ARGV[19])
local fieldsAt = 19
local removeAt = fieldsAt + oldUnique + newUnique
local addAt = removeAt + removes

local membersKey = base .. 'm:' .. id

local function recordKey(resourceType, resourceID)
  return base .. resourceType .. ':r:' .. resourceID
end

-- touch records that a resource's derived attributes changed, such as the
-- groups of a member, by moving its version and modification time on.
local function touch(key)
  if redis.call('EXISTS', key) == 1 then
    redis.call('HINCRBY', key, 'v', 1)
    redis.call('HSET', key, 'm', now)
  end
end

-- A member entry is "Type:display". Resource type names contain no colon.
local function typeOf(entry)
  return string.match(entry, '^[^:]*')
end

local function removeMember(member)
  local entry = redis.call('HGET', membersKey, member)
  if not entry then
    return 0
  end
  redis.call('HDEL', membersKey, member)
  redis.call('SREM', base .. 'of:' .. member, id)
  touch(recordKey(typeOf(entry), member))
  return 1
end

-- removeOldIndexEntries deletes the stored version's entries from the index
-- sets, and from the unique indexes where they still point to this id.
local function removeOldIndexEntries()
  for i = 1, oldUnique do
    local key, field = KEYS[3 + i], ARGV[fieldsAt + i]
    if redis.call('HGET', key, field) == id then
      redis.call('HDEL', key, field)
    end
  end
  for i = 1, oldSets do
    redis.call('SREM', KEYS[3 + oldUnique + newUnique + i], id)
  end
end

local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= expected then
  return 'version'
end

for i = 1, newUnique do
  local owner = redis.call('HGET', KEYS[3 + oldUnique + i], ARGV[fieldsAt + oldUnique + i])
  if owner and owner ~= id then
    return 'conflict:' .. i
  end
end

-- Every added or verified member must exist, with the expected type,
-- before anything is written.
local addTypes = {}
for i = 1, adds + verifies do
  local member, want = ARGV[addAt + 2 * i - 1], ARGV[addAt + 2 * i]
  for memberType in string.gmatch(memberTypes, '[^,]+') do
    if redis.call('EXISTS', recordKey(memberType, member)) == 1 then
      addTypes[i] = memberType
      break
    end
  end
  if not addTypes[i] then
    return 'missing:' .. member
  end
  if want ~= '' and want ~= addTypes[i] then
    return 'type:' .. member
  end
end

if document == '' then
  removeOldIndexEntries()
  -- The resource leaves every group that contains it ...
  for _, group in ipairs(redis.call('SMEMBERS', base .. 'of:' .. id)) do
    redis.call('HDEL', base .. 'm:' .. group, id)
    touch(recordKey(groupType, group))
  end
  redis.call('DEL', base .. 'of:' .. id)
  -- ... and, for a group, its members leave it.
  -- NOTE: this blocks Redis for time proportional to the member count,
  -- as every atomic delete of a large group must.
  for _, member in ipairs(redis.call('HKEYS', membersKey)) do
    removeMember(member)
  end
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], id)
  return 'ok:0'
end

local changed = 0
if replace then
  local keep = {}
  for i = 1, adds do
    keep[ARGV[addAt + 2 * i - 1]] = true
  end
  for _, member in ipairs(redis.call('HKEYS', membersKey)) do
    if not keep[member] then
      changed = changed + removeMember(member)
    end
  end
end
for i = 1, removes do
  changed = changed + removeMember(ARGV[removeAt + i])
end
for i = 1, adds do
  local member, memberType = ARGV[addAt + 2 * i - 1], addTypes[i]
  local name = redis.call('HGET', recordKey(memberType, member), 'n') or ''
  if redis.call('HSET', membersKey, member, memberType .. ':' .. name) == 1 then
    redis.call('SADD', base .. 'of:' .. member, id)
    touch(recordKey(memberType, member))
    changed = changed + 1
  end
end

if not docChanged and changed == 0 and current > 0 then
  return 'same:' .. current
end

removeOldIndexEntries()
for i = 1, newUnique do
  redis.call('HSET', KEYS[3 + oldUnique + i], ARGV[fieldsAt + oldUnique + i], id)
end
for i = 1, newSets do
  redis.call('SADD', KEYS[3 + oldUnique + newUnique + oldSets + i], id)
end

-- Groups that contain this resource show its display name beside its id,
-- so a new name changes them and moves their versions on.
-- NOTE: the groups attribute of a renamed group's members shows the new
-- name too, but their versions stay, because touching every member would
-- make a rename cost as much as the group is large.
if current > 0 and redis.call('HGET', KEYS[1], 'n') ~= display then
  for _, group in ipairs(redis.call('SMEMBERS', base .. 'of:' .. id)) do
    redis.call('HSET', base .. 'm:' .. group, id, kind .. ':' .. display)
    touch(recordKey(groupType, group))
  end
end

redis.call('HSET', KEYS[1], 'd', document, 'v', current + 1, 'x', ARGV[4], 'n', display, 'm', now)
if current == 0 then
  local sequence = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[2], sequence, id)
end
return 'ok:' .. (current + 1)
