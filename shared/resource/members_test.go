package resource_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

// newGroupService returns a Group service that shares users' store.
func newGroupService(users *resource.Service) *resource.Service {
	return &resource.Service{
		Type:       schema.GroupType,
		Store:      users.Store,
		Indexes:    resource.GroupIndexes(),
		BaseURL:    baseURL,
		MaxResults: 100,
	}
}

func TestMembershipFilters(t *testing.T) {
	ctx := testContext(t)
	users := newService(t)
	groups := newGroupService(users)

	u1 := create(t, ctx, users, "u1@example.com", nil).ID
	u2 := create(t, ctx, users, "u2@example.com", nil).ID
	u3 := create(t, ctx, users, "u3@example.com", nil).ID
	newGroup := func(name string, members ...string) string {
		list := make([]any, len(members))
		for i, id := range members {
			list[i] = map[string]any{"value": id}
		}
		body := fmt.Sprintf(`{"displayName":%q,"members":%s}`, name, mustJSON(t, list))
		r, err := groups.Create(ctx, []byte(body))
		if err != nil {
			t.Fatalf("create group %s: %v", name, err)
		}
		return r.ID
	}
	g1 := newGroup("Staff", u1, u2)
	g2 := newGroup("Admins", u1)
	g3 := newGroup("Empty")

	ids := func(svc *resource.Service, expr string) []string {
		t.Helper()
		page, err := svc.List(ctx, resource.Query{Filter: expr, StartIndex: 1, Count: -1})
		if err != nil {
			t.Fatalf("filter %s: %v", expr, err)
		}
		var out []string
		for _, r := range page.Resources {
			out = append(out, r.ID)
			if r.Doc["members"] != nil || r.Doc["groups"] != nil {
				t.Errorf("filter %s left membership values in %s", expr, r.ID)
			}
		}
		if page.TotalResults != len(out) {
			t.Errorf("filter %s: totalResults %d for %d resources", expr, page.TotalResults, len(out))
		}
		slices.Sort(out)
		return out
	}
	sorted := func(list ...string) []string {
		slices.Sort(list)
		return list
	}

	for _, tt := range []struct {
		svc  *resource.Service
		expr string
		want []string
	}{
		{groups, fmt.Sprintf(`members eq %q`, u1), sorted(g1, g2)},
		{groups, fmt.Sprintf(`members.value eq %q`, u2), []string{g1}},
		{groups, fmt.Sprintf(`members[value eq %q and type eq "User"]`, u1), sorted(g1, g2)},
		{groups, fmt.Sprintf(`members[value eq %q and type eq "Group"]`, u1), nil},
		{groups, fmt.Sprintf(`id eq %q and members eq %q`, g2, u1), []string{g2}},
		{groups, fmt.Sprintf(`id eq %q and members eq %q`, g2, u2), nil},
		{groups, fmt.Sprintf(`not (members eq %q)`, u1), []string{g3}},
		{groups, fmt.Sprintf(`displayName eq "empty" or members eq %q`, u2), sorted(g1, g3)},
		{groups, fmt.Sprintf(`displayName sw "A" and members eq %q`, u1), []string{g2}},
		{users, fmt.Sprintf(`groups eq %q`, g1), sorted(u1, u2)},
		{users, fmt.Sprintf(`groups.value eq %q and userName eq "u2@example.com"`, g1), []string{u2}},
		{users, fmt.Sprintf(`groups[value eq %q]`, g2), []string{u1}},
		{users, `groups.display eq "staff"`, sorted(u1, u2)},
		{users, `not (groups pr)`, []string{u3}},
		{users, fmt.Sprintf(`groups.value eq %q`, g3), nil},
	} {
		if got := ids(tt.svc, tt.expr); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %v, want %v", tt.svc.Type.Name, tt.expr, got, tt.want)
		}
	}

	for _, expr := range []string{`members pr`, `members[type eq "User"]`, `members.display eq "x"`, fmt.Sprintf(`members ne %q`, u1)} {
		_, err := groups.List(ctx, resource.Query{Filter: expr, StartIndex: 1, Count: -1})
		checkSCIMError(t, err, http.StatusBadRequest, "invalidFilter")
	}
}

