package acceptance

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

const groupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"

// entraGroup returns the body Entra ID posts to create a group: always
// empty, with Microsoft's own schema URN beside the core one.
func entraGroup(guid, name string) map[string]any {
	return map[string]any{
		"schemas":     []any{groupURN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
		"externalId":  guid,
		"displayName": name,
		"meta":        map[string]any{"resourceType": "Group"},
	}
}

func createGroup(t *testing.T, name string, members ...string) string {
	t.Helper()
	body := map[string]any{"schemas": []any{groupURN}, "displayName": name}
	if len(members) > 0 {
		body["members"] = memberValues(members...)
	}
	r := call(t, http.MethodPost, "/Groups", body)
	expectStatus(t, r, http.StatusCreated)
	id, _ := r.JSON["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Raw)
	}
	return id
}

func memberValues(ids ...string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
	}
	return out
}

// groupMembers reads a group with its members and returns their ids, sorted.
func groupMembers(t *testing.T, groupID string) []string {
	t.Helper()
	r := call(t, http.MethodGet, "/Groups/"+groupID, nil)
	expectStatus(t, r, http.StatusOK)
	list, _ := r.JSON["members"].([]any)
	ids := make([]string, 0, len(list))
	for _, item := range list {
		member, _ := item.(map[string]any)
		id, _ := member["value"].(string)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestEntraGroupSequence replays the group requests that Microsoft documents
// for Entra ID provisioning, in order, including member removal in both
// PATCH dialects.
func TestEntraGroupSequence(t *testing.T) {
	guid := newGUID(t)
	name := "Group_" + guid
	users := []string{createUser(t, "gm1-"+guid), createUser(t, "gm2-"+guid), createUser(t, "gm3-"+guid)}
	var id string

	t.Run("create returns 201 with empty members", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Groups", entraGroup(guid, name))
		expectStatus(t, r, http.StatusCreated)
		id, _ = r.JSON["id"].(string)
		if id == "" {
			t.Fatalf("no id in %s", r.Raw)
		}
		if members, ok := r.JSON["members"].([]any); !ok || len(members) != 0 {
			t.Errorf(`members = %v, want []`, r.JSON["members"])
		}
		if field(r.JSON, "meta", "resourceType") != "Group" || !strings.HasSuffix(r.Header.Get("Location"), "/scim/Groups/"+id) {
			t.Errorf("meta = %v, Location = %q", r.JSON["meta"], r.Header.Get("Location"))
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("get without members", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Groups/"+id+"?excludedAttributes=members", nil)
		expectStatus(t, r, http.StatusOK)
		if _, ok := r.JSON["members"]; ok {
			t.Errorf("members present despite excludedAttributes=members: %s", r.Raw)
		}
		if r.JSON["displayName"] != name || r.JSON["externalId"] != guid {
			t.Errorf("group = %s", r.Raw)
		}
	})

	t.Run("query by displayName any case", func(t *testing.T) {
		for _, value := range []string{name, strings.ToUpper(name)} {
			r := call(t, http.MethodGet, "/Groups"+filterQuery(`displayName eq "`+value+`"`)+"&excludedAttributes=members", nil)
			expectStatus(t, r, http.StatusOK)
			if r.JSON["totalResults"] != float64(1) || field(r.JSON, "Resources", 0, "id") != id {
				t.Errorf("filter on %q: %s", value, r.Raw)
			}
			if field(r.JSON, "Resources", 0, "members") != nil {
				t.Errorf("members listed despite excludedAttributes: %s", r.Raw)
			}
		}
		r := call(t, http.MethodGet, "/Groups"+filterQuery(`externalId eq "`+guid+`"`), nil)
		if r.JSON["totalResults"] != float64(1) {
			t.Errorf("externalId filter: %s", r.Raw)
		}
	})

	t.Run("duplicate displayName is 409", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Groups", entraGroup(newGUID(t), strings.ToLower(name)))
		expectError(t, r, http.StatusConflict, "uniqueness")
	})

	t.Run("update displayName", func(t *testing.T) {
		name = "Renamed_" + guid
		r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{"op": "Replace", "path": "displayName", "value": name}))
		expectStatus(t, r, http.StatusNoContent)
		if len(r.Raw) != 0 || r.Header.Get("ETag") == "" {
			t.Errorf("204 with body %q, ETag %q", r.Raw, r.Header.Get("ETag"))
		}
		got := call(t, http.MethodGet, "/Groups/"+id, nil)
		if got.JSON["displayName"] != name {
			t.Errorf("displayName = %v, want %s", got.JSON["displayName"], name)
		}
	})

	t.Run("add members", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
			"op": "Add", "path": "members",
			"value": []any{map[string]any{"$ref": nil, "value": users[0]}, map[string]any{"$ref": nil, "value": users[1]}, map[string]any{"$ref": nil, "value": users[2]}},
		}))
		expectStatus(t, r, http.StatusNoContent)
		if got := groupMembers(t, id); !slices.Equal(got, sorted(users...)) {
			t.Errorf("members = %v, want %v", got, sorted(users...))
		}
		g := call(t, http.MethodGet, "/Groups/"+id, nil)
		member, _ := field(g.JSON, "members", 0).(map[string]any)
		if member["type"] != "User" || !strings.HasSuffix(fmt.Sprint(member["$ref"]), "/scim/Users/"+fmt.Sprint(member["value"])) || member["display"] == nil {
			t.Errorf("member = %v, want type, $ref and display", member)
		}
		u := call(t, http.MethodGet, "/Users/"+users[0], nil)
		if field(u.JSON, "groups", 0, "value") != id || field(u.JSON, "groups", 0, "display") != name || field(u.JSON, "groups", 0, "type") != "direct" {
			t.Errorf("user groups = %v, want this group, direct", u.JSON["groups"])
		}
	})

	t.Run("remove members, default dialect", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
			"op": "Remove", "path": "members", "value": []any{map[string]any{"value": users[0]}},
		}))
		expectStatus(t, r, http.StatusNoContent)
		if got := groupMembers(t, id); !slices.Equal(got, sorted(users[1], users[2])) {
			t.Errorf("members = %v, want the other two", got)
		}
	})

	t.Run("remove members, aadOptscim062020 dialect", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
			"op": "remove", "path": `members[value eq "` + users[1] + `"]`,
		}))
		expectStatus(t, r, http.StatusNoContent)
		if got := groupMembers(t, id); !slices.Equal(got, []string{users[2]}) {
			t.Errorf("members = %v, want [%s]", got, users[2])
		}
	})

	t.Run("reference check filters", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Groups"+filterQuery(`id eq "`+id+`" and members eq "`+users[2]+`"`)+"&attributes=id", nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(1) || field(r.JSON, "Resources", 0, "displayName") != nil {
			t.Errorf("member reference check: %s", r.Raw)
		}
		r = call(t, http.MethodGet, "/Groups"+filterQuery(`id eq "`+id+`" and members eq "`+users[0]+`"`)+"&attributes=id", nil)
		if r.JSON["totalResults"] != float64(0) {
			t.Errorf("a removed member still matches: %s", r.Raw)
		}
		r = call(t, http.MethodGet, "/Groups"+filterQuery(`members[value eq "`+users[2]+`"]`), nil)
		if r.JSON["totalResults"] != float64(1) {
			t.Errorf("members[value eq] filter: %s", r.Raw)
		}
		r = call(t, http.MethodGet, "/Users"+filterQuery(`groups.value eq "`+id+`"`), nil)
		if r.JSON["totalResults"] != float64(1) || field(r.JSON, "Resources", 0, "id") != users[2] {
			t.Errorf("groups.value filter: %s", r.Raw)
		}
	})

	t.Run("delete", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/Groups/"+id, nil)
		expectStatus(t, r, http.StatusNoContent)
		expectError(t, call(t, http.MethodGet, "/Groups/"+id, nil), http.StatusNotFound, "")
		u := call(t, http.MethodGet, "/Users/"+users[2], nil)
		if u.JSON["groups"] != nil {
			t.Errorf("a deleted group is still in the user's groups: %v", u.JSON["groups"])
		}
	})
}

