package acceptance

import (
	"bytes"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// acmeURN is the custom extension that testdata/schema-extensions.json
// defines and TestMain loads: tag (string), costCode (case-exact string)
// and badgeNumber (integer).
const acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

// createAcmeUser creates a user named userName with the extra members and
// returns the response.
func createAcmeUser(t *testing.T, userName string, members map[string]any) response {
	t.Helper()
	body := map[string]any{
		"schemas":  []any{userURN, acmeURN},
		"userName": userName,
		"active":   true,
	}
	for key, value := range members {
		body[key] = value
	}
	return call(t, http.MethodPost, "/Users", body)
}

// createdID returns the id of a created user, failing the test unless the
// response is a 201 with an id.
func createdID(t *testing.T, r response) string {
	t.Helper()
	expectStatus(t, r, http.StatusCreated)
	id, _ := r.JSON["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Raw)
	}
	return id
}

// acmeObject returns the acme extension object of a user document.
func acmeObject(doc map[string]any) map[string]any {
	object, _ := doc[acmeURN].(map[string]any)
	return object
}

func TestCustomExtensionCreate(t *testing.T) {
	tests := []struct {
		name    string
		members map[string]any
		want    map[string]any
	}{
		{
			name:    "URN object form",
			members: map[string]any{acmeURN: map[string]any{"tag": "blue", "costCode": "CC-7", "badgeNumber": 1042}},
			want:    map[string]any{"tag": "blue", "costCode": "CC-7", "badgeNumber": float64(1042)},
		},
		{
			name:    "fully qualified key form",
			members: map[string]any{acmeURN + ":tag": "green", acmeURN + ":badgeNumber": 7},
			want:    map[string]any{"tag": "green", "badgeNumber": float64(7)},
		},
		{
			name: "both forms merged",
			members: map[string]any{
				acmeURN:               map[string]any{"tag": "amber"},
				acmeURN + ":costCode": "CC-8",
			},
			want: map[string]any{"tag": "amber", "costCode": "CC-8"},
		},
		{
			name:    "names in other case",
			members: map[string]any{strings.ToUpper(acmeURN) + ":TAG": "teal", acmeURN: map[string]any{"CostCode": "CC-9"}},
			want:    map[string]any{"tag": "teal", "costCode": "CC-9"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created := createAcmeUser(t, "acme_create_"+newGUID(t), tt.members)
			id := createdID(t, created)

			if got := acmeObject(created.JSON); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("POST response %s = %v, want %v", acmeURN, got, tt.want)
			}
			schemas, _ := created.JSON["schemas"].([]any)
			if !slices.Contains(schemas, any(acmeURN)) {
				t.Errorf("schemas = %v, want it to list %s", schemas, acmeURN)
			}

			stored := call(t, http.MethodGet, "/Users/"+id, nil)
			expectStatus(t, stored, http.StatusOK)
			if got := acmeObject(stored.JSON); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET %s = %v, want %v", acmeURN, got, tt.want)
			}
		})
	}
}

func TestCustomExtensionCreateRejectsWrongType(t *testing.T) {
	userName := "acme_badtype_" + newGUID(t)
	r := createAcmeUser(t, userName, map[string]any{acmeURN + ":badgeNumber": "forty-two"})
	expectError(t, r, http.StatusBadRequest, "invalidValue")
	if detail, _ := r.JSON["detail"].(string); !strings.Contains(detail, "badgeNumber") {
		t.Errorf("detail %q does not name badgeNumber", detail)
	}

	found := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+userName+`"`), nil)
	if found.JSON["totalResults"] != float64(0) {
		t.Errorf("the rejected user was stored: %s", found.Raw)
	}
}

