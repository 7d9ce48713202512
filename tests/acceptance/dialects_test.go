package acceptance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// dialectCase is one fixture file under testdata/dialects: a request in the
// shape that one SCIM client sends, and the user that must exist afterwards.
//
// String values in Start, Request.Body and Expect may contain the
// placeholders {{userName}} (a unique user name for the row), {{managerId}}
// (the id of a second user that the test creates first), {{baseUrl}} (the
// SCIM base URL) and, outside Start, {{id}} (the id of the row's user).
type dialectCase struct {
	// Client is entra-default (Entra ID's default PATCH dialect),
	// entra-flagged (Entra ID with the aadOptscim062020 flag) or okta.
	Client      string `json:"client"`
	Description string `json:"description"`
	// Start is the POST body of the user that the client creates before the
	// request. It is null or left out when the request itself is the POST
	// that creates the user.
	Start   map[string]any `json:"start"`
	Request dialectRequest `json:"request"`
	// ExpectStatus is the status of the response to Request.
	ExpectStatus int `json:"expectStatus"`
	// ExpectSCIMType is the scimType of an expected error response, or ""
	// for none.
	ExpectSCIMType string `json:"expectScimType"`
	// Expect maps attribute paths to the exact values that the user must
	// have. A path is a top-level attribute ("emails"), a sub-attribute
	// ("name.familyName" or "meta.resourceType") or a fully qualified
	// extension path ("urn:…:enterprise:2.0:User:employeeNumber").
	Expect map[string]any `json:"expect"`
	// Absent lists attribute paths, in the form Expect uses, that the user
	// must not have.
	Absent []string `json:"absent"`
	// NeverReturned lists strings, such as a password, that no response of
	// the row may contain.
	NeverReturned []string `json:"neverReturned"`

	// usesManager is set when the fixture contains {{managerId}}.
	usesManager bool
}

// dialectRequest is the request under test.
type dialectRequest struct {
	Method string `json:"method"`
	// Path is appended to /Users for POST and to /Users/{id} otherwise. It
	// may carry a query string.
	Path string `json:"path"`
	// BodyFromGet makes the body the user as GET returns it, with Body
	// applied to it as an RFC 7386 merge patch. Okta sends PUT this way.
	BodyFromGet bool `json:"bodyFromGet"`
	Body        any  `json:"body"`
}

var dialectClients = []string{"entra-default", "entra-flagged", "okta"}

// TestClientDialects sends each request shape of testdata/dialects to the
// server, as its client sends it, to a user created for that row alone, and
// checks the status and the user that GET returns afterwards.
func TestClientDialects(t *testing.T) {
	names, cases := loadDialectCases(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			runDialectCase(t, name, cases[name])
		})
	}
}