// TestOktaGroupPatches replays Okta's group requests: rename with the id in
// the value, remove then re-add of one member in one request, and replace
// of the whole member list.
func TestOktaGroupPatches(t *testing.T) {
	guid := newGUID(t)
	u1, u2, u3 := createUser(t, "ok1-"+guid), createUser(t, "ok2-"+guid), createUser(t, "ok3-"+guid)
	id := createGroup(t, "Okta_"+guid, u1, u2)

	r := call(t, http.MethodGet, "/Groups/"+id, nil)
	if got := groupMembers(t, id); !slices.Equal(got, sorted(u1, u2)) {
		t.Fatalf("members after create = %v; body %s", got, r.Raw)
	}

	r = call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
		"op": "replace", "value": map[string]any{"id": id, "displayName": "Okta2_" + guid},
	}))
	expectStatus(t, r, http.StatusNoContent)

	r = call(t, http.MethodPatch, "/Groups/"+id, patchOp(
		map[string]any{"op": "remove", "path": `members[value eq "` + u1 + `"]`},
		map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": u1, "display": "x"}, map[string]any{"value": u3}}},
	))
	expectStatus(t, r, http.StatusNoContent)
	if got := groupMembers(t, id); !slices.Equal(got, sorted(u1, u2, u3)) {
		t.Errorf("members after remove and re-add = %v, want all three", got)
	}

	r = call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
		"op": "replace", "path": "members", "value": memberValues(u3),
	}))
	expectStatus(t, r, http.StatusNoContent)
	if got := groupMembers(t, id); !slices.Equal(got, []string{u3}) {
		t.Errorf("members after replace = %v, want [%s]", got, u3)
	}

	// A PATCH of an attribute that no schema defines changes nothing.
	before := call(t, http.MethodGet, "/Groups/"+id, nil).Header.Get("ETag")
	r = call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{"op": "replace", "path": "nosuchattr", "value": "x"}))
	expectStatus(t, r, http.StatusNoContent)
	if r.Header.Get("ETag") != before {
		t.Errorf("ETag after a no-op PATCH = %s, want %s", r.Header.Get("ETag"), before)
	}

	// Adding a member twice and removing one that is not there succeed.
	r = call(t, http.MethodPatch, "/Groups/"+id, patchOp(
		map[string]any{"op": "add", "path": "members", "value": memberValues(u3)},
		map[string]any{"op": "remove", "path": "members", "value": memberValues(u1)},
	))
	expectStatus(t, r, http.StatusNoContent)
	if got := groupMembers(t, id); !slices.Equal(got, []string{u3}) {
		t.Errorf("members after idempotent changes = %v, want [%s]", got, u3)
	}

	r = call(t, http.MethodPatch, "/Groups/"+id+"?attributes=displayName", patchOp(map[string]any{
		"op": "add", "path": "members", "value": memberValues(u2),
	}))
	expectStatus(t, r, http.StatusOK)
	if r.JSON["displayName"] != "Okta2_"+guid || r.JSON["members"] != nil {
		t.Errorf("PATCH with attributes = %s, want displayName only", r.Raw)
	}

	// A PUT without members keeps them; one with an empty list clears them.
	r = call(t, http.MethodPut, "/Groups/"+id, map[string]any{"schemas": []any{groupURN}, "displayName": "Okta3_" + guid})
	expectStatus(t, r, http.StatusOK)
	if got := groupMembers(t, id); !slices.Equal(got, sorted(u2, u3)) {
		t.Errorf("members after PUT without members = %v, want both kept", got)
	}
	r = call(t, http.MethodPut, "/Groups/"+id, map[string]any{"schemas": []any{groupURN}, "displayName": "Okta3_" + guid, "members": []any{}})
	expectStatus(t, r, http.StatusOK)
	if got := groupMembers(t, id); len(got) != 0 {
		t.Errorf("members after PUT with [] = %v, want none", got)
	}
}

