package gateway

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/route"
)

const (
	userURN    = "urn:ietf:params:scim:schemas:core:2.0:User"
	patchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorURN   = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// response is an HTTP response with its body read and, when it has one,
// decoded as a JSON object.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// call sends a request through the edge with the test token. path is
// relative to the SCIM base URL and may carry a query string.
func call(t *testing.T, method, path string, body any) response {
	t.Helper()
	return callAt(t, client, edgeURL, method, path, body)
}

// callAt is call with another HTTP client and SCIM base URL.
func callAt(t *testing.T, client *http.Client, base, method, path string, body any) response {
	t.Helper()
	var reader io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode request body: %v", err)
		}
		reader = bytes.NewReader(encoded)
	}
	req, err := http.NewRequest(method, base+path, reader)
	if err != nil {
		t.Fatalf("build request %s %s: %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}

	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response of %s %s: %v", method, path, err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.JSON); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

func expectStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Raw)
	}
}

// expectSCIMError checks that r is a SCIM error response with the status.
func expectSCIMError(t *testing.T, r response, status int) {
	t.Helper()
	expectStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type = %q, want application/scim+json", ct)
	}
	if schemas, _ := r.JSON["schemas"].([]any); len(schemas) != 1 || schemas[0] != errorURN {
		t.Errorf("schemas = %v, want [%s]", r.JSON["schemas"], errorURN)
	}
	if r.JSON["status"] != fmt.Sprint(status) {
		t.Errorf("status member = %#v, want %q", r.JSON["status"], fmt.Sprint(status))
	}
}

// field walks a decoded JSON value by object keys and array indexes and
// returns nil when a step is missing.
func field(value any, steps ...any) any {
	for _, step := range steps {
		switch key := step.(type) {
		case string:
			object, _ := value.(map[string]any)
			value = object[key]
		case int:
			array, _ := value.([]any)
			if key >= len(array) {
				return nil
			}
			value = array[key]
		}
	}
	return value
}

func filterQuery(expression string) string {
	return "?filter=" + url.QueryEscape(expression)
}

func entraUser(userName, externalID string) map[string]any {
	return map[string]any{
		"schemas":     []any{userURN},
		"userName":    userName,
		"externalId":  externalID,
		"active":      true,
		"displayName": "Barbara Jensen",
		"name":        map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"emails": []any{
			map[string]any{"value": userName, "type": "work", "primary": true},
		},
	}
}

