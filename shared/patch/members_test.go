package patch_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/scimfaas/scimfaas/shared/patch"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

func TestSplitMembers(t *testing.T) {
	ref := func(id string) patch.MemberRef { return patch.MemberRef{ID: id} }
	tests := []struct {
		name     string
		ops      string
		want     patch.MemberDelta
		restOps  int
		scimType string
	}{
		{"Entra add", `{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"value":"u2"}]}`,
			patch.MemberDelta{Add: []patch.MemberRef{ref("u1"), ref("u2")}}, 0, ""},
		{"Entra default remove keeps the others", `{"op":"Remove","path":"members","value":[{"value":"u1"}]}`,
			patch.MemberDelta{Remove: []string{"u1"}}, 0, ""},
		{"flagged remove by filter", `{"op":"remove","path":"members[value eq \"u1\"]"}`,
			patch.MemberDelta{Remove: []string{"u1"}}, 0, ""},
		{"filter with or", `{"op":"remove","path":"members[value eq \"u1\" or value eq \"u2\"]"}`,
			patch.MemberDelta{Remove: []string{"u1", "u2"}}, 0, ""},
		{"Okta remove then add", `{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u1","display":"A"}]}`,
			patch.MemberDelta{Add: []patch.MemberRef{ref("u1")}}, 0, ""},
		{"replace the list", `{"op":"replace","path":"members","value":[{"value":"u3","type":"user"}]}`,
			patch.MemberDelta{Replace: true, Add: []patch.MemberRef{{ID: "u3", Type: "User"}}}, 0, ""},
		{"remove all", `{"op":"remove","path":"members"}`, patch.MemberDelta{Replace: true}, 0, ""},
		{"remove of an empty list", `{"op":"Remove","path":"members","value":[]}`, patch.MemberDelta{}, 0, ""},
		{"add after remove all", `{"op":"remove","path":"members"},{"op":"add","path":"members","value":{"value":"u1"}}`,
			patch.MemberDelta{Replace: true, Add: []patch.MemberRef{ref("u1")}}, 0, ""},
		{"fully qualified path", `{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members","value":[{"value":"u1"}]}`,
			patch.MemberDelta{Add: []patch.MemberRef{ref("u1")}}, 0, ""},
		{"no-path value keeps the rest", `{"op":"add","value":{"displayName":"New","Members":[{"value":"u1"}]}}`,
			patch.MemberDelta{Add: []patch.MemberRef{ref("u1")}}, 1, ""},
		{"rename passes through", `{"op":"replace","value":{"id":"g1","displayName":"New"}}`, patch.MemberDelta{}, 1, ""},
		{"members named twice in a no-path value", `{"op":"add","value":{"members":[{"value":"u1"}],"Members":[{"value":"u2"}]}}`,
			patch.MemberDelta{Add: []patch.MemberRef{ref("u2"), ref("u1")}}, 0, ""},
		{"add undone by a later remove is verified", `{"op":"add","path":"members","value":[{"value":"ghost","type":"User"}]},{"op":"remove","path":"members[value eq \"ghost\"]"}`,
			patch.MemberDelta{Remove: []string{"ghost"}, Verify: []patch.MemberRef{{ID: "ghost", Type: "User"}}}, 0, ""},
		{"type of an earlier add is verified", `{"op":"add","path":"members","value":[{"value":"u1","type":"Group"}]},{"op":"add","path":"members","value":[{"value":"u1","type":"User"}]}`,
			patch.MemberDelta{Add: []patch.MemberRef{{ID: "u1", Type: "User"}}, Verify: []patch.MemberRef{{ID: "u1", Type: "Group"}}}, 0, ""},
		{"filter on display", `{"op":"remove","path":"members[display eq \"A\"]"}`, patch.MemberDelta{}, 0, scimerr.InvalidFilter},
		{"add with filter", `{"op":"add","path":"members[value eq \"u1\"]","value":[{"value":"u1"}]}`, patch.MemberDelta{}, 0, scimerr.InvalidPath},
		{"sub-attribute", `{"op":"replace","path":"members.display","value":"x"}`, patch.MemberDelta{}, 0, scimerr.Mutability},
		{"value not an object", `{"op":"add","path":"members","value":["u1"]}`, patch.MemberDelta{}, 0, scimerr.InvalidValue},
		{"empty id", `{"op":"add","path":"members","value":[{"value":" "}]}`, patch.MemberDelta{}, 0, scimerr.InvalidValue},
		{"unknown type", `{"op":"add","path":"members","value":[{"value":"u1","type":"Device"}]}`, patch.MemberDelta{}, 0, scimerr.InvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := patch.Parse([]byte(request(tt.ops)))
			if err != nil {
				t.Fatal(err)
			}
			rest, delta, err := patch.SplitMembers(schema.GroupType, ops, "members")
			if tt.scimType != "" {
				if e := scimerr.As(err); e == nil || e.Type != tt.scimType {
					t.Fatalf("err = %v, want scimType %s", err, tt.scimType)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(delta, tt.want) {
				t.Errorf("delta = %+v, want %+v", delta, tt.want)
			}
			if len(rest) != tt.restOps {
				t.Errorf("%d operations left, want %d: %+v", len(rest), tt.restOps, rest)
			}
			for _, op := range rest {
				if value, ok := op.Value.(map[string]any); ok && value["Members"] != nil {
					t.Errorf("members left in a no-path value: %v", value)
				}
			}
		})
	}
}

// FuzzSplitMembers checks that any member operation either folds into a
// delta or fails with a SCIM 400 error, and that the delta names each id
// once.
func FuzzSplitMembers(f *testing.F) {
	f.Add("add", "members", `[{"value":"u1"},{"value":"u2","type":"User"}]`)
	f.Add("Remove", "members", `[{"value":"u1"}]`)
	f.Add("remove", `members[value eq "u1" or value eq "u2"]`, `null`)
	f.Add("replace", "members", `{"value":"u3"}`)
	f.Add("replace", "", `{"id":"g1","displayName":"x","members":[{"value":"u1"}]}`)
	f.Add("remove", `members[value eq "u1"].display`, `null`)

	f.Fuzz(func(t *testing.T, op, path, value string) {
		ops, err := patch.Parse(operationBody(t, op, path, value))
		if err != nil {
			return
		}
		_, delta, err := patch.SplitMembers(schema.GroupType, ops, "members")
		if err != nil {
			if e := scimerr.As(err); e == nil || e.Status != http.StatusBadRequest {
				t.Fatalf("error %v is not a SCIM 400", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, ref := range delta.Add {
			if ref.ID == "" || seen[ref.ID] {
				t.Fatalf("delta adds empty or repeated id %q: %+v", ref.ID, delta)
			}
			seen[ref.ID] = true
		}
		for _, id := range delta.Remove {
			if seen[id] {
				t.Fatalf("delta adds and removes %q: %+v", id, delta)
			}
			seen[id] = true
		}
	})
}
