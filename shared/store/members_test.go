package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/scimfaas/scimfaas/shared/store"
)

func user(id, name string) store.Record {
	rec := record(id, name)
	rec.Display = name
	return rec
}

func group(id, name string, add ...string) store.Record {
	rec := store.Record{ID: id, Display: name, Data: []byte(fmt.Sprintf(`{"id":%q,"displayName":%q}`, id, name))}
	if len(add) > 0 {
		rec.Members = &store.MemberChange{}
		for _, member := range add {
			rec.Members.Add = append(rec.Members.Add, store.NewMember{ID: member})
		}
	}
	return rec
}

func memberIDs(t *testing.T, s *store.Redis, groupID string) []string {
	t.Helper()
	members, err := s.Members(context.Background(), groupID, 1000)
	if err != nil {
		t.Fatalf("members of %s: %v", groupID, err)
	}
	var ids []string
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	return ids
}

func groupIDs(t *testing.T, s *store.Redis, id string) []string {
	t.Helper()
	groups, err := s.GroupsOf(context.Background(), []string{id})
	if err != nil {
		t.Fatalf("groups of %s: %v", id, err)
	}
	var ids []string
	for _, g := range groups[id] {
		ids = append(ids, g.ID)
	}
	return ids
}

// changeMembers applies a member change to the stored group g and returns
// the new version.
func changeMembers(t *testing.T, s *store.Redis, groupID string, change store.MemberChange) (int64, error) {
	t.Helper()
	ctx := context.Background()
	old, err := s.Get(ctx, store.GroupType, groupID)
	if err != nil {
		t.Fatal(err)
	}
	next := old
	next.Members = &change
	return s.Update(ctx, store.GroupType, old, next, false)
}

func TestMembersAndBackReferences(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, rec := range []store.Record{user("u1", "alice"), user("u2", "bob")} {
		if err := s.Create(ctx, "User", rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, store.GroupType, group("g1", "staff", "u1")); err != nil {
		t.Fatalf("create group with a member: %v", err)
	}
	if err := s.Create(ctx, store.GroupType, group("g2", "admins", "g1", "u1")); err != nil {
		t.Fatalf("create group with a nested group: %v", err)
	}

	members, err := s.Members(ctx, "g2", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Member{{ID: "g1", Type: "Group", Display: "staff"}, {ID: "u1", Type: "User", Display: "alice"}}
	if !slices.Equal(members, want) {
		t.Errorf("members of g2 = %v, want %v", members, want)
	}
	if got := groupIDs(t, s, "u1"); !slices.Equal(got, []string{"g1", "g2"}) {
		t.Errorf("groups of u1 = %v, want [g1 g2]", got)
	}

	version, err := changeMembers(t, s, "g1", store.MemberChange{Add: []store.NewMember{{ID: "u1"}, {ID: "u2", Type: "User"}}})
	if err != nil || version != 3 {
		// g1 was created at 1 and touched to 2 when it joined g2.
		t.Fatalf("add u2 to g1: version %d, %v; want 3", version, err)
	}
	if got := memberIDs(t, s, "g1"); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Errorf("members of g1 = %v, want [u1 u2]", got)
	}
	u2, _ := s.Get(ctx, "User", "u2")
	if u2.Version != 2 {
		t.Errorf("u2 version after joining g1 = %d, want 2", u2.Version)
	}

	// Adding a member again and removing one that is not there change
	// nothing, so the version stays.
	version, err = changeMembers(t, s, "g1", store.MemberChange{Add: []store.NewMember{{ID: "u2"}}, Remove: []string{"nobody"}})
	if err != nil || version != 3 {
		t.Errorf("idempotent change: version %d, %v; want 3", version, err)
	}

	_, err = changeMembers(t, s, "g1", store.MemberChange{Remove: []string{"u1"}, Add: []store.NewMember{{ID: "ghost"}}})
	var missing *store.MissingMemberError
	if !errors.As(err, &missing) || missing.ID != "ghost" {
		t.Fatalf("add of a missing member: err = %v, want MissingMemberError for ghost", err)
	}
	if got := memberIDs(t, s, "g1"); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Errorf("a rejected change changed the members: %v", got)
	}
	_, err = changeMembers(t, s, "g1", store.MemberChange{Add: []store.NewMember{{ID: "u1", Type: "Group"}}})
	if !errors.As(err, &missing) || !missing.WrongType {
		t.Errorf("add with the wrong type: err = %v, want a wrong-type MissingMemberError", err)
	}

	if _, err := changeMembers(t, s, "g1", store.MemberChange{Replace: true, Add: []store.NewMember{{ID: "u2"}}}); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, s, "g1"); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("members after replace = %v, want [u2]", got)
	}
	if got := groupIDs(t, s, "u1"); !slices.Equal(got, []string{"g2"}) {
		t.Errorf("groups of u1 after replace = %v, want [g2]", got)
	}
}