// TestProvisioningThroughGateway runs a user's life cycle as Entra ID
// provisioning sends it, through the edge router, the gateway emulator and
// one process per function.
func TestProvisioningThroughGateway(t *testing.T) {
	suffix := strings.ToLower(rand.Text())
	userName := "bjensen-" + suffix + "@example.com"
	externalID := "bjensen-" + suffix
	userPrefix := publicBaseURL + "/Users/"
	var id string

	t.Run("probe filter finds nothing", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "probe-`+suffix+`"`), nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(0) {
			t.Errorf("totalResults = %v, want 0", r.JSON["totalResults"])
		}
	})

	t.Run("create uses public base URL", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Users", entraUser(userName, externalID))
		expectStatus(t, r, http.StatusCreated)
		id, _ = r.JSON["id"].(string)
		if id == "" {
			t.Fatalf("no id in %s", r.Raw)
		}
		if location := r.Header.Get("Location"); location != userPrefix+id {
			t.Errorf("Location = %q, want %q", location, userPrefix+id)
		}
		if location := field(r.JSON, "meta", "location"); location != userPrefix+id {
			t.Errorf("meta.location = %v, want %q", location, userPrefix+id)
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
		if location := field(r.JSON, "meta", "location"); location != userPrefix+id {
			t.Errorf("meta.location = %v, want %q", location, userPrefix+id)
		}
	})

	t.Run("filter by userName", func(t *testing.T) {
		r := call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "`+strings.ToUpper(userName)+`"`), nil)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["totalResults"] != float64(1) {
			t.Fatalf("totalResults = %v, want 1; body: %s", r.JSON["totalResults"], r.Raw)
		}
		if got := field(r.JSON, "Resources", 0, "id"); got != id {
			t.Errorf("Resources[0].id = %v, want %s", got, id)
		}
		if got := field(r.JSON, "Resources", 0, "meta", "location"); got != userPrefix+id {
			t.Errorf("Resources[0].meta.location = %v, want %q", got, userPrefix+id)
		}
	})

	t.Run("patch in Entra default dialect", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Users/"+id, map[string]any{
			"schemas": []any{patchOpURN},
			"Operations": []any{
				map[string]any{"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
				map[string]any{"op": "Add", "path": `emails[type eq "work"].value`, "value": "barbara-" + suffix + "@example.com"},
			},
		})
		expectStatus(t, r, http.StatusOK)
		if got := field(r.JSON, "name", "familyName"); got != "Jensen-Smith" {
			t.Errorf("name.familyName = %v, want Jensen-Smith", got)
		}
		if got := field(r.JSON, "emails", 0, "value"); got != "barbara-"+suffix+"@example.com" {
			t.Errorf("emails[0].value = %v, want the patched address", got)
		}
	})

	t.Run("put replaces user", func(t *testing.T) {
		replacement := entraUser(userName, externalID)
		replacement["displayName"] = "Barbara Jensen-Smith"
		r := call(t, http.MethodPut, "/Users/"+id, replacement)
		expectStatus(t, r, http.StatusOK)
		if r.JSON["displayName"] != "Barbara Jensen-Smith" {
			t.Errorf("displayName = %v, want Barbara Jensen-Smith", r.JSON["displayName"])
		}
		if got := field(r.JSON, "name", "familyName"); got != "Jensen" {
			t.Errorf("name.familyName = %v, want Jensen from the replacement", got)
		}
	})

	t.Run("disable with string value", func(t *testing.T) {
		r := call(t, http.MethodPatch, "/Users/"+id, map[string]any{
			"schemas":    []any{patchOpURN},
			"Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "False"}},
		})
		expectStatus(t, r, http.StatusOK)
		got := call(t, http.MethodGet, "/Users/"+id, nil)
		expectStatus(t, got, http.StatusOK)
		if got.JSON["active"] != false {
			t.Errorf("active = %#v after disable, want false", got.JSON["active"])
		}
	})

	t.Run("delete then get is 404", func(t *testing.T) {
		r := call(t, http.MethodDelete, "/Users/"+id, nil)
		expectStatus(t, r, http.StatusNoContent)
		expectSCIMError(t, call(t, http.MethodGet, "/Users/"+id, nil), http.StatusNotFound)
	})

	t.Run("discovery documents", func(t *testing.T) {
		for _, path := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/ResourceTypes/User"} {
			r := call(t, http.MethodGet, path, nil)
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: status = %d, want 200; body: %s", path, r.Status, r.Raw)
			}
		}
	})

	t.Run("unrouted path is SCIM 404", func(t *testing.T) {
		expectSCIMError(t, call(t, http.MethodGet, "/Widgets/1", nil), http.StatusNotFound)
	})
}

// TestGatewayCallIDsReachFunctions checks that each request the gateway
// forwarded reached the function it names, with the gateway's X-Call-Id:
// every call id shows up in that function's access log.
func TestGatewayCallIDsReachFunctions(t *testing.T) {
	r := call(t, http.MethodGet, "/ServiceProviderConfig", nil)
	expectStatus(t, r, http.StatusOK)
	r = call(t, http.MethodGet, "/Users"+filterQuery(`userName eq "nobody@example.com"`), nil)
	expectStatus(t, r, http.StatusOK)

	calls := gw.Calls()
	if len(calls) < 2 {
		t.Fatalf("the gateway recorded %d calls, want at least 2", len(calls))
	}
	logged := map[string]map[string]bool{}
	for _, name := range route.Functions() {
		logged[name] = callIDsInLog(t, functionLogs[name])
	}
	for _, c := range calls {
		if !logged[c.Function][c.CallID] {
			t.Errorf("call %s %s to %s: call_id %s is not in the function's log", c.Method, c.Path, c.Function, c.CallID)
		}
	}
}

