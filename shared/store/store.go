package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Errors that callers test with errors.Is.
var (
	// ErrNotFound means no resource has the requested id.
	ErrNotFound = errors.New("resource not found")
	// ErrVersionMismatch means the resource changed since the caller read it.
	ErrVersionMismatch = errors.New("resource version changed")
)

// ConflictError means a unique index already holds the value for another
// resource.
type ConflictError struct {
	// Index is the name of the unique index, such as "userName".
	Index string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("unique index %s already holds this value", e.Index)
}

// Record is one stored resource with the index entries kept for it.
type Record struct {
	ID string
	// Version starts at 1 and grows by one with every write, and also when
	// the resource joins or leaves a group.
	Version int64
	// Modified is the time of the last change that Version counts, as the
	// writer passed it. Membership changes set it without rewriting Data.
	Modified string
	// Display is the name that groups show beside the resource's id.
	Display string
	// Sequence is the resource's place in creation order: it grows with
	// every create of the type. Scan, Page and After fill it; 0 elsewhere.
	Sequence int64
	// Data is the resource as a JSON document.
	Data []byte
	// Unique maps a unique index name to this resource's key in it. Two
	// resources of one type never share a key in the same unique index.
	Unique map[string]string
	// Index maps a non-unique index name to this resource's keys in it.
	Index map[string][]string
	// Members, when not nil, changes the direct members of a group in the
	// same atomic write. Reads leave it nil.
	Members *MemberChange

	// deleted marks the record that Delete passes to write.
	deleted bool
}

// MemberChange is a change to the direct members of a group. Its cost grows
// with the number of ids it lists, not with the size of the group, except
// that Replace reads every current member.
type MemberChange struct {
	// Replace removes every current member that Add does not list.
	Replace bool
	// Remove lists member ids to remove; ids that are not members are
	// ignored.
	Remove []string
	// Add lists members to add; members that are already there stay once.
	Add []NewMember
	// Verify lists members that must exist, with the given type, for the
	// change to be written, although the change does not add them: a PATCH
	// operation that a later one undoes must still name a valid member.
	Verify []NewMember
}

// NewMember is a member to add to a group.
type NewMember struct {
	ID string
	// Type is the resource type the member must have, or "" for any.
	Type string
}

// Member is one direct member of a group, or one group of a resource.
type Member struct {
	ID      string
	Type    string
	Display string
}

// MissingMemberError means an added member id names no resource of a member
// type, or one of another type than the caller required.
type MissingMemberError struct {
	ID string
	// WrongType is true when the resource exists with another type.
	WrongType bool
}

func (e *MissingMemberError) Error() string {
	if e.WrongType {
		return fmt.Sprintf("member %s has another resource type", e.ID)
	}
	return fmt.Sprintf("member %s does not exist", e.ID)
}

// Redis is a store backed by one Redis server, a Sentinel group or a
// Cluster, through a go-redis universal client.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// Resource types that take part in group membership. Members of a group
// are resources of MemberTypes, and only GroupType resources have members.
const GroupType = "Group"

// MemberTypes lists the resource types a group member may have, in the
// order in which a member id is looked up.
var MemberTypes = []string{"User", "Group"}