func TestCustomExtensionFilter(t *testing.T) {
	guid := newGUID(t)
	prefix := "acme_filter_" + guid
	tag := "tag-" + guid
	costCode := "CC-" + strings.ToUpper(guid)
	tagged := createdID(t, createAcmeUser(t, prefix+"_tagged", map[string]any{
		acmeURN: map[string]any{"tag": tag, "costCode": costCode, "badgeNumber": 500},
	}))
	other := createdID(t, createAcmeUser(t, prefix+"_other", map[string]any{
		acmeURN: map[string]any{"tag": "other-" + guid, "badgeNumber": 5},
	}))

	tests := []struct {
		name string
		expr string
		want []string
	}{
		{"tag eq finds one", acmeURN + `:tag eq "` + tag + `"`, []string{tagged}},
		{"tag eq other case", acmeURN + `:tag eq "` + strings.ToUpper(tag) + `"`, []string{tagged}},
		{"URN in upper case", strings.ToUpper(acmeURN) + `:tag eq "` + tag + `"`, []string{tagged}},
		{"tag without URN", `tag eq "` + tag + `"`, []string{tagged}},
		{"case-exact costCode matches", acmeURN + `:costCode eq "` + costCode + `"`, []string{tagged}},
		{"case-exact costCode other case", acmeURN + `:costCode eq "` + strings.ToLower(costCode) + `"`, nil},
		{"badgeNumber compared as number", acmeURN + `:badgeNumber gt 100 and userName sw "` + prefix + `"`, []string{tagged}},
		{"tag present on both", acmeURN + `:tag pr and userName sw "` + prefix + `"`, []string{tagged, other}},
		{"costCode absent on one", `not (` + acmeURN + `:costCode pr) and userName sw "` + prefix + `"`, []string{other}},
		{"unknown value finds nothing", acmeURN + `:tag eq "none-` + guid + `"`, nil},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/Users"+filterQuery(tt.expr), nil)
			expectStatus(t, r, http.StatusOK)

			var got []string
			resources, _ := r.JSON["Resources"].([]any)
			for _, item := range resources {
				if id, _ := field(item, "id").(string); id != "" {
					got = append(got, id)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("filter %s found %v, want %v", tt.expr, got, want)
			}
		})
	}
}

func TestCustomExtensionPatch(t *testing.T) {
	start := map[string]any{"tag": "blue", "costCode": "CC-1", "badgeNumber": 1}
	tests := []struct {
		name string
		op   map[string]any
		want map[string]any
	}{
		{
			name: "Entra path replace",
			op:   map[string]any{"op": "Replace", "path": acmeURN + ":tag", "value": "red"},
			want: map[string]any{"tag": "red", "costCode": "CC-1", "badgeNumber": float64(1)},
		},
		{
			name: "Entra path add",
			op:   map[string]any{"op": "Add", "path": acmeURN + ":badgeNumber", "value": 77},
			want: map[string]any{"tag": "blue", "costCode": "CC-1", "badgeNumber": float64(77)},
		},
		{
			name: "Entra path remove",
			op:   map[string]any{"op": "Remove", "path": acmeURN + ":tag"},
			want: map[string]any{"costCode": "CC-1", "badgeNumber": float64(1)},
		},
		{
			name: "no-path qualified key",
			op:   map[string]any{"op": "Replace", "value": map[string]any{acmeURN + ":tag": "gold"}},
			want: map[string]any{"tag": "gold", "costCode": "CC-1", "badgeNumber": float64(1)},
		},
		{
			name: "no-path URN object",
			op:   map[string]any{"op": "Add", "value": map[string]any{acmeURN: map[string]any{"costCode": "CC-2"}}},
			want: map[string]any{"tag": "blue", "costCode": "CC-2", "badgeNumber": float64(1)},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := createdID(t, createAcmeUser(t, "acme_patch_"+newGUID(t), map[string]any{acmeURN: start}))

			patched := call(t, http.MethodPatch, "/Users/"+id, patchOp(tt.op))
			expectStatus(t, patched, http.StatusOK)
			if got := acmeObject(patched.JSON); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PATCH response %s = %v, want %v", acmeURN, got, tt.want)
			}

			stored := call(t, http.MethodGet, "/Users/"+id, nil)
			expectStatus(t, stored, http.StatusOK)
			if got := acmeObject(stored.JSON); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GET %s = %v, want %v", acmeURN, got, tt.want)
			}
		})
	}
}

func TestCustomExtensionPatchRejectsWrongType(t *testing.T) {
	start := map[string]any{"tag": "blue", "badgeNumber": 1}
	id := createdID(t, createAcmeUser(t, "acme_patchtype_"+newGUID(t), map[string]any{acmeURN: start}))

	r := call(t, http.MethodPatch, "/Users/"+id, patchOp(
		map[string]any{"op": "Replace", "path": acmeURN + ":tag", "value": "red"},
		map[string]any{"op": "Replace", "path": acmeURN + ":badgeNumber", "value": "twelve"},
	))
	expectError(t, r, http.StatusBadRequest, "invalidValue")
	if detail, _ := r.JSON["detail"].(string); !strings.Contains(detail, "badgeNumber") {
		t.Errorf("detail %q does not name badgeNumber", detail)
	}

	stored := call(t, http.MethodGet, "/Users/"+id, nil)
	want := map[string]any{"tag": "blue", "badgeNumber": float64(1)}
	if got := acmeObject(stored.JSON); !reflect.DeepEqual(got, want) {
		t.Errorf("after the rejected PATCH %s = %v, want %v", acmeURN, got, want)
	}
}