// TestEdgeHidesGatewayRoutes checks that only the SCIM base path is
// published: the gateway's own API and UI paths get a plain 404 at the edge.
func TestEdgeHidesGatewayRoutes(t *testing.T) {
	origin := strings.TrimSuffix(edgeURL, basePath)
	for _, path := range []string{"/system/functions", "/ui/", "/function/" + route.UsersList + "/scim/Users"} {
		resp, err := client.Get(origin + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s at the edge: status = %d, want 404", path, resp.StatusCode)
		}
	}
}

// callIDsInLog returns the call_id values of the JSON log lines in path.
func callIDsInLog(t *testing.T, path string) map[string]bool {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatalf("open function log: %v", err)
	}
	defer file.Close()

	ids := map[string]bool{}
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for scanner.Scan() {
		var line struct {
			CallID string `json:"call_id"`
		}
		if json.Unmarshal(scanner.Bytes(), &line) == nil && line.CallID != "" {
			ids[line.CallID] = true
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read function log %s: %v", path, err)
	}
	return ids
}

// TestGroupsThroughGateway sends one request to each group function through
// the gateway, so that every group route reaches its own function process.
func TestGroupsThroughGateway(t *testing.T) {
	suffix := strings.ToLower(rand.Text())
	created := call(t, http.MethodPost, "/Users", entraUser("member-"+suffix+"@example.com", "member-"+suffix))
	expectStatus(t, created, http.StatusCreated)
	userID, _ := created.JSON["id"].(string)

	r := call(t, http.MethodPost, "/Groups", map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Guides " + suffix,
	})
	expectStatus(t, r, http.StatusCreated)
	groupID, _ := r.JSON["id"].(string)
	if location := r.Header.Get("Location"); location != publicBaseURL+"/Groups/"+groupID {
		t.Errorf("Location = %q, want the public group URL", location)
	}

	r = call(t, http.MethodPatch, "/Groups/"+groupID, map[string]any{
		"schemas":    []any{patchOpURN},
		"Operations": []any{map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": userID}}}},
	})
	expectStatus(t, r, http.StatusNoContent)

	r = call(t, http.MethodGet, "/Groups/"+groupID, nil)
	expectStatus(t, r, http.StatusOK)
	if ref := field(r.JSON, "members", 0, "$ref"); ref != publicBaseURL+"/Users/"+userID {
		t.Errorf("member $ref = %v, want the public user URL", ref)
	}

	r = call(t, http.MethodPost, "/Groups/.search", map[string]any{
		"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
		"filter":  `id eq "` + groupID + `" and members eq "` + userID + `"`,
	})
	expectStatus(t, r, http.StatusOK)
	if r.JSON["totalResults"] != float64(1) {
		t.Errorf("search totalResults = %v, want 1", r.JSON["totalResults"])
	}

	r = call(t, http.MethodGet, "/Groups?cursor&count=1&filter="+url.QueryEscape(`displayName eq "Guides `+suffix+`"`), nil)
	expectStatus(t, r, http.StatusOK)
	if r.JSON["totalResults"] != float64(1) {
		t.Errorf("list totalResults = %v, want 1", r.JSON["totalResults"])
	}

	r = call(t, http.MethodPut, "/Groups/"+groupID, map[string]any{
		"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Renamed " + suffix,
	})
	expectStatus(t, r, http.StatusOK)

	expectStatus(t, call(t, http.MethodDelete, "/Groups/"+groupID, nil), http.StatusNoContent)
	expectSCIMError(t, call(t, http.MethodGet, "/Groups/"+groupID, nil), http.StatusNotFound)
	u := call(t, http.MethodGet, "/Users/"+userID, nil)
	if u.JSON["groups"] != nil {
		t.Errorf("the deleted group is still in the user's groups: %v", u.JSON["groups"])
	}
}