// New returns a store that keeps its keys under prefix, such as "scim", in
// the given client. The caller owns the client and closes it. The prefix
// must not hold "{" or "}", because it becomes the Cluster hash tag.
func New(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

//go:embed write.lua
var writeSource string

var writeScript = redis.NewScript(writeSource)

// indexEntries is the form in which a record's index entries are stored
// beside it, so that an update or delete can remove them.
type indexEntries struct {
	Unique map[string]string   `json:"u,omitempty"`
	Index  map[string][]string `json:"i,omitempty"`
}

// Create stores a new record with version 1 and adds rec.Members, if any.
// It returns a *ConflictError when a unique key is taken,
// ErrVersionMismatch when the id exists and a *MissingMemberError when an
// added member does not exist.
func (s *Redis) Create(ctx context.Context, resourceType string, rec Record) error {
	_, err := s.write(ctx, resourceType, rec.ID, 0, nil, &rec, true)
	return err
}

// Update replaces the record whose current version is old.Version and
// whose index entries are old's with rec, applies rec.Members, and returns
// the version now stored: old.Version+1, or old.Version when dataChanged is
// false and the member change changed nothing. It returns
// ErrVersionMismatch when the stored version differs, for example after a
// concurrent write or a delete, a *ConflictError when a new unique key is
// taken by another resource, and a *MissingMemberError when an added member
// does not exist. Nothing is written when it returns an error.
func (s *Redis) Update(ctx context.Context, resourceType string, old, rec Record, dataChanged bool) (int64, error) {
	return s.write(ctx, resourceType, old.ID, old.Version, &old, &rec, dataChanged)
}

// Delete removes the record and its index entries if its version is still
// old.Version, and returns ErrVersionMismatch otherwise. The resource
// leaves every group that contains it, and a group's members lose it from
// their groups, in the same atomic step. Those groups and members get a new
// version and modified as their modification time.
func (s *Redis) Delete(ctx context.Context, resourceType string, old Record, modified string) error {
	_, err := s.write(ctx, resourceType, old.ID, old.Version, &old, &Record{ID: old.ID, Modified: modified, deleted: true}, true)
	return err
}

// Get returns the record with the given id, or ErrNotFound.
func (s *Redis) Get(ctx context.Context, resourceType, id string) (Record, error) {
	values, err := s.client.HMGet(ctx, s.recordKey(resourceType, id), recordFields...).Result()
	if err != nil {
		return Record{}, fmt.Errorf("get %s %s: %w", resourceType, id, err)
	}
	return decodeRecord(id, values)
}

// GetMany returns the records with the given ids, in that order, leaving out
// ids that no longer exist. It reads them in one round trip.
func (s *Redis) GetMany(ctx context.Context, resourceType string, ids []string) ([]Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.client.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.recordKey(resourceType, id), recordFields...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("get %d %s records: %w", len(ids), resourceType, err)
	}

	records := make([]Record, 0, len(ids))
	for i, cmd := range cmds {
		rec, err := decodeRecord(ids[i], cmd.Val())
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		records = append(records, rec)
	}
	return records, nil
}

// LookupUnique returns the id that holds key in the named unique index, or
// ErrNotFound.
func (s *Redis) LookupUnique(ctx context.Context, resourceType, index, key string) (string, error) {
	id, err := s.client.HGet(ctx, s.uniqueKey(resourceType, index), key).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("look up %s by %s: %w", resourceType, index, err)
	}
	return id, nil
}

// LookupIndex returns the ids that hold key in the named non-unique index,
// in no particular order.
func (s *Redis) LookupIndex(ctx context.Context, resourceType, index, key string) ([]string, error) {
	ids, err := s.client.SMembers(ctx, s.indexKey(resourceType, index, key)).Result()
	if err != nil {
		return nil, fmt.Errorf("look up %s by %s: %w", resourceType, index, err)
	}
	return ids, nil
}

// Count returns the number of stored resources of the type.
func (s *Redis) Count(ctx context.Context, resourceType string) (int64, error) {
	n, err := s.client.ZCard(ctx, s.orderKey(resourceType)).Result()
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", resourceType, err)
	}
	return n, nil
}

// Page returns up to limit records in creation order, skipping the first
// offset ones.
func (s *Redis) Page(ctx context.Context, resourceType string, offset, limit int64) ([]Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	entries, err := s.client.ZRangeWithScores(ctx, s.orderKey(resourceType), offset, offset+limit-1).Result()
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", resourceType, err)
	}
	return s.getSequenced(ctx, resourceType, entries)
}

// After returns the records of the first limit entries of the creation
// order whose Sequence is greater than sequence; 0 starts at the first
// record. Records deleted while they are read are left out, so fewer may
// come back. next is the Sequence of the last of those entries when more
// entries follow them, and 0 at the end of the order.
func (s *Redis) After(ctx context.Context, resourceType string, sequence, limit int64) (records []Record, next int64, err error) {
	if limit <= 0 {
		return nil, 0, nil
	}
	entries, err := s.client.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key:     s.orderKey(resourceType),
		Start:   "(" + strconv.FormatInt(sequence, 10),
		Stop:    "+inf",
		ByScore: true,
		Count:   limit + 1,
	}).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("page %s: %w", resourceType, err)
	}
	if int64(len(entries)) > limit {
		entries = entries[:limit]
		next = int64(entries[limit-1].Score)
	}
	records, err = s.getSequenced(ctx, resourceType, entries)
	return records, next, err
}