// TestGroupMemberErrors checks that a request naming a member that does not
// exist changes nothing, and that other bad member input gets SCIM errors.
func TestGroupMemberErrors(t *testing.T) {
	guid := newGUID(t)
	u1, u2 := createUser(t, "ge1-"+guid), createUser(t, "ge2-"+guid)
	id := createGroup(t, "Err_"+guid, u1)
	before := call(t, http.MethodGet, "/Groups/"+id, nil)

	r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(
		map[string]any{"op": "replace", "path": "displayName", "value": "Changed_" + guid},
		map[string]any{"op": "add", "path": "members", "value": memberValues(u2, "no-such-user")},
	))
	expectError(t, r, http.StatusBadRequest, "invalidValue")
	if !strings.Contains(fmt.Sprint(r.JSON["detail"]), "no-such-user") {
		t.Errorf("detail does not name the missing member: %v", r.JSON["detail"])
	}
	after := call(t, http.MethodGet, "/Groups/"+id, nil)
	if after.JSON["displayName"] != before.JSON["displayName"] || after.Header.Get("ETag") != before.Header.Get("ETag") {
		t.Errorf("a rejected PATCH changed the group: %s", after.Raw)
	}
	if got := groupMembers(t, id); !slices.Equal(got, []string{u1}) {
		t.Errorf("a rejected PATCH changed members: %v", got)
	}

	r = call(t, http.MethodPost, "/Groups", map[string]any{"schemas": []any{groupURN}, "displayName": "Missing_" + guid, "members": memberValues("ghost")})
	expectError(t, r, http.StatusBadRequest, "invalidValue")
	if r := call(t, http.MethodGet, "/Groups"+filterQuery(`displayName eq "Missing_`+guid+`"`), nil); r.JSON["totalResults"] != float64(0) {
		t.Errorf("a rejected create stored the group: %s", r.Raw)
	}

	for _, tt := range []struct {
		name     string
		op       map[string]any
		scimType string
	}{
		{"itself as member", map[string]any{"op": "add", "path": "members", "value": memberValues(id)}, "invalidValue"},
		{"wrong type", map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": u2, "type": "Group"}}}, "invalidValue"},
		{"unknown type", map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": u2, "type": "Robot"}}}, "invalidValue"},
		{"member without value", map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"display": "x"}}}, "invalidValue"},
		{"members not a list", map[string]any{"op": "add", "path": "members", "value": "u"}, "invalidValue"},
		{"filter by display", map[string]any{"op": "remove", "path": `members[display eq "x"]`}, "invalidFilter"},
		{"sub-attribute change", map[string]any{"op": "replace", "path": `members[value eq "` + u1 + `"].display`, "value": "x"}, "mutability"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, call(t, http.MethodPatch, "/Groups/"+id, patchOp(tt.op)), http.StatusBadRequest, tt.scimType)
		})
	}

	// Each operation must be valid on its own, even when a later one undoes
	// it, as applying them one after another would show.
	undone := call(t, http.MethodPatch, "/Groups/"+id, patchOp(
		map[string]any{"op": "add", "path": "members", "value": memberValues("ghost")},
		map[string]any{"op": "remove", "path": `members[value eq "ghost"]`},
	))
	expectError(t, undone, http.StatusBadRequest, "invalidValue")

	// A PUT whose member has no value is rejected, not read as no members.
	put := call(t, http.MethodPut, "/Groups/"+id, map[string]any{
		"schemas": []any{groupURN}, "displayName": "Err_" + guid, "members": []any{map[string]any{"display": "x"}},
	})
	expectError(t, put, http.StatusBadRequest, "invalidValue")
	if got := groupMembers(t, id); !slices.Equal(got, []string{u1}) {
		t.Errorf("members after rejected requests = %v, want [%s]", got, u1)
	}

	expectError(t, call(t, http.MethodGet, "/Users?sortBy=groups.display", nil), http.StatusBadRequest, "invalidValue")

	bad := call(t, http.MethodGet, "/Groups"+filterQuery(`members.display eq "x"`), nil)
	expectError(t, bad, http.StatusBadRequest, "invalidFilter")
}