func runDialectCase(t *testing.T, name string, c dialectCase) {
	t.Logf("%s: %s", c.Client, c.Description)
	guid := newGUID(t)
	values := map[string]string{
		"userName": name + "-" + guid + "@example.com",
		"baseUrl":  baseURL,
	}
	if c.usesManager {
		values["managerId"] = createUser(t, "manager-"+guid+"@example.com")
	}

	id := ""
	if c.Start != nil {
		start := fillPlaceholders(t, "start", c.Start, values)
		created := callWith(t, http.MethodPost, "/Users", start, dialectHeaders(c.Client, http.MethodPost))
		if created.Status != http.StatusCreated {
			t.Fatalf("create the starting user: status = %d, want 201; body: %s", created.Status, created.Raw)
		}
		id, _ = created.JSON["id"].(string)
		if id == "" {
			t.Fatalf("create the starting user: no id in %s", created.Raw)
		}
		values["id"] = id
	}

	path := "/Users/" + id + c.Request.Path
	if c.Request.Method == http.MethodPost {
		path = "/Users" + c.Request.Path
	}
	body := c.Request.Body
	if c.Request.BodyFromGet {
		current := call(t, http.MethodGet, "/Users/"+id, nil)
		if current.Status != http.StatusOK {
			t.Fatalf("GET the user to build the body: status = %d; body: %s", current.Status, current.Raw)
		}
		body = mergePatch(current.JSON, body)
	}
	body = fillPlaceholders(t, "request body", body, values)

	r := callWith(t, c.Request.Method, path, body, dialectHeaders(c.Client, c.Request.Method))
	if r.Status != c.ExpectStatus {
		t.Fatalf("%s %s: status = %d, want %d; body: %s", c.Request.Method, path, r.Status, c.ExpectStatus, r.Raw)
	}
	if c.ExpectStatus >= 400 {
		expectError(t, r, c.ExpectStatus, c.ExpectSCIMType)
	}
	if c.Start == nil {
		id, _ = r.JSON["id"].(string)
		if id == "" {
			t.Fatalf("%s %s: no id in %s", c.Request.Method, path, r.Raw)
		}
		values["id"] = id
	}

	stored := call(t, http.MethodGet, "/Users/"+id, nil)
	if stored.Status != http.StatusOK {
		t.Fatalf("GET the user afterwards: status = %d; body: %s", stored.Status, stored.Raw)
	}
	expect := fillPlaceholders(t, "expect", c.Expect, values).(map[string]any)
	checkAttributes(t, "GET afterwards", stored.JSON, expect, c.Absent)
	if r.Status == http.StatusOK || r.Status == http.StatusCreated {
		checkAttributes(t, c.Request.Method+" response", r.JSON, expect, c.Absent)
	}

	if path, found := findNull(stored.JSON, ""); found {
		t.Errorf("GET afterwards: %s is null, but absent values must be left out", path)
	}
	if r.Status < 300 {
		if path, found := findNull(r.JSON, ""); found {
			t.Errorf("%s response: %s is null, but absent values must be left out", c.Request.Method, path)
		}
	}

	for _, secret := range c.NeverReturned {
		if bytes.Contains(r.Raw, []byte(secret)) {
			t.Errorf("the %s response contains %q", c.Request.Method, secret)
		}
		if bytes.Contains(stored.Raw, []byte(secret)) {
			t.Errorf("the GET response contains %q", secret)
		}
	}
}