// SequencesUpTo returns the Sequence values of up to limit records whose
// Sequence is at most sequence, newest first. It reads no records.
func (s *Redis) SequencesUpTo(ctx context.Context, resourceType string, sequence, limit int64) ([]int64, error) {
	entries, err := s.client.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key:     s.orderKey(resourceType),
		Start:   strconv.FormatInt(sequence, 10),
		Stop:    "-inf",
		ByScore: true,
		Rev:     true,
		Count:   limit,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("page %s backwards: %w", resourceType, err)
	}
	out := make([]int64, len(entries))
	for i, entry := range entries {
		out[i] = int64(entry.Score)
	}
	return out, nil
}

// getSequenced reads the records of creation-order entries and sets their
// Sequence from the entries' scores.
func (s *Redis) getSequenced(ctx context.Context, resourceType string, entries []redis.Z) ([]Record, error) {
	ids := make([]string, len(entries))
	sequences := make(map[string]int64, len(entries))
	for i, entry := range entries {
		ids[i], _ = entry.Member.(string)
		sequences[ids[i]] = int64(entry.Score)
	}
	records, err := s.GetMany(ctx, resourceType, ids)
	if err != nil {
		return nil, err
	}
	for i := range records {
		records[i].Sequence = sequences[records[i].ID]
	}
	return records, nil
}

// Scan calls visit with every record in creation order, batch records at a
// time, until visit returns false or an error. Records created or deleted
// during the scan may or may not be visited, but no record is visited
// twice.
func (s *Redis) Scan(ctx context.Context, resourceType string, batch int64, visit func([]Record) (bool, error)) error {
	after := "-inf"
	for {
		entries, err := s.client.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
			Key:     s.orderKey(resourceType),
			Start:   after,
			Stop:    "+inf",
			ByScore: true,
			Count:   batch,
		}).Result()
		if err != nil {
			return fmt.Errorf("scan %s: %w", resourceType, err)
		}
		if len(entries) == 0 {
			return nil
		}

		records, err := s.getSequenced(ctx, resourceType, entries)
		if err != nil {
			return err
		}
		if len(records) > 0 {
			more, err := visit(records)
			if err != nil || !more {
				return err
			}
		}
		after = "(" + strconv.FormatFloat(entries[len(entries)-1].Score, 'f', -1, 64)
		if int64(len(entries)) < batch {
			return nil
		}
	}
}

// recordFields are the fields of a record hash: document, version, index
// entries, display name and modification time.
var recordFields = []string{"d", "v", "x", "n", "m"}

