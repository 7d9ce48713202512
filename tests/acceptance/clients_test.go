package acceptance

import (
	"net/http"
	"strings"
	"testing"
)

func TestUnknownFilterAttributeFindsNothing(t *testing.T) {
	// The on-premises agent's Test Connection may filter on an attribute
	// the application lacks; an error here would fail the connection test.
	r := call(t, http.MethodGet, "/Users"+filterQuery(`PLACEHOLDER eq "8646d011-1a59-4fdf-8d7e-4a5e0e2b5a11"`), nil)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["totalResults"] != float64(0) {
		t.Errorf("totalResults = %v, want 0", r.JSON["totalResults"])
	}
}

func TestFilterWithPlusEncodedSpaces(t *testing.T) {
	guid := newGUID(t)
	createUser(t, "plus_"+guid)
	r := call(t, http.MethodGet, `/Users?filter=userName+eq+%22plus_`+guid+`%22`, nil)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["totalResults"] != float64(1) {
		t.Errorf("totalResults = %v, want 1; body %s", r.JSON["totalResults"], r.Raw)
	}
}

func TestOktaCreateIgnoresPasswordAndGroups(t *testing.T) {
	guid := newGUID(t)
	r := callWith(t, http.MethodPost, "/Users", map[string]any{
		"schemas":     []any{userURN},
		"userName":    "okta_" + guid + "@example.com",
		"name":        map[string]any{"givenName": "Okta", "familyName": "User"},
		"emails":      []any{map[string]any{"primary": true, "value": "okta_" + guid + "@example.com", "type": "work"}},
		"displayName": "Okta User",
		"locale":      "en-US",
		"externalId":  "00u" + guid,
		"groups":      []any{},
		"password":    "t1meMa$heen",
		"active":      true,
	}, map[string]string{
		"Authorization": "Bearer " + token,
		"Content-Type":  "application/json",
		"User-Agent":    "Okta SCIM Client 1.0.0",
	})
	expectStatus(t, r, http.StatusCreated)
	if strings.Contains(string(r.Raw), "t1meMa$heen") {
		t.Errorf("the response echoes the password: %s", r.Raw)
	}
	if _, present := r.JSON["password"]; present {
		t.Errorf("password is returned")
	}
	if r.JSON["displayName"] != "Okta User" || r.JSON["locale"] != "en-US" {
		t.Errorf("displayName or locale lost: %s", r.Raw)
	}
}

func TestProjectionParameters(t *testing.T) {
	guid := newGUID(t)
	id := createUser(t, "proj_"+guid)

	r := call(t, http.MethodGet, "/Users/"+id+"?attributes=userName", nil)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["id"] != id || r.JSON["userName"] != "proj_"+guid {
		t.Errorf("attributes=userName lost id or userName: %s", r.Raw)
	}
	if _, present := r.JSON["active"]; present {
		t.Errorf("attributes=userName still returns active: %s", r.Raw)
	}

	excluded := call(t, http.MethodGet, "/Users"+filterQuery(`id eq "`+id+`"`)+"&excludedAttributes=active", nil)
	expectStatus(t, excluded, http.StatusOK)
	if _, present := field(excluded.JSON, "Resources", 0).(map[string]any)["active"]; present {
		t.Errorf("excludedAttributes=active still returns active: %s", excluded.Raw)
	}
}

func TestEnterpriseExtensionRoundTrip(t *testing.T) {
	guid := newGUID(t)
	manager := createUser(t, "mgr_"+guid)
	r := call(t, http.MethodPost, "/Users", map[string]any{
		"schemas":  []any{userURN, enterpriseURN},
		"userName": "emp_" + guid,
		enterpriseURN: map[string]any{
			"employeeNumber": "42",
			"department":     "Tour Operations",
			"manager":        manager,
		},
	})
	expectStatus(t, r, http.StatusCreated)
	if field(r.JSON, enterpriseURN, "manager", "value") != manager {
		t.Errorf("manager = %v, want {value: %s}", field(r.JSON, enterpriseURN, "manager"), manager)
	}
	schemas, _ := r.JSON["schemas"].([]any)
	if len(schemas) != 2 {
		t.Errorf("schemas = %v, want the core and the enterprise URN", schemas)
	}

	id, _ := r.JSON["id"].(string)
	cleared := call(t, http.MethodPatch, "/Users/"+id, patchOp(
		map[string]any{"op": "Replace", "path": enterpriseURN + ":manager", "value": map[string]any{"value": ""}},
	))
	expectStatus(t, cleared, http.StatusOK)
	if field(cleared.JSON, enterpriseURN, "manager") != nil {
		t.Errorf("manager was not cleared: %v", cleared.JSON[enterpriseURN])
	}

	found := call(t, http.MethodGet, "/Users"+filterQuery(enterpriseURN+`:employeeNumber eq "42" and userName eq "emp_`+guid+`"`), nil)
	if found.JSON["totalResults"] != float64(1) {
		t.Errorf("filter on the fully qualified employeeNumber: %s", found.Raw)
	}
}
