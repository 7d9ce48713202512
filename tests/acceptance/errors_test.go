package acceptance

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func createUser(t *testing.T, userName string) string {
	t.Helper()
	r := call(t, http.MethodPost, "/Users", map[string]any{
		"schemas":  []any{userURN},
		"userName": userName,
		"active":   true,
	})
	expectStatus(t, r, http.StatusCreated)
	id, _ := r.JSON["id"].(string)
	return id
}

func TestDuplicateUserNameConflicts(t *testing.T) {
	guid := newGUID(t)
	first := "dup_" + guid
	createUser(t, first)
	secondID := createUser(t, "other_"+guid)

	t.Run("post in other case", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Users", map[string]any{"schemas": []any{userURN}, "userName": strings.ToUpper(first)})
		expectError(t, r, http.StatusConflict, "uniqueness")
	})
	t.Run("put onto taken name", func(t *testing.T) {
		r := call(t, http.MethodPut, "/Users/"+secondID, map[string]any{"schemas": []any{userURN}, "userName": first})
		expectError(t, r, http.StatusConflict, "uniqueness")
	})
	t.Run("patch onto taken name", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Users/"+secondID, patchOp(map[string]any{"op": "replace", "path": "userName", "value": first}))
		expectError(t, r, http.StatusConflict, "uniqueness")
		got := call(t, http.MethodGet, "/Users/"+secondID, nil)
		if got.JSON["userName"] != "other_"+guid {
			t.Errorf("a rejected PATCH changed userName to %v", got.JSON["userName"])
		}
	})
}

func TestBadInputGetsSCIMErrors(t *testing.T) {
	guid := newGUID(t)
	id := createUser(t, "bad_input_"+guid)

	cases := []struct {
		name     string
		method   string
		path     string
		body     any
		status   int
		scimType string
	}{
		{"malformed JSON create", http.MethodPost, "/Users", `{"userName": "x"`, 400, "invalidSyntax"},
		{"array body create", http.MethodPost, "/Users", `[]`, 400, "invalidSyntax"},
		{"empty body create", http.MethodPost, "/Users", ``, 400, "invalidSyntax"},
		{"missing userName", http.MethodPost, "/Users", map[string]any{"schemas": []any{userURN}, "active": true}, 400, "invalidValue"},
		{"wrong boolean type", http.MethodPost, "/Users", map[string]any{"userName": "t_" + guid, "active": "maybe"}, 400, "invalidValue"},
		{"userName as number", http.MethodPost, "/Users", map[string]any{"userName": 42}, 400, "invalidValue"},
		{"email value as number", http.MethodPost, "/Users", map[string]any{"userName": "e_" + guid, "emails": []any{map[string]any{"value": 5}}}, 400, "invalidValue"},
		{"unknown user", http.MethodGet, "/Users/does-not-exist", nil, 404, ""},
		{"patch unknown user", http.MethodPatch, "/Users/does-not-exist", patchOp(map[string]any{"op": "replace", "path": "active", "value": false}), 404, ""},
		{"put unknown user", http.MethodPut, "/Users/does-not-exist", map[string]any{"userName": "x"}, 404, ""},
		{"unknown endpoint", http.MethodGet, "/Widgets", nil, 404, ""},
		{"bulk not implemented", http.MethodPost, "/Bulk", map[string]any{}, 501, ""},
		{"method not allowed", http.MethodDelete, "/Users", nil, 405, ""},
		{"invalid filter", http.MethodGet, "/Users" + filterQuery(`userName eq`), nil, 400, "invalidFilter"},
		{"unbalanced filter", http.MethodGet, "/Users" + filterQuery(`(userName eq "a"`), nil, 400, "invalidFilter"},
		{"bad startIndex", http.MethodGet, "/Users?startIndex=abc", nil, 400, "invalidValue"},
		{"patch without operations", http.MethodPatch, "/Users/" + id, map[string]any{"schemas": []any{patchOpURN}}, 400, "invalidSyntax"},
		{"patch bad op", http.MethodPatch, "/Users/" + id, patchOp(map[string]any{"op": "move", "path": "active"}), 400, "invalidSyntax"},
		{"patch bad path", http.MethodPatch, "/Users/" + id, patchOp(map[string]any{"op": "replace", "path": `emails[type eq`, "value": "x"}), 400, "invalidPath"},
		{"patch read-only id", http.MethodPatch, "/Users/" + id, patchOp(map[string]any{"op": "replace", "path": "id", "value": "x"}), 400, "mutability"},
		{"put with other id", http.MethodPut, "/Users/" + id, map[string]any{"id": "other", "userName": "bad_input_" + guid}, 400, "mutability"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tc.method, tc.path, tc.body)
			expectError(t, r, tc.status, tc.scimType)
		})
	}
}

