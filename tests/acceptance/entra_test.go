package acceptance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchOpURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

func filterQuery(expr string) string {
	return "?filter=" + url.QueryEscape(expr)
}

// entraUser returns the body Entra ID posts to create a user.
func entraUser(guid string) map[string]any {
	return map[string]any{
		"schemas":    []any{userURN, enterpriseURN},
		"externalId": guid,
		"userName":   "Test_User_" + guid,
		"active":     true,
		"emails": []any{map[string]any{
			"primary": true, "type": "work", "value": "Test_User_" + guid + "@testuser.com",
		}},
		"meta":  map[string]any{"resourceType": "User"},
		"name":  map[string]any{"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"roles": []any{},
	}
}

func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, op := range ops {
		list[i] = op
	}
	return map[string]any{"schemas": []any{patchOpURN}, "Operations": list}
}

// TestEntraUserSequence replays the user requests that Microsoft documents
// for Entra ID provisioning, in order, against one user.
func TestEntraUserSequence(t *testing.T) {
	guid := newGUID(t)
	userName := "Test_User_" + guid
	var id string

	t.Run("connection probe finds nothing", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+newGUID(t)+`"`), nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(0) {
			t.Errorf("totalResults = %v, want 0", r.JSON["totalResults"])
		}
		if resources, ok := r.JSON["Resources"].([]any); !ok || len(resources) != 0 {
			t.Errorf("Resources = %v, want an empty array", r.JSON["Resources"])
		}
		if r.JSON["startIndex"] != float64(1) {
			t.Errorf("startIndex = %v, want 1", r.JSON["startIndex"])
		}
		if field(r.JSON, "schemas", 0) != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			t.Errorf("schemas = %v, want ListResponse", r.JSON["schemas"])
		}
	})

	t.Run("create returns 201", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Users", entraUser(guid))
		expectStatus(t, r, http.StatusCreated)
		id, _ = r.JSON["id"].(string)
		if id == "" {
			t.Fatalf("no id in %s", r.Raw)
		}
		if r.Header.Get("Location") == "" || r.Header.Get("Location") != field(r.JSON, "meta", "location") {
			t.Errorf("Location = %q, meta.location = %v; want equal and set", r.Header.Get("Location"), field(r.JSON, "meta", "location"))
		}
		if !strings.HasSuffix(r.Header.Get("Location"), "/scim/Users/"+id) {
			t.Errorf("Location = %q, want it to end in /scim/Users/%s", r.Header.Get("Location"), id)
		}
		if field(r.JSON, "meta", "created") == nil || field(r.JSON, "meta", "lastModified") == nil {
			t.Errorf("meta lacks created or lastModified: %v", r.JSON["meta"])
		}
		if field(r.JSON, "meta", "resourceType") != "User" {
			t.Errorf("meta.resourceType = %v, want User", field(r.JSON, "meta", "resourceType"))
		}
		if r.Header.Get("Content-Type") != "application/scim+json" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
	})
	if id == "" {
		t.FailNow()
	}

	t.Run("get by id", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users/"+id, nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["userName"] != userName {
			t.Errorf("userName = %v, want %s", r.JSON["userName"], userName)
		}
		if field(r.JSON, "emails", 0, "primary") != true {
			t.Errorf("emails[0].primary = %#v, want JSON true", field(r.JSON, "emails", 0, "primary"))
		}
	})

	t.Run("query by userName any case", func(t *testing.T) {
		for _, name := range []string{userName, strings.ToUpper(userName), strings.ToLower(userName)} {
			r := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+name+`"`), nil)
			expectStatus(t, r, http.StatusOK)
			if r.JSON["totalResults"] != float64(1) || field(r.JSON, "Resources", 0, "id") != id {
				t.Errorf("filter on %q: %s", name, r.Raw)
			}
		}
	})

	t.Run("query by externalId and id", func(t *testing.T) {
		for _, expr := range []string{
			`externalId eq "` + guid + `"`,
			`id eq "` + id + `"`,
			`userName eq "` + userName + `" and externalId eq "` + guid + `"`,
		} {
			r := call(t, http.MethodGet, "/Users"+filterQuery(expr), nil)
			expectStatus(t, r, http.StatusOK)
			if r.JSON["totalResults"] != float64(1) {
				t.Errorf("filter %s: totalResults = %v, want 1", expr, r.JSON["totalResults"])
			}
		}
		r := call(t, http.MethodGet, "/Users"+filterQuery(`externalId eq "`+strings.ToUpper(guid)+`"`), nil)
		if r.JSON["totalResults"] != float64(0) {
			t.Errorf("externalId is case-exact, but an upper-case filter matched: %s", r.Raw)
		}
	})

	t.Run("zero results is 200", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "non-existent user"`), nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(0) {
			t.Errorf("totalResults = %v, want 0", r.JSON["totalResults"])
		}
	})

	t.Run("update multi-valued attributes", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Users/"+id, patchOp(
			map[string]any{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "updated@testuser.com"},
			map[string]any{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
		))
		expectStatus(t, r, http.StatusOK)
		if field(r.JSON, "emails", 0, "value") != "updated@testuser.com" {
			t.Errorf("emails = %v", r.JSON["emails"])
		}
		if field(r.JSON, "name", "familyName") != "updatedFamilyName" {
			t.Errorf("name = %v", r.JSON["name"])
		}
		if field(r.JSON, "name", "givenName") != "givenName" {
			t.Errorf("name.givenName was lost: %v", r.JSON["name"])
		}
	})

	t.Run("update single-valued attributes", func(t *testing.T) {
		newName := "Renamed_" + guid
		r := call(t, http.MethodPatch, "/Users/"+id, patchOp(
			map[string]any{"op": "Replace", "path": "userName", "value": newName},
		))
		expectStatus(t, r, http.StatusOK)
		if r.JSON["id"] != id || r.JSON["userName"] != newName {
			t.Errorf("id = %v, userName = %v; want %s, %s", r.JSON["id"], r.JSON["userName"], id, newName)
		}
		old := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+userName+`"`), nil)
		if old.JSON["totalResults"] != float64(0) {
			t.Errorf("the old userName still matches: %s", old.Raw)
		}
		renamed := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+newName+`"`), nil)
		if renamed.JSON["totalResults"] != float64(1) {
			t.Errorf("the new userName does not match: %s", renamed.Raw)
		}
		userName = newName
	})

	t.Run("extension attribute by URN path", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Users/"+id, patchOp(
			map[string]any{"op": "Add", "path": enterpriseURN + ":employeeNumber", "value": "701984"},
		))
		expectStatus(t, r, http.StatusOK)
		if field(r.JSON, enterpriseURN, "employeeNumber") != "701984" {
			t.Errorf("enterprise extension = %v", r.JSON[enterpriseURN])
		}
	})

	for _, form := range []struct {
		name  string
		op    string
		value any
	}{
		{"disable with boolean", "replace", false},
		{"disable with string boolean", "Replace", "False"},
	} {
		t.Run(form.name, func(t *testing.T) {
			enable := call(t, http.MethodPatch, "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "active", "value": true}))
			expectStatus(t, enable, http.StatusOK)

			r := call(t, http.MethodPatch, "/Users/"+id, patchOp(map[string]any{"op": form.op, "path": "active", "value": form.value}))
			expectStatus(t, r, http.StatusOK)
			if r.JSON["active"] != false {
				t.Errorf("active = %#v, want JSON false", r.JSON["active"])
			}
			got := call(t, http.MethodGet, "/Users/"+id, nil)
			expectStatus(t, got, http.StatusOK)
			if got.JSON["active"] != false {
				t.Errorf("GET after disable: active = %#v, want JSON false", got.JSON["active"])
			}
			found := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+userName+`"`), nil)
			if found.JSON["totalResults"] != float64(1) {
				t.Errorf("a disabled user must stay visible to filters: %s", found.Raw)
			}
		})
	}

	t.Run("delete returns 204", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/Users/"+id, nil)
		expectStatus(t, r, http.StatusNoContent)
		if len(r.Raw) != 0 {
			t.Errorf("DELETE body = %q, want none", r.Raw)
		}
	})

	t.Run("get after delete is 404", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users/"+id, nil)
		expectError(t, r, http.StatusNotFound, "")
		again := call(t, http.MethodDelete, "/Users/"+id, nil)
		expectError(t, again, http.StatusNotFound, "")
		gone := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+userName+`"`), nil)
		if gone.JSON["totalResults"] != float64(0) {
			t.Errorf("a deleted user still matches a filter: %s", gone.Raw)
		}
	})
}