func TestDeleteCleansMemberships(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, rec := range []store.Record{user("u1", "alice"), user("u2", "bob")} {
		if err := s.Create(ctx, "User", rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, store.GroupType, group("g1", "staff", "u1", "u2")); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, store.GroupType, group("g2", "admins", "u1", "g1")); err != nil {
		t.Fatal(err)
	}

	u1, _ := s.Get(ctx, "User", "u1")
	if err := s.Delete(ctx, "User", u1, "2026-01-01T00:00:00.000Z"); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, s, "g1"); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("members of g1 after deleting u1 = %v, want [u2]", got)
	}
	if got := memberIDs(t, s, "g2"); !slices.Equal(got, []string{"g1"}) {
		t.Errorf("members of g2 after deleting u1 = %v, want [g1]", got)
	}

	g1, _ := s.Get(ctx, store.GroupType, "g1")
	if err := s.Delete(ctx, store.GroupType, g1, "2026-01-01T00:00:00.000Z"); err != nil {
		t.Fatal(err)
	}
	if got := groupIDs(t, s, "u2"); len(got) != 0 {
		t.Errorf("groups of u2 after deleting g1 = %v, want none", got)
	}
	if got := memberIDs(t, s, "g2"); len(got) != 0 {
		t.Errorf("members of g2 after deleting g1 = %v, want none", got)
	}
	if n, _ := s.MemberCount(ctx, "g1"); n != 0 {
		t.Errorf("deleted group still has %d members", n)
	}
}

func TestRenameUpdatesMemberDisplay(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.Create(ctx, "User", user("u1", "alice")); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, store.GroupType, group("g1", "staff", "u1")); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Get(ctx, store.GroupType, "g1")
	old, _ := s.Get(ctx, "User", "u1")
	if _, err := s.Update(ctx, "User", old, user("u1", "alicia"), true); err != nil {
		t.Fatal(err)
	}
	members, err := s.Members(ctx, "g1", 10)
	if err != nil || len(members) != 1 || members[0].Display != "alicia" {
		t.Errorf("members after rename = %v, %v; want alicia", members, err)
	}
	after, _ := s.Get(ctx, store.GroupType, "g1")
	if after.Version != before.Version+1 {
		t.Errorf("group version after a member's rename = %d, want %d", after.Version, before.Version+1)
	}
}