func TestExpandLimitsMembers(t *testing.T) {
	ctx := testContext(t)
	users := newService(t)
	groups := newGroupService(users)
	groups.MaxMembers = 2
	var members []any
	for i := range 3 {
		members = append(members, map[string]any{"value": create(t, ctx, users, fmt.Sprintf("m%d@example.com", i), nil).ID})
	}
	created, err := groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"Big","members":%s}`, mustJSON(t, members))))
	if err != nil {
		t.Fatal(err)
	}

	got, err := groups.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkSCIMError(t, groups.Expand(ctx, []resource.Resource{got}, schema.Projection{}), http.StatusBadRequest, "tooMany")
	if got.Doc["members"] != nil {
		t.Errorf("Expand over the limit left members %v, want none", got.Doc["members"])
	}
	excluded, _ := groups.Type.ParseProjection("", "members")
	if err := groups.Expand(ctx, []resource.Resource{got}, excluded); err != nil {
		t.Errorf("Expand without members: %v", err)
	}
}

func mustJSON(t *testing.T, value any) string {
	t.Helper()
	encoded, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	return string(encoded)
}

// TestExcludedMembersReadNoMemberHash checks with Redis's own command
// counters that a GET and a list with excludedAttributes=members never read
// a group's member hash.
func TestExcludedMembersReadNoMemberHash(t *testing.T) {
	ctx := testContext(t)
	client := redis.NewClient(&redis.Options{Addr: redisserver.Start(t).Addr})
	t.Cleanup(func() { _ = client.Close() })
	users := &resource.Service{Type: schema.UserType, Store: store.New(client, "test"), Indexes: resource.UserIndexes(), BaseURL: baseURL, MaxResults: 100}
	groups := newGroupService(users)
	member := create(t, ctx, users, "m@example.com", nil)
	created, err := groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"Readers","members":[{"value":%q}]}`, member.ID)))
	if err != nil {
		t.Fatal(err)
	}
	excluded, err := groups.Type.ParseProjection("", "members")
	if err != nil {
		t.Fatal(err)
	}

	// Reads of whole member hashes: HLEN, HSCAN and HGETALL. HMGET is left
	// out, because record reads use it too.
	hashReads := func() int {
		stats, err := client.Info(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, line := range strings.Split(stats, "\n") {
			for _, command := range []string{"hlen", "hscan", "hgetall"} {
				if strings.HasPrefix(line, "cmdstat_"+command+":calls=") {
					n, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(line, "cmdstat_"+command+":calls="), ",", 2)[0])
					total += n
				}
			}
		}
		return total
	}

	before := hashReads()
	got, err := groups.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := groups.Expand(ctx, []resource.Resource{got}, excluded); err != nil {
		t.Fatal(err)
	}
	page, err := groups.List(ctx, resource.Query{Filter: `displayName eq "readers"`, StartIndex: 1, Count: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := groups.Expand(ctx, page.Resources, excluded); err != nil {
		t.Fatal(err)
	}
	if after := hashReads(); after != before {
		t.Errorf("%d member hash reads with excludedAttributes=members, want 0", after-before)
	}

	// The counter does count a plain GET, so the check above can fail.
	if err := groups.Expand(ctx, []resource.Resource{got}, schema.Projection{}); err != nil {
		t.Fatal(err)
	}
	if hashReads() == before {
		t.Error("a GET with members read no member hash, so the counter does not work")
	}
}

// TestDeleteMovesLastModifiedOn checks that the members of a deleted group
// get a later lastModified with their new version, never an earlier one.
func TestDeleteMovesLastModifiedOn(t *testing.T) {
	ctx := testContext(t)
	users := newService(t)
	users.Now = steppingClock()
	groups := newGroupService(users)
	groups.Now = users.Now
	u := create(t, ctx, users, "leaver@example.com", nil)
	g, err := groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"G","members":[{"value":%q}]}`, u.ID)))
	if err != nil {
		t.Fatal(err)
	}
	joined, _ := users.Get(ctx, u.ID)
	if err := groups.Delete(ctx, g.ID, resource.Conditions{}); err != nil {
		t.Fatal(err)
	}
	left, _ := users.Get(ctx, u.ID)
	before := joined.Doc["meta"].(map[string]any)["lastModified"].(string)
	after := left.Doc["meta"].(map[string]any)["lastModified"].(string)
	if left.Version <= joined.Version || after <= before {
		t.Errorf("after the group's delete: version %d -> %d, lastModified %s -> %s; want both later", joined.Version, left.Version, before, after)
	}
}