// write runs the write script: it checks that the record is at version
// expected (0 for one that must not exist), checks the new unique keys and
// added members, removes old's index entries and stores rec with its
// entries and member change. A rec marked deleted deletes the record.
func (s *Redis) write(ctx context.Context, resourceType, id string, expected int64, old, rec *Record, dataChanged bool) (int64, error) {
	var oldEntries, newEntries indexEntries
	if old != nil {
		oldEntries = indexEntries{Unique: old.Unique, Index: old.Index}
	}
	data, blob, display, modified := "", "", "", ""
	var members MemberChange
	if rec != nil && rec.deleted {
		modified = rec.Modified
		rec = nil
	}
	if rec != nil {
		newEntries = indexEntries{Unique: rec.Unique, Index: rec.Index}
		encoded, err := json.Marshal(newEntries)
		if err != nil {
			return 0, fmt.Errorf("encode index entries of %s %s: %w", resourceType, id, err)
		}
		data, blob, display, modified = string(rec.Data), string(encoded), rec.Display, rec.Modified
		if rec.Members != nil {
			members = *rec.Members
		}
	}

	oldUniqueKeys, oldUniqueFields, _ := s.uniqueArgs(resourceType, oldEntries.Unique)
	newUniqueKeys, newUniqueFields, newUniqueNames := s.uniqueArgs(resourceType, newEntries.Unique)
	oldSets := s.setKeys(resourceType, oldEntries.Index)
	newSets := s.setKeys(resourceType, newEntries.Index)

	keys := []string{s.recordKey(resourceType, id), s.orderKey(resourceType), s.sequenceKey(resourceType)}
	keys = append(keys, oldUniqueKeys...)
	keys = append(keys, newUniqueKeys...)
	keys = append(keys, oldSets...)
	keys = append(keys, newSets...)

	args := []any{id, expected, data, blob, len(oldUniqueKeys), len(newUniqueKeys), len(oldSets), len(newSets),
		s.tag(), resourceType, modified, display, flag(dataChanged), flag(members.Replace),
		len(members.Remove), len(members.Add), GroupType, strings.Join(MemberTypes, ","), len(members.Verify)}
	for _, field := range oldUniqueFields {
		args = append(args, field)
	}
	for _, field := range newUniqueFields {
		args = append(args, field)
	}
	for _, member := range members.Remove {
		args = append(args, member)
	}
	for _, member := range members.Add {
		args = append(args, member.ID, member.Type)
	}
	for _, member := range members.Verify {
		args = append(args, member.ID, member.Type)
	}

	result, err := writeScript.Run(ctx, s.client, keys, args...).Text()
	if err != nil {
		return 0, fmt.Errorf("write %s %s: %w", resourceType, id, err)
	}
	status, detail, _ := strings.Cut(result, ":")
	switch status {
	case "ok", "same":
		version, err := strconv.ParseInt(detail, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("write %s %s: unexpected script result %q", resourceType, id, result)
		}
		return version, nil
	case "version":
		return 0, ErrVersionMismatch
	case "conflict":
		n, _ := strconv.Atoi(detail)
		if n >= 1 && n <= len(newUniqueNames) {
			return 0, &ConflictError{Index: newUniqueNames[n-1]}
		}
		return 0, &ConflictError{}
	case "missing":
		return 0, &MissingMemberError{ID: detail}
	case "type":
		return 0, &MissingMemberError{ID: detail, WrongType: true}
	}
	return 0, fmt.Errorf("write %s %s: unexpected script result %q", resourceType, id, result)
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (s *Redis) uniqueArgs(resourceType string, unique map[string]string) (keys, fields, names []string) {
	for name, field := range unique {
		keys = append(keys, s.uniqueKey(resourceType, name))
		fields = append(fields, field)
		names = append(names, name)
	}
	return keys, fields, names
}

func (s *Redis) setKeys(resourceType string, index map[string][]string) []string {
	var keys []string
	for name, values := range index {
		for _, value := range values {
			keys = append(keys, s.indexKey(resourceType, name, value))
		}
	}
	return keys
}

func decodeRecord(id string, values []any) (Record, error) {
	data, ok := values[0].(string)
	if !ok {
		return Record{}, ErrNotFound
	}
	versionText, _ := values[1].(string)
	version, err := strconv.ParseInt(versionText, 10, 64)
	if err != nil {
		return Record{}, fmt.Errorf("decode version %q of %s: %w", versionText, id, err)
	}
	rec := Record{ID: id, Version: version, Data: []byte(data)}
	if blob, ok := values[2].(string); ok && blob != "" {
		var entries indexEntries
		if err := json.Unmarshal([]byte(blob), &entries); err != nil {
			return Record{}, fmt.Errorf("decode index entries of %s: %w", id, err)
		}
		rec.Unique, rec.Index = entries.Unique, entries.Index
	}
	rec.Display, _ = values[3].(string)
	rec.Modified, _ = values[4].(string)
	return rec, nil
}

// Key layout. Every key starts with the prefix in braces, which is the
// Redis Cluster hash tag, so all keys of one prefix share one slot. The
// write script can then update a group, its members and their
// back-references in one atomic step, and a GetMany pipeline stays within
// one slot.
// NOTE: one Cluster node therefore holds the whole directory of a prefix;
// Cluster adds failover, not capacity.
func (s *Redis) tag() string { return "{" + s.prefix + "}:" }

func (s *Redis) base(resourceType string) string {
	return s.tag() + resourceType + ":"
}

func (s *Redis) recordKey(resourceType, id string) string {
	return s.base(resourceType) + "r:" + id
}

func (s *Redis) orderKey(resourceType string) string { return s.base(resourceType) + "order" }

func (s *Redis) sequenceKey(resourceType string) string { return s.base(resourceType) + "seq" }

func (s *Redis) uniqueKey(resourceType, index string) string {
	return s.base(resourceType) + "u:" + index
}

func (s *Redis) indexKey(resourceType, index, key string) string {
	return s.base(resourceType) + "i:" + index + ":" + key
}

// membersKey is the hash of a group's direct members: member id to
// "Type:display".
func (s *Redis) membersKey(groupID string) string { return s.tag() + "m:" + groupID }

// memberOfKey is the set of groups that hold the resource directly.
func (s *Redis) memberOfKey(id string) string { return s.tag() + "of:" + id }
