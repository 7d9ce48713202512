package route_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/route"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		path         string
		wantOK       bool
		wantFunction string
		wantPattern  string
		wantID       string
		wantKnown    bool
	}{
		{"post creates user", http.MethodPost, "/Users", true, route.UsersCreate, "/Users", "", true},
		{"get lists users", http.MethodGet, "/Users", true, route.UsersList, "/Users", "", true},
		{"list users lower case", http.MethodGet, "/users", true, route.UsersList, "/Users", "", true},
		{"list users trailing slash", http.MethodGet, "/Users/", true, route.UsersList, "/Users", "", true},
		{"post searches users", http.MethodPost, "/Users/.search", true, route.UsersList, "/Users/.search", "", true},
		{"search users upper case", http.MethodPost, "/users/.SEARCH", true, route.UsersList, "/Users/.search", "", true},
		{"get one user", http.MethodGet, "/Users/abc-123", true, route.UsersGet, "/Users/{id}", "abc-123", true},
		{"get user lower case", http.MethodGet, "/users/abc-123", true, route.UsersGet, "/Users/{id}", "abc-123", true},
		{"id keeps its case", http.MethodGet, "/Users/AbC", true, route.UsersGet, "/Users/{id}", "AbC", true},
		{"put replaces user", http.MethodPut, "/Users/u1", true, route.UsersReplace, "/Users/{id}", "u1", true},
		{"patch updates user", http.MethodPatch, "/Users/u1", true, route.UsersPatch, "/Users/{id}", "u1", true},
		{"delete removes user", http.MethodDelete, "/Users/u1", true, route.UsersDelete, "/Users/{id}", "u1", true},
		{"post creates group", http.MethodPost, "/Groups", true, route.GroupsCreate, "/Groups", "", true},
		{"get lists groups", http.MethodGet, "/Groups", true, route.GroupsList, "/Groups", "", true},
		{"list groups lower case", http.MethodGet, "/groups", true, route.GroupsList, "/Groups", "", true},
		{"post searches groups", http.MethodPost, "/Groups/.search", true, route.GroupsList, "/Groups/.search", "", true},
		{"search groups upper case", http.MethodPost, "/groups/.SEARCH", true, route.GroupsList, "/Groups/.search", "", true},
		{"get one group", http.MethodGet, "/Groups/g1", true, route.GroupsGet, "/Groups/{id}", "g1", true},
		{"put replaces group", http.MethodPut, "/Groups/g1", true, route.GroupsReplace, "/Groups/{id}", "g1", true},
		{"patch updates group", http.MethodPatch, "/Groups/g1", true, route.GroupsPatch, "/Groups/{id}", "g1", true},
		{"delete removes group", http.MethodDelete, "/Groups/g1", true, route.GroupsDelete, "/Groups/{id}", "g1", true},
		{"service provider config", http.MethodGet, "/ServiceProviderConfig", true, route.Discovery, "/ServiceProviderConfig", "", true},
		{"all resource types", http.MethodGet, "/ResourceTypes", true, route.Discovery, "/ResourceTypes", "", true},
		{"resource type by id", http.MethodGet, "/ResourceTypes/User", true, route.Discovery, "/ResourceTypes/{id}", "User", true},
		{"all schemas listed", http.MethodGet, "/Schemas", true, route.Discovery, "/Schemas", "", true},
		{"schema by id", http.MethodGet, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", true, route.Discovery, "/Schemas/{id}", "urn:ietf:params:scim:schemas:core:2.0:User", true},
		{"schema discovery alias", http.MethodGet, "/schemaDiscovery", true, route.Discovery, "/schemaDiscovery", "", true},
		{"schema discovery by id", http.MethodGet, "/schemaDiscovery/x", true, route.Discovery, "/schemaDiscovery/{id}", "x", true},

		{"get search is not id", http.MethodGet, "/Users/.search", false, "", "", "", true},
		{"delete search is not id", http.MethodDelete, "/Users/.search", false, "", "", "", true},
		{"get group search is not id", http.MethodGet, "/Groups/.search", false, "", "", "", true},
		{"delete group search is not id", http.MethodDelete, "/Groups/.search", false, "", "", "", true},
		{"put on groups collection", http.MethodPut, "/Groups", false, "", "", "", true},
		{"put on collection", http.MethodPut, "/Users", false, "", "", "", true},
		{"post on one user", http.MethodPost, "/Users/u1", false, "", "", "", true},
		{"delete service provider config", http.MethodDelete, "/ServiceProviderConfig", false, "", "", "", true},

		{"group members not routed", http.MethodGet, "/Groups/g1/members", false, "", "", "", false},
		{"too many segments", http.MethodGet, "/Users/u1/extra", false, "", "", "", false},
		{"empty id segment", http.MethodGet, "/Users//x", false, "", "", "", false},
		{"empty relative path", http.MethodGet, "", false, "", "", "", false},
		{"root relative path", http.MethodGet, "/", false, "", "", "", false},
		{"bulk endpoint not routed", http.MethodPost, "/Bulk", false, "", "", "", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, id, ok, known := route.Match(tt.method, tt.path)
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if known != tt.wantKnown {
				t.Errorf("pathKnown = %v, want %v", known, tt.wantKnown)
			}
			if r.Function != tt.wantFunction {
				t.Errorf("Function = %q, want %q", r.Function, tt.wantFunction)
			}
			if r.Pattern != tt.wantPattern {
				t.Errorf("Pattern = %q, want %q", r.Pattern, tt.wantPattern)
			}
			if tt.wantOK && r.Method != tt.method {
				t.Errorf("Method = %q, want %q", r.Method, tt.method)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
		})
	}
}