// TestDeletingUserLeavesGroups checks that a deleted user disappears from
// every group, and that the groups' versions move on.
func TestDeletingUserLeavesGroups(t *testing.T) {
	guid := newGUID(t)
	u1, u2 := createUser(t, "gd1-"+guid), createUser(t, "gd2-"+guid)
	g1 := createGroup(t, "Del1_"+guid, u1, u2)
	g2 := createGroup(t, "Del2_"+guid, u1, g1)
	before := call(t, http.MethodGet, "/Groups/"+g1, nil).Header.Get("ETag")

	expectStatus(t, call(t, http.MethodDelete, "/Users/"+u1, nil), http.StatusNoContent)
	if got := groupMembers(t, g1); !slices.Equal(got, []string{u2}) {
		t.Errorf("members of g1 = %v, want [%s]", got, u2)
	}
	if got := groupMembers(t, g2); !slices.Equal(got, []string{g1}) {
		t.Errorf("members of g2 = %v, want [%s]", got, g1)
	}
	if after := call(t, http.MethodGet, "/Groups/"+g1, nil).Header.Get("ETag"); after == before {
		t.Errorf("ETag of g1 stayed %s after a member was deleted", after)
	}
	g := call(t, http.MethodGet, "/Groups/"+g2, nil)
	if field(g.JSON, "members", 0, "type") != "Group" || !strings.HasSuffix(fmt.Sprint(field(g.JSON, "members", 0, "$ref")), "/scim/Groups/"+g1) {
		t.Errorf("nested member = %v, want type Group with a /Groups/ $ref", field(g.JSON, "members", 0))
	}
	g = call(t, http.MethodGet, "/Groups/"+g2+"?attributes=members.value", nil)
	member, _ := field(g.JSON, "members", 0).(map[string]any)
	if len(member) != 1 || member["value"] != g1 || g.JSON["displayName"] != nil {
		t.Errorf("attributes=members.value gave %s, want only member values", g.Raw)
	}
	u := call(t, http.MethodGet, "/Users/"+u2+"?excludedAttributes=groups.display", nil)
	ref, _ := field(u.JSON, "groups", 0).(map[string]any)
	if ref["value"] != g1 || ref["display"] != nil {
		t.Errorf("excludedAttributes=groups.display gave %v", u.JSON["groups"])
	}
}

// TestConcurrentMemberPatchesLoseNothing sends PATCH requests that each add
// a different member to one group at the same time.
func TestConcurrentMemberPatchesLoseNothing(t *testing.T) {
	guid := newGUID(t)
	const writers = 20
	users := make([]string, writers)
	for i := range users {
		users[i] = createUser(t, fmt.Sprintf("gc%d-%s", i, guid))
	}
	id := createGroup(t, "Concurrent_"+guid)

	var wg sync.WaitGroup
	statuses := make([]int, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
				"op": "add", "path": "members", "value": memberValues(users[i]),
			}))
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	for i, status := range statuses {
		if status != http.StatusNoContent {
			t.Errorf("writer %d got %d", i, status)
		}
	}
	if got := groupMembers(t, id); !slices.Equal(got, sorted(users...)) {
		t.Errorf("group has %d members after %d concurrent adds", len(got), writers)
	}
}