func TestMembersLimit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var ids []string
	for i := range 5 {
		id := fmt.Sprintf("u%d", i)
		if err := s.Create(ctx, "User", user(id, id)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := s.Create(ctx, store.GroupType, group("g1", "staff", ids...)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Members(ctx, "g1", 4); !errors.Is(err, store.ErrTooManyMembers) {
		t.Errorf("members over the limit: err = %v, want ErrTooManyMembers", err)
	}
	among, err := s.MembersAmong(ctx, []string{"g1", "g-none"}, []string{"u3", "zz"})
	if err != nil || len(among) != 1 || len(among["g1"]) != 1 || among["g1"][0].ID != "u3" {
		t.Errorf("members among = %v, %v; want g1: [u3]", among, err)
	}
}

func TestConcurrentMemberAddsKeepAll(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const writers = 16
	for i := range writers {
		id := fmt.Sprintf("u%02d", i)
		if err := s.Create(ctx, "User", user(id, id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, store.GroupType, group("g1", "staff")); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer retries a bounded number of times on a lost race.
			for attempt := 0; attempt < 100; attempt++ {
				old, err := s.Get(ctx, store.GroupType, "g1")
				if err != nil {
					t.Error(err)
					return
				}
				next := old
				next.Members = &store.MemberChange{Add: []store.NewMember{{ID: fmt.Sprintf("u%02d", i)}}}
				_, err = s.Update(ctx, store.GroupType, old, next, false)
				if errors.Is(err, store.ErrVersionMismatch) {
					continue
				}
				if err != nil {
					t.Error(err)
				}
				return
			}
			t.Errorf("writer %d lost every race", i)
		}()
	}
	wg.Wait()
	if n, _ := s.MemberCount(ctx, "g1"); n != writers {
		t.Errorf("group has %d members after %d concurrent adds", n, writers)
	}
}

// TestMembershipStaysConsistentUnderRaces runs member adds, removes and
// deletes of users and groups from several goroutines at once, then checks
// that every member entry has its back-reference and the other way round,
// and that no entry names a deleted resource.
func TestMembershipStaysConsistentUnderRaces(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const users, groups, workers, opsPerWorker = 12, 4, 8, 40
	for i := range users {
		id := fmt.Sprintf("u%02d", i)
		if err := s.Create(ctx, "User", user(id, id)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range groups {
		if err := s.Create(ctx, store.GroupType, group(fmt.Sprintf("g%d", i), fmt.Sprintf("group %d", i))); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := range opsPerWorker {
				n := w*opsPerWorker + op
				groupID := fmt.Sprintf("g%d", n%groups)
				member := fmt.Sprintf("u%02d", (n*7)%users)
				var err error
				switch n % 5 {
				case 0, 1:
					err = raceMemberChange(ctx, s, groupID, store.MemberChange{Add: []store.NewMember{{ID: member}}})
				case 2:
					err = raceMemberChange(ctx, s, groupID, store.MemberChange{Remove: []string{member}})
				case 3:
					err = raceMemberChange(ctx, s, groupID, store.MemberChange{Add: []store.NewMember{{ID: fmt.Sprintf("g%d", (n+1)%groups)}}})
				case 4:
					if rec, getErr := s.Get(ctx, "User", member); getErr == nil {
						err = s.Delete(ctx, "User", rec, "2026-01-01T00:00:00.000Z")
					}
				}
				var missing *store.MissingMemberError
				if err != nil && !errors.Is(err, store.ErrVersionMismatch) && !errors.Is(err, store.ErrNotFound) && !errors.As(err, &missing) {
					t.Errorf("operation %d: %v", n, err)
				}
			}
		}()
	}
	wg.Wait()

	exists := func(resourceType, id string) bool {
		_, err := s.Get(ctx, resourceType, id)
		return err == nil
	}
	for g := range groups {
		groupID := fmt.Sprintf("g%d", g)
		members, err := s.Members(ctx, groupID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if !exists(m.Type, m.ID) {
				t.Errorf("group %s lists %s %s, which was deleted", groupID, m.Type, m.ID)
			}
			if back := groupIDs(t, s, m.ID); !slices.Contains(back, groupID) {
				t.Errorf("member %s of %s lacks the back-reference: %v", m.ID, groupID, back)
			}
		}
	}
	for i := range users {
		id := fmt.Sprintf("u%02d", i)
		for _, groupID := range groupIDs(t, s, id) {
			if !exists("User", id) {
				t.Errorf("deleted user %s still lists group %s", id, groupID)
			}
			if !slices.Contains(memberIDs(t, s, groupID), id) {
				t.Errorf("user %s lists group %s, which does not list it", id, groupID)
			}
		}
	}
}

// raceMemberChange applies a member change to the group's current version
// once, returning ErrVersionMismatch when another write got in between.
func raceMemberChange(ctx context.Context, s *store.Redis, groupID string, change store.MemberChange) error {
	old, err := s.Get(ctx, store.GroupType, groupID)
	if err != nil {
		return err
	}
	next := old
	next.Members = &change
	_, err = s.Update(ctx, store.GroupType, old, next, false)
	return err
}
