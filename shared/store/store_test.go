package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

func newStore(t *testing.T) *store.Redis {
	t.Helper()
	return store.New(redisserver.StartTopology(t).Client, "test")
}

func TestMain(m *testing.M) { os.Exit(redisserver.RunTests(m)) }

func record(id, userName string) store.Record {
	return store.Record{
		ID:     id,
		Data:   []byte(fmt.Sprintf(`{"id":%q,"userName":%q}`, id, userName)),
		Unique: map[string]string{"userName": userName},
		Index:  map[string][]string{"externalId": {"ext-" + id}},
	}
}

func TestCreateAndGet(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)

	if err := s.Create(ctx, "User", record("u1", "alice")); err != nil {
		t.Fatalf("create: %v", err)
	}
	got, err := s.Get(ctx, "User", "u1")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Version != 1 {
		t.Errorf("version = %d, want 1", got.Version)
	}
	if got.Unique["userName"] != "alice" {
		t.Errorf("unique entries = %v, want userName alice", got.Unique)
	}
	id, err := s.LookupUnique(ctx, "User", "userName", "alice")
	if err != nil || id != "u1" {
		t.Errorf("lookup userName = %q, %v; want u1", id, err)
	}
	ids, err := s.LookupIndex(ctx, "User", "externalId", "ext-u1")
	if err != nil || len(ids) != 1 || ids[0] != "u1" {
		t.Errorf("lookup externalId = %v, %v; want [u1]", ids, err)
	}
}

func TestGetMissingIsNotFound(t *testing.T) {
	s := newStore(t)
	_, err := s.Get(context.Background(), "User", "nope")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestConcurrentCreatesKeepUniqueness(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)

	const writers = 32
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Create(ctx, "User", record(fmt.Sprintf("u%d", i), "same"))
		}()
	}
	wg.Wait()

	created := 0
	for _, err := range errs {
		var conflict *store.ConflictError
		switch {
		case err == nil:
			created++
		case errors.As(err, &conflict):
			if conflict.Index != "userName" {
				t.Errorf("conflict index = %q, want userName", conflict.Index)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if created != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", created)
	}
	n, err := s.Count(ctx, "User")
	if err != nil || n != 1 {
		t.Fatalf("count = %d, %v; want 1", n, err)
	}
}

func TestUpdateChecksVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Create(ctx, "User", record("u1", "alice")); err != nil {
		t.Fatal(err)
	}
	old, err := s.Get(ctx, "User", "u1")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.Update(ctx, "User", old, record("u1", "alicia"), true); err != nil {
		t.Fatalf("first update: %v", err)
	}
	if _, err := s.Update(ctx, "User", old, record("u1", "ally"), true); !errors.Is(err, store.ErrVersionMismatch) {
		t.Fatalf("stale update err = %v, want ErrVersionMismatch", err)
	}

	if _, err := s.LookupUnique(ctx, "User", "userName", "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old userName still indexed: %v", err)
	}
	id, err := s.LookupUnique(ctx, "User", "userName", "alicia")
	if err != nil || id != "u1" {
		t.Errorf("new userName lookup = %q, %v; want u1", id, err)
	}
	current, err := s.Get(ctx, "User", "u1")
	if err != nil || current.Version != 2 {
		t.Errorf("version after update = %d, %v; want 2", current.Version, err)
	}
}

func TestUpdateRejectsTakenUniqueKey(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, rec := range []store.Record{record("u1", "alice"), record("u2", "bob")} {
		if err := s.Create(ctx, "User", rec); err != nil {
			t.Fatal(err)
		}
	}
	old, err := s.Get(ctx, "User", "u2")
	if err != nil {
		t.Fatal(err)
	}

	var conflict *store.ConflictError
	if _, err := s.Update(ctx, "User", old, record("u2", "alice"), true); !errors.As(err, &conflict) {
		t.Fatalf("err = %v, want ConflictError", err)
	}
	id, err := s.LookupUnique(ctx, "User", "userName", "bob")
	if err != nil || id != "u2" {
		t.Errorf("rejected update changed the index: bob -> %q, %v", id, err)
	}
}

func TestDeleteRemovesIndexEntries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Create(ctx, "User", record("u1", "alice")); err != nil {
		t.Fatal(err)
	}
	old, err := s.Get(ctx, "User", "u1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "User", old, "2026-01-01T00:00:00.000Z"); err != nil {
		t.Fatalf("delete: %v", err)
	}

	if _, err := s.Get(ctx, "User", "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get after delete err = %v, want ErrNotFound", err)
	}
	if _, err := s.LookupUnique(ctx, "User", "userName", "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("userName lookup after delete err = %v, want ErrNotFound", err)
	}
	ids, err := s.LookupIndex(ctx, "User", "externalId", "ext-u1")
	if err != nil || len(ids) != 0 {
		t.Errorf("externalId lookup after delete = %v, %v; want none", ids, err)
	}
	if n, _ := s.Count(ctx, "User"); n != 0 {
		t.Errorf("count after delete = %d, want 0", n)
	}
}

func TestScanVisitsAllInOrder(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const total = 25
	for i := range total {
		if err := s.Create(ctx, "User", record(fmt.Sprintf("u%02d", i), fmt.Sprintf("name%02d", i))); err != nil {
			t.Fatal(err)
		}
	}

	var seen []string
	err := s.Scan(ctx, "User", 7, func(records []store.Record) (bool, error) {
		if len(records) > 7 {
			t.Errorf("batch of %d records, want at most 7", len(records))
		}
		for _, rec := range records {
			seen = append(seen, rec.ID)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if len(seen) != total {
		t.Fatalf("scan visited %d records, want %d", len(seen), total)
	}
	for i, id := range seen {
		if want := fmt.Sprintf("u%02d", i); id != want {
			t.Fatalf("record %d = %s, want %s", i, id, want)
		}
	}

	page, err := s.Page(ctx, "User", 20, 10)
	if err != nil || len(page) != 5 || page[0].ID != "u20" {
		t.Fatalf("page from 20 = %d records, %v; want 5 starting at u20", len(page), err)
	}
}

// TestAfterKeepsCursorPastDeletedRecord checks that a record deleted
// between reading the creation order and reading the records does not hide
// the entries after the page.
func TestAfterKeepsCursorPastDeletedRecord(t *testing.T) {
	ctx := context.Background()
	srv := redisserver.StartTopology(t)
	s := store.New(srv.Client, "test")
	for i := range 3 {
		if err := s.Create(ctx, "User", record(fmt.Sprintf("u%d", i), fmt.Sprintf("name%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// The record of u1 is gone while its creation-order entry remains, as
	// during a delete that races with the read.
	if err := srv.Client.Del(ctx, "{test}:User:r:u1").Err(); err != nil {
		t.Fatal(err)
	}
	records, next, err := s.After(ctx, "User", 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || records[0].ID != "u0" || next != 2 {
		t.Errorf("After = %d records, next %d; want u0 alone and next 2", len(records), next)
	}
}
