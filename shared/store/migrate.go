package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// migrateScanCount is the COUNT hint of each SCAN call of the migration.
const migrateScanCount = 1000

// MigrationReport counts what MigrateKeyLayout did.
type MigrationReport struct {
	// Moved is the number of keys copied to their new name and removed.
	Moved int
	// AlreadyMoved is the number of keys found under both names with the
	// same content, left by an interrupted run; the old copy was removed.
	AlreadyMoved int
}

// MigrateKeyLayout moves the keys of the first key layout, in which each
// resource type had its own hash tag ("scim:{User}:r:<id>"), to the
// current one, in which the prefix is the hash tag ("{scim}:User:r:<id>").
// Run it once, with every function stopped, before serving from a store
// that the first layout wrote. It scans every master, copies each key with
// DUMP and RESTORE, because Cluster cannot rename a key into another slot,
// and deletes the old key afterwards. A second run finds nothing to move.
// A key whose new name already holds other content stops the migration
// with an error and is left as it is.
func (s *Redis) MigrateKeyLayout(ctx context.Context) (MigrationReport, error) {
	var report MigrationReport
	var mu sync.Mutex
	migrate := func(ctx context.Context, node *redis.Client) error {
		// SCAN patterns treat braces literally, so this matches keys such
		// as "scim:{User}:order" and not "{scim}:User:order".
		pattern := escapeGlob(s.prefix) + ":{*}:*"
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, pattern, migrateScanCount).Result()
			if err != nil {
				return fmt.Errorf("scan for keys of the first layout: %w", err)
			}
			for _, key := range keys {
				moved, err := s.moveKey(ctx, key)
				if err != nil {
					return err
				}
				mu.Lock()
				switch moved {
				case keyMoved:
					report.Moved++
				case keyAlreadyMoved:
					report.AlreadyMoved++
				}
				mu.Unlock()
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}

	var err error
	switch client := s.client.(type) {
	case *redis.ClusterClient:
		err = client.ForEachMaster(ctx, migrate)
	case *redis.Client:
		err = migrate(ctx, client)
	default:
		err = fmt.Errorf("migrate keys: unsupported Redis client %T", s.client)
	}
	return report, err
}

// HasFirstLayoutKeys reports whether the store still holds users that the
// first key layout wrote, which MigrateKeyLayout moves. It reads one key:
// the user sequence counter, which every store with a user has.
func (s *Redis) HasFirstLayoutKeys(ctx context.Context) (bool, error) {
	n, err := s.client.Exists(ctx, s.prefix+":{User}:seq").Result()
	if err != nil {
		return false, fmt.Errorf("look for keys of the first layout: %w", err)
	}
	return n > 0, nil
}

type moveResult int

const (
	keySkipped moveResult = iota
	keyMoved
	keyAlreadyMoved
)

// moveKey copies one key of the first layout to its current name and
// deletes it.
func (s *Redis) moveKey(ctx context.Context, oldKey string) (moveResult, error) {
	newKey, ok := s.currentName(oldKey)
	if !ok {
		return keySkipped, nil
	}
	payload, err := s.client.Dump(ctx, oldKey).Result()
	if errors.Is(err, redis.Nil) {
		// Deleted since the scan found it.
		return keySkipped, nil
	}
	if err != nil {
		return keySkipped, fmt.Errorf("read %s: %w", oldKey, err)
	}

	result := keyMoved
	err = s.client.Restore(ctx, newKey, 0, payload).Err()
	if err != nil && strings.Contains(err.Error(), "BUSYKEY") {
		existing, dumpErr := s.client.Dump(ctx, newKey).Result()
		if dumpErr != nil || existing != payload {
			return keySkipped, fmt.Errorf("move %s: %s already exists with other content; resolve it by hand and run the migration again", oldKey, newKey)
		}
		result, err = keyAlreadyMoved, nil
	}
	if err != nil {
		return keySkipped, fmt.Errorf("write %s: %w", newKey, err)
	}
	if err := s.client.Del(ctx, oldKey).Err(); err != nil {
		return keySkipped, fmt.Errorf("delete %s after copying it to %s: %w", oldKey, newKey, err)
	}
	return result, nil
}

// currentName maps "<prefix>:{<type>}:<rest>" to "{<prefix>}:<type>:<rest>".
func (s *Redis) currentName(oldKey string) (string, bool) {
	rest, ok := strings.CutPrefix(oldKey, s.prefix+":{")
	if !ok {
		return "", false
	}
	resourceType, rest, ok := strings.Cut(rest, "}:")
	if !ok || resourceType == "" || strings.ContainsAny(resourceType, "{}") {
		return "", false
	}
	return s.tag() + resourceType + ":" + rest, true
}

// escapeGlob escapes the characters that a Redis SCAN pattern treats
// specially.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