// loadDialectCases reads and checks every fixture under testdata/dialects.
// It returns the row names, which are the file names without .json, in
// order.
func loadDialectCases(t *testing.T) ([]string, map[string]dialectCase) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "dialects", "*.json"))
	if err != nil {
		t.Fatalf("list the dialect fixtures: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures found in testdata/dialects")
	}

	names := make([]string, 0, len(files))
	cases := make(map[string]dialectCase, len(files))
	for _, file := range files {
		c, err := readDialectCase(file)
		if err != nil {
			t.Fatalf("fixture %s: %v", file, err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		names = append(names, name)
		cases[name] = c
	}
	return names, cases
}

func readDialectCase(file string) (dialectCase, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return dialectCase{}, err
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	var c dialectCase
	if err := decoder.Decode(&c); err != nil {
		return dialectCase{}, fmt.Errorf("decode: %w", err)
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return dialectCase{}, errors.New("decode: data after the JSON object")
	}
	c.usesManager = bytes.Contains(raw, []byte("{{managerId}}"))
	return c, validateDialectCase(c)
}

// validateDialectCase rejects a fixture that would test nothing or that the
// test would misread.
func validateDialectCase(c dialectCase) error {
	if !slices.Contains(dialectClients, c.Client) {
		return fmt.Errorf("client %q is not one of %v", c.Client, dialectClients)
	}
	if strings.TrimSpace(c.Description) == "" {
		return errors.New("description is missing")
	}
	switch c.Request.Method {
	case http.MethodPost:
		if c.Start != nil {
			return errors.New("a POST row creates its user itself, so start must be null")
		}
		if c.Request.BodyFromGet {
			return errors.New("a POST row has no user to GET for bodyFromGet")
		}
	case http.MethodPut, http.MethodPatch:
		if c.Start == nil {
			return fmt.Errorf("a %s row needs a start user", c.Request.Method)
		}
	default:
		return fmt.Errorf("request method %q is not POST, PUT or PATCH", c.Request.Method)
	}
	if c.Request.Body == nil {
		return errors.New("request body is missing")
	}
	if c.ExpectStatus < 200 || c.ExpectStatus > 599 {
		return fmt.Errorf("expectStatus %d is outside 200 to 599", c.ExpectStatus)
	}
	if c.Request.Method == http.MethodPost && c.ExpectStatus != http.StatusCreated {
		return errors.New("a POST row must expect 201, because the test reads the new id from the response")
	}
	if len(c.Expect) == 0 && len(c.Absent) == 0 {
		return errors.New("expect and absent are both empty, so the row checks no attribute")
	}
	return nil
}

// dialectHeaders returns the headers that client sends with a request.
func dialectHeaders(client, method string) map[string]string {
	headers := map[string]string{
		"Authorization": "Bearer " + token,
		"Content-Type":  "application/scim+json; charset=utf-8",
	}
	if client == "okta" {
		headers["User-Agent"] = "Okta SCIM Client 1.0.0"
		if method == http.MethodPost {
			// Okta's SCIM 2.0 spec test reportedly sends POST bodies as
			// application/json.
			headers["Content-Type"] = "application/json"
		}
	}
	return headers
}

// fillPlaceholders returns a copy of value with every {{name}} in its strings
// replaced by values[name]. It fails the test when a placeholder is left,
// which means a misspelled name or one that is not known yet. part names the
// fixture member in the failure message.
func fillPlaceholders(t *testing.T, part string, value any, values map[string]string) any {
	t.Helper()
	filled := replacePlaceholders(value, values)
	encoded, err := json.Marshal(filled)
	if err != nil {
		t.Fatalf("encode the fixture's %s: %v", part, err)
	}
	if start := bytes.Index(encoded, []byte("{{")); start >= 0 {
		end := min(start+30, len(encoded))
		t.Fatalf("unknown placeholder in the fixture's %s at %s", part, encoded[start:end])
	}
	return filled
}

func replacePlaceholders(value any, values map[string]string) any {
	switch v := value.(type) {
	case string:
		for name, replacement := range values {
			v = strings.ReplaceAll(v, "{{"+name+"}}", replacement)
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, item := range v {
			out[key] = replacePlaceholders(item, values)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = replacePlaceholders(item, values)
		}
		return out
	}
	return value
}

// mergePatch applies patch to a copy of target as RFC 7386 describes: objects
// merge key by key, null removes a key, and any other value replaces.
func mergePatch(target, patch any) any {
	patchObject, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	out := map[string]any{}
	if targetObject, ok := target.(map[string]any); ok {
		for key, value := range targetObject {
			out[key] = value
		}
	}
	for key, value := range patchObject {
		if value == nil {
			delete(out, key)
			continue
		}
		out[key] = mergePatch(out[key], value)
	}
	return out
}

// checkAttributes compares the attributes that expect lists with those of
// doc, and checks that doc has none of the absent paths. source names the
// response in failure messages.
func checkAttributes(t *testing.T, source string, doc, expect map[string]any, absent []string) {
	t.Helper()
	paths := make([]string, 0, len(expect))
	for path := range expect {
		paths = append(paths, path)
	}
	slices.Sort(paths)

	for _, path := range paths {
		want := expect[path]
		got, found := attributeAt(doc, path)
		if !found {
			t.Errorf("%s: %s is missing, want %s", source, path, compactJSON(want))
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %s, want %s", source, path, compactJSON(got), compactJSON(want))
		}
	}
	for _, path := range absent {
		if got, found := attributeAt(doc, path); found {
			t.Errorf("%s: %s = %s, want it absent", source, path, compactJSON(got))
		}
	}
}

// attributeAt returns the value at path in a rendered resource. A path
// steps into an object by a key followed by "." or ":", so that the dots
// inside an extension URN such as "…:enterprise:2.0:User" stay part of the
// key. Keys match exactly, because the server returns the schema spelling.
func attributeAt(doc map[string]any, path string) (any, bool) {
	if value, ok := doc[path]; ok {
		return value, true
	}
	for key, value := range doc {
		rest, found := strings.CutPrefix(path, key)
		if !found || rest == "" || (rest[0] != '.' && rest[0] != ':') {
			continue
		}
		if inner, ok := value.(map[string]any); ok {
			if got, ok := attributeAt(inner, rest[1:]); ok {
				return got, true
			}
		}
	}
	return nil, false
}

// findNull returns the path, in JSON Pointer form, of a null in value.
func findNull(value any, path string) (string, bool) {
	switch v := value.(type) {
	case nil:
		return path, true
	case map[string]any:
		for key, item := range v {
			if found, ok := findNull(item, path+"/"+key); ok {
				return found, true
			}
		}
	case []any:
		for i, item := range v {
			if found, ok := findNull(item, fmt.Sprintf("%s/%d", path, i)); ok {
				return found, true
			}
		}
	}
	return "", false
}

func compactJSON(value any) string {
	encoded, err := json.Marshal(value)
	if err != nil {
		return fmt.Sprintf("%#v", value)
	}
	return string(encoded)
}