func TestRejectedPatchWritesNothing(t *testing.T) {
	guid := newGUID(t)
	id := createUser(t, "atomic_"+guid)
	before := call(t, http.MethodGet, "/Users/"+id, nil)

	r := call(t, http.MethodPatch, "/Users/"+id, patchOp(
		map[string]any{"op": "replace", "path": "displayName", "value": "Changed"},
		map[string]any{"op": "replace", "path": "active", "value": "not-a-boolean"},
	))
	expectError(t, r, http.StatusBadRequest, "invalidValue")

	after := call(t, http.MethodGet, "/Users/"+id, nil)
	if string(after.Raw) != string(before.Raw) {
		t.Errorf("a rejected PATCH changed the user:\nbefore %s\nafter  %s", before.Raw, after.Raw)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	for name, header := range map[string]string{
		"no header":      "",
		"wrong token":    "Bearer wrong",
		"okta non-token": "non-token",
	} {
		t.Run(name, func(t *testing.T) {
			headers := map[string]string{}
			if header != "" {
				headers["Authorization"] = header
			}
			r := callWith(t, http.MethodGet, "/Users", nil, headers)
			expectError(t, r, http.StatusUnauthorized, "")
		})
	}
}

func TestContentTypes(t *testing.T) {
	guid := newGUID(t)
	for i, contentType := range []string{"application/scim+json", "application/json", "application/json; charset=utf-8", "application/scim+json; charset=utf-8"} {
		r := callWith(t, http.MethodPost, "/Users", map[string]any{"userName": fmt.Sprintf("ct%d_%s", i, guid)}, map[string]string{
			"Authorization": "Bearer " + token,
			"Content-Type":  contentType,
		})
		if r.Status != http.StatusCreated {
			t.Errorf("Content-Type %q: status = %d, want 201", contentType, r.Status)
		}
	}
	r := callWith(t, http.MethodPost, "/Users", `userName=x`, map[string]string{
		"Authorization": "Bearer " + token,
		"Content-Type":  "application/x-www-form-urlencoded",
	})
	expectError(t, r, http.StatusUnsupportedMediaType, "")
}

func TestPutReplacesUser(t *testing.T) {
	guid := newGUID(t)
	id := createUser(t, "put_"+guid)
	original := call(t, http.MethodGet, "/Users/"+id, nil)

	// Okta sends back the whole user from a prior GET, id and meta included.
	body := original.JSON
	body["displayName"] = "Put User"
	delete(body, "active")
	r := call(t, http.MethodPut, "/Users/"+id, body)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["displayName"] != "Put User" {
		t.Errorf("displayName = %v, want Put User", r.JSON["displayName"])
	}
	if _, present := r.JSON["active"]; present {
		t.Errorf("active was left out of the PUT body but is still %v", r.JSON["active"])
	}
	if field(r.JSON, "meta", "created") != field(original.JSON, "meta", "created") {
		t.Errorf("meta.created changed from %v to %v", field(original.JSON, "meta", "created"), field(r.JSON, "meta", "created"))
	}
	if field(r.JSON, "meta", "version") == field(original.JSON, "meta", "version") {
		t.Errorf("meta.version did not change: %v", field(r.JSON, "meta", "version"))
	}
}

func TestListPaging(t *testing.T) {
	guid := newGUID(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, createUser(t, fmt.Sprintf("page%d_%s", i, guid)))
	}
	expr := filterQuery(`userName sw "page" and userName ew "` + guid + `"`)

	r := call(t, http.MethodGet, "/Users"+expr+"&startIndex=2&count=2", nil)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["totalResults"] != float64(5) || r.JSON["itemsPerPage"] != float64(2) || r.JSON["startIndex"] != float64(2) {
		t.Errorf("page = totalResults %v, itemsPerPage %v, startIndex %v; want 5, 2, 2", r.JSON["totalResults"], r.JSON["itemsPerPage"], r.JSON["startIndex"])
	}
	if field(r.JSON, "Resources", 0, "id") != ids[1] || field(r.JSON, "Resources", 1, "id") != ids[2] {
		t.Errorf("page 2 holds %v and %v, want %s and %s", field(r.JSON, "Resources", 0, "id"), field(r.JSON, "Resources", 1, "id"), ids[1], ids[2])
	}

	zero := call(t, http.MethodGet, "/Users"+expr+"&count=0", nil)
	if zero.JSON["totalResults"] != float64(5) || len(zero.JSON["Resources"].([]any)) != 0 {
		t.Errorf("count=0: %s", zero.Raw)
	}
	below := call(t, http.MethodGet, "/Users"+expr+"&startIndex=-4&count=1", nil)
	if below.JSON["startIndex"] != float64(1) || field(below.JSON, "Resources", 0, "id") != ids[0] {
		t.Errorf("startIndex below 1 must read as 1: %s", below.Raw)
	}
}

func TestDiscoveryEndpoints(t *testing.T) {
	for _, path := range []string{
		"/ServiceProviderConfig",
		"/ResourceTypes",
		"/ResourceTypes/User",
		"/ResourceTypes/Group",
		"/Schemas",
		"/Schemas/" + userURN,
		"/Schemas/" + groupURN,
		"/Schemas/" + enterpriseURN,
		"/schemaDiscovery",
	} {
		t.Run(path, func(t *testing.T) {
			r := call(t, http.MethodGet, path, nil)
			expectStatus(t, r, http.StatusOK)
			if r.JSON["schemas"] == nil {
				t.Errorf("no schemas member: %s", r.Raw)
			}
		})
	}
	r := call(t, http.MethodGet, "/Schemas/urn:example:unknown", nil)
	expectError(t, r, http.StatusNotFound, "")

	r = call(t, http.MethodGet, "/ResourceTypes/Group", nil)
	if r.JSON["endpoint"] != "/Groups" || r.JSON["schema"] != groupURN {
		t.Errorf("Group resource type = %s", r.Raw)
	}
}