// TestMatchEveryTableRoute checks that each route of the table matches a
// path built from its own pattern, so that a route added later cannot be
// shadowed by an earlier one.
func TestMatchEveryTableRoute(t *testing.T) {
	for _, want := range route.Table() {
		t.Run("table route "+want.Method+" "+want.Pattern, func(t *testing.T) {
			path := want.Pattern
			wantID := ""
			if prefix, found := strings.CutSuffix(path, "{id}"); found {
				path = prefix + "some-id"
				wantID = "some-id"
			}

			got, id, ok, known := route.Match(want.Method, path)
			if !ok {
				t.Fatalf("Match(%s, %s) found no route", want.Method, path)
			}
			if !known {
				t.Errorf("pathKnown = false for a matched route")
			}
			if got != want {
				t.Errorf("route = %+v, want %+v", got, want)
			}
			if id != wantID {
				t.Errorf("id = %q, want %q", id, wantID)
			}
		})
	}
}

func TestRelative(t *testing.T) {
	tests := []struct {
		name     string
		basePath string
		path     string
		want     string
	}{
		{"strips base path", "/scim", "/scim/Users", "/Users"},
		{"strips nested base path", "/scim/v2", "/scim/v2/Users/u1", "/Users/u1"},
		{"base path any case", "/scim", "/SCIM/Users", "/Users"},
		{"base path alone", "/scim", "/scim", ""},
		{"path without base path", "/scim", "/Users", "/Users"},
		{"no base path configured", "", "/scim/Users", "/scim/Users"},
		{"prefix not at boundary", "/scim", "/scimx/Users", "/scimx/Users"},
		{"path shorter than base", "/scim/v2", "/scim", "/scim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := route.Relative(tt.basePath, tt.path); got != tt.want {
				t.Errorf("Relative(%q, %q) = %q, want %q", tt.basePath, tt.path, got, tt.want)
			}
		})
	}
}

func TestRelativeNotBoundaryIsUnrouted(t *testing.T) {
	relative := route.Relative("/scim", "/scimx/Users")
	_, _, ok, known := route.Match(http.MethodGet, relative)
	if ok {
		t.Errorf("GET %s matched a route", relative)
	}
	if known {
		t.Errorf("GET %s reported a known path", relative)
	}
}

func TestFunctions(t *testing.T) {
	names := route.Functions()

	want := []string{
		route.UsersCreate, route.UsersList, route.UsersGet, route.UsersReplace,
		route.UsersPatch, route.UsersDelete,
		route.GroupsCreate, route.GroupsList, route.GroupsGet, route.GroupsReplace,
		route.GroupsPatch, route.GroupsDelete, route.Discovery,
	}
	if !slices.Equal(names, want) {
		t.Errorf("Functions() = %v, want %v", names, want)
	}

	for _, r := range route.Table() {
		t.Run("function of "+r.Method+" "+r.Pattern, func(t *testing.T) {
			if n := countOf(names, r.Function); n != 1 {
				t.Errorf("%s appears %d times in Functions(), want once", r.Function, n)
			}
		})
	}
}

func countOf(list []string, value string) int {
	n := 0
	for _, item := range list {
		if item == value {
			n++
		}
	}
	return n
}

func TestPath(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"path stored by WithPath", route.WithPath(context.Background(), "/scim/Users"), "/scim/Users"},
		{"latest path wins", route.WithPath(route.WithPath(context.Background(), "/a"), "/b"), "/b"},
		{"no stored path", context.Background(), ""},
		{"other value with same text", context.WithValue(context.Background(), otherKey{}, "/scim/Users"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := route.Path(tt.ctx); got != tt.want {
				t.Errorf("Path() = %q, want %q", got, tt.want)
			}
		})
	}
}

type otherKey struct{}