func TestCustomExtensionReturned(t *testing.T) {
	userName := "acme_returned_" + newGUID(t)
	id := createdID(t, createAcmeUser(t, userName, map[string]any{
		acmeURN: map[string]any{"tag": "blue", "costCode": "CC-1", "badgeNumber": 3},
	}))

	tests := []struct {
		name  string
		query string
		want  map[string]any
		// userName reports whether the core userName is in the response.
		userName bool
	}{
		{"all attributes by default", "", map[string]any{"tag": "blue", "costCode": "CC-1", "badgeNumber": float64(3)}, true},
		{"one attribute requested", "?attributes=" + acmeURN + ":badgeNumber", map[string]any{"badgeNumber": float64(3)}, false},
		{"one attribute excluded", "?excludedAttributes=" + acmeURN + ":tag", map[string]any{"costCode": "CC-1", "badgeNumber": float64(3)}, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/Users/"+id+tt.query, nil)
			expectStatus(t, r, http.StatusOK)
			if got := acmeObject(r.JSON); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %v, want %v", acmeURN, got, tt.want)
			}
			if _, has := r.JSON["userName"]; has != tt.userName {
				t.Errorf("userName in response = %t, want %t", has, tt.userName)
			}
		})
	}
}

func TestCustomExtensionDiscovery(t *testing.T) {
	t.Run("listed by GET Schemas", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Schemas", nil)
		expectStatus(t, r, http.StatusOK)
		var ids []string
		resources, _ := r.JSON["Resources"].([]any)
		for _, item := range resources {
			id, _ := field(item, "id").(string)
			ids = append(ids, id)
		}
		want := []string{userURN, groupURN, enterpriseURN, acmeURN}
		if !slices.Equal(ids, want) {
			t.Errorf("schema ids = %v, want %v", ids, want)
		}
	})

	t.Run("served by GET Schemas URN", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Schemas/"+acmeURN, nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["id"] != acmeURN {
			t.Errorf("id = %v, want %s", r.JSON["id"], acmeURN)
		}
		if r.JSON["name"] != "AcmeUser" {
			t.Errorf("name = %v, want AcmeUser", r.JSON["name"])
		}
		if location, _ := field(r.JSON, "meta", "location").(string); !strings.HasSuffix(location, "/scim/Schemas/"+acmeURN) {
			t.Errorf("meta.location = %q, want it to end in /scim/Schemas/%s", location, acmeURN)
		}

		wantTypes := map[string]string{"tag": "string", "costCode": "string", "badgeNumber": "integer"}
		attributes, _ := r.JSON["attributes"].([]any)
		if len(attributes) != len(wantTypes) {
			t.Errorf("%d attributes, want %d: %s", len(attributes), len(wantTypes), r.Raw)
		}
		for _, item := range attributes {
			name, _ := field(item, "name").(string)
			if got := field(item, "type"); got != wantTypes[name] {
				t.Errorf("attribute %q type = %v, want %q", name, got, wantTypes[name])
			}
			if got, want := field(item, "caseExact"), name == "costCode"; got != want {
				t.Errorf("attribute %q caseExact = %v, want %t", name, got, want)
			}
			if got := field(item, "mutability"); got != "readWrite" {
				t.Errorf("attribute %q mutability = %v, want readWrite", name, got)
			}
		}
	})

	t.Run("extends GET ResourceTypes User", func(t *testing.T) {
		r := call(t, http.MethodGet, "/ResourceTypes/User", nil)
		expectStatus(t, r, http.StatusOK)
		want := []any{
			map[string]any{"schema": enterpriseURN, "required": false},
			map[string]any{"schema": acmeURN, "required": false},
		}
		if got := r.JSON["schemaExtensions"]; !reflect.DeepEqual(got, want) {
			t.Errorf("schemaExtensions = %v, want %v", got, want)
		}
	})
}

// TestInvalidExtensionsFileAnswers503 starts a second local server whose
// extension schema file defines a type that RFC 7643 lacks, and checks that
// it returns 503 and logs which attribute is wrong.
func TestInvalidExtensionsFileAnswers503(t *testing.T) {
	var output bytes.Buffer
	addr, stop := startEmbeddedServer(t, &output,
		"SCIM_SCHEMA_EXTENSIONS_FILE="+filepath.Join("testdata", "schema-extensions-invalid.json"))

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/scim/Users", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET /Users: %v", err)
	}
	resp.Body.Close()
	stop()

	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type = %q, want application/scim+json", ct)
	}
	log := output.String()
	for _, want := range []string{"SCIM_SCHEMA_EXTENSIONS_FILE", "costCode", `invalid type \"text\"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not contain %s:\n%s", want, log)
		}
	}
}
