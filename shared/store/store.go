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
	// Version starts at 1 and grows by one with every write.
	Version int64
	// Data is the resource as a JSON document.
	Data []byte
	// Unique maps a unique index name to this resource's key in it. Two
	// resources of one type never share a key in the same unique index.
	Unique map[string]string
	// Index maps a non-unique index name to this resource's keys in it.
	Index map[string][]string
}

// Redis is a store backed by one Redis server, a Sentinel group or a
// Cluster, through a go-redis universal client.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// New returns a store that keeps its keys under prefix, such as "scim", in
// the given client. The caller owns the client and closes it.
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

// Create stores a new record with version 1. It returns a *ConflictError
// when a unique key is taken and ErrVersionMismatch when the id exists.
func (s *Redis) Create(ctx context.Context, resourceType string, rec Record) error {
	return s.write(ctx, resourceType, rec.ID, 0, nil, &rec)
}

// Update replaces the record whose current version is old.Version and
// whose index entries are old's with rec, and stores it as version
// old.Version+1. It returns ErrVersionMismatch when the stored version
// differs, for example after a concurrent write or a delete, and a
// *ConflictError when a new unique key is taken by another resource.
func (s *Redis) Update(ctx context.Context, resourceType string, old, rec Record) error {
	return s.write(ctx, resourceType, old.ID, old.Version, &old, &rec)
}

// Delete removes the record and its index entries if its version is still
// old.Version, and returns ErrVersionMismatch otherwise.
func (s *Redis) Delete(ctx context.Context, resourceType string, old Record) error {
	return s.write(ctx, resourceType, old.ID, old.Version, &old, nil)
}

// Get returns the record with the given id, or ErrNotFound.
func (s *Redis) Get(ctx context.Context, resourceType, id string) (Record, error) {
	values, err := s.client.HMGet(ctx, s.recordKey(resourceType, id), "d", "v", "x").Result()
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
		cmds[i] = pipe.HMGet(ctx, s.recordKey(resourceType, id), "d", "v", "x")
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
	ids, err := s.client.ZRange(ctx, s.orderKey(resourceType), offset, offset+limit-1).Result()
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", resourceType, err)
	}
	return s.GetMany(ctx, resourceType, ids)
}

// Scan calls visit for every record in creation order, reading batch
// records at a time, until visit returns false or an error. Records created
// or deleted during the scan may or may not be visited, but no record is
// visited twice.
func (s *Redis) Scan(ctx context.Context, resourceType string, batch int64, visit func(Record) (bool, error)) error {
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

		ids := make([]string, len(entries))
		for i, entry := range entries {
			ids[i], _ = entry.Member.(string)
		}
		records, err := s.GetMany(ctx, resourceType, ids)
		if err != nil {
			return err
		}
		for _, rec := range records {
			more, err := visit(rec)
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

// write runs the write script: it checks that the record is at version
// expected (0 for one that must not exist), checks the new unique keys,
// removes old's index entries and stores rec with its entries. A nil rec
// deletes the record.
func (s *Redis) write(ctx context.Context, resourceType, id string, expected int64, old, rec *Record) error {
	var oldEntries, newEntries indexEntries
	if old != nil {
		oldEntries = indexEntries{Unique: old.Unique, Index: old.Index}
	}
	data, blob := "", ""
	if rec != nil {
		newEntries = indexEntries{Unique: rec.Unique, Index: rec.Index}
		encoded, err := json.Marshal(newEntries)
		if err != nil {
			return fmt.Errorf("encode index entries of %s %s: %w", resourceType, id, err)
		}
		data, blob = string(rec.Data), string(encoded)
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

	args := []any{id, expected, data, blob, len(oldUniqueKeys), len(newUniqueKeys), len(oldSets), len(newSets)}
	for _, field := range oldUniqueFields {
		args = append(args, field)
	}
	for _, field := range newUniqueFields {
		args = append(args, field)
	}

	result, err := writeScript.Run(ctx, s.client, keys, args...).Text()
	if err != nil {
		return fmt.Errorf("write %s %s: %w", resourceType, id, err)
	}
	switch {
	case result == "ok":
		return nil
	case result == "version":
		return ErrVersionMismatch
	case strings.HasPrefix(result, "conflict:"):
		n, _ := strconv.Atoi(strings.TrimPrefix(result, "conflict:"))
		if n >= 1 && n <= len(newUniqueNames) {
			return &ConflictError{Index: newUniqueNames[n-1]}
		}
		return &ConflictError{}
	}
	return fmt.Errorf("write %s %s: unexpected script result %q", resourceType, id, result)
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
	return rec, nil
}

// Key layout. The braces form the Redis Cluster hash tag, which puts all
// keys of one resource type into one slot, so the write script and the
// GetMany pipeline stay within one slot. Every key starts with the same
// prefix + ":{" + resourceType + "}", so Redis takes the same tag from each
// of them even when the prefix holds a brace.
// NOTE: a prefix that contains "{}" makes Redis hash each whole key, which
// spreads the keys of one type over several slots and breaks Cluster writes.
func (s *Redis) base(resourceType string) string {
	return s.prefix + ":{" + resourceType + "}:"
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
