package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

func TestMigrateKeyLayout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := redisserver.StartTopology(t).Client

	// Keys as the first layout wrote them, plus keys of another prefix
	// that must stay.
	writes := []error{
		client.HSet(ctx, "legacy:{User}:r:u1", "d", `{"id":"u1","userName":"alice"}`, "v", "3", "x", `{"u":{"userName":"alice"},"i":{"externalId":["ext-1"]}}`).Err(),
		client.ZAdd(ctx, "legacy:{User}:order", redisZ(1, "u1")).Err(),
		client.Set(ctx, "legacy:{User}:seq", "1", 0).Err(),
		client.HSet(ctx, "legacy:{User}:u:userName", "alice", "u1").Err(),
		client.SAdd(ctx, "legacy:{User}:i:externalId:ext-1", "u1").Err(),
		client.Set(ctx, "legacy2:{User}:seq", "7", 0).Err(),
	}
	for _, err := range writes {
		if err != nil {
			t.Fatal(err)
		}
	}

	s := store.New(client, "legacy")
	report, err := s.MigrateKeyLayout(ctx)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if report.Moved != 5 {
		t.Errorf("moved %d keys, want 5", report.Moved)
	}

	rec, err := s.Get(ctx, "User", "u1")
	if err != nil || rec.Version != 3 {
		t.Fatalf("get after migration = version %d, %v; want version 3", rec.Version, err)
	}
	if id, err := s.LookupUnique(ctx, "User", "userName", "alice"); err != nil || id != "u1" {
		t.Errorf("userName lookup = %q, %v; want u1", id, err)
	}
	if ids, err := s.LookupIndex(ctx, "User", "externalId", "ext-1"); err != nil || len(ids) != 1 {
		t.Errorf("externalId lookup = %v, %v; want [u1]", ids, err)
	}
	if err := s.Create(ctx, "User", record("u2", "bob")); err != nil {
		t.Fatal(err)
	}
	page, err := s.Page(ctx, "User", 0, 10)
	if err != nil || len(page) != 2 || page[1].ID != "u2" || page[1].Sequence != 2 {
		t.Errorf("creation order after migration = %+v, %v; want u1 then u2 at sequence 2", page, err)
	}
	if n, err := client.Exists(ctx, "legacy:{User}:r:u1", "legacy2:{User}:seq").Result(); err != nil || n != 1 {
		t.Errorf("old keys left = %d, %v; want only the other prefix's key", n, err)
	}

	again, err := s.MigrateKeyLayout(ctx)
	if err != nil || again.Moved != 0 {
		t.Errorf("second run = %+v, %v; want nothing moved", again, err)
	}
}

func TestMigrateKeyLayoutKeepsConflicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := redisserver.StartTopology(t).Client
	if err := client.Set(ctx, "legacy:{User}:seq", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := client.Set(ctx, "{legacy}:User:seq", "9", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.New(client, "legacy").MigrateKeyLayout(ctx); err == nil {
		t.Fatal("migration over a key with other content succeeded, want an error")
	}
	if got, _ := client.Get(ctx, "{legacy}:User:seq").Result(); got != "9" {
		t.Errorf("the existing key was changed to %q", got)
	}
	if n, _ := client.Exists(ctx, "legacy:{User}:seq").Result(); n != 1 {
		t.Error("the old key was deleted despite the conflict")
	}
}

func redisZ(score float64, member string) redis.Z {
	return redis.Z{Score: score, Member: member}
}
