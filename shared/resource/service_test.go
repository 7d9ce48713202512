package resource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
	"github.com/scimfaas/scimfaas/shared/store"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

const baseURL = "https://scim.example.com/scim"

// newService returns a User service on a fresh redis-server of its own.
func newService(t *testing.T) *resource.Service {
	t.Helper()
	client := redisserver.StartTopology(t).Client

	return &resource.Service{
		Type:       schema.UserType,
		Store:      store.New(client, "test"),
		Indexes:    resource.UserIndexes(),
		BaseURL:    baseURL,
		MaxResults: 100,
	}
}

func TestMain(m *testing.M) { os.Exit(redisserver.RunTests(m)) }

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// userBody returns a POST or PUT body for a user with the given userName
// and extra attributes.
func userBody(t *testing.T, userName string, extra map[string]any) []byte {
	t.Helper()
	doc := map[string]any{
		"schemas":  []string{schema.UserURN},
		"userName": userName,
	}
	for key, value := range extra {
		doc[key] = value
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func create(t *testing.T, ctx context.Context, svc *resource.Service, userName string, extra map[string]any) resource.Resource {
	t.Helper()
	r, err := svc.Create(ctx, userBody(t, userName, extra))
	if err != nil {
		t.Fatalf("Create(%s) failed: %v", userName, err)
	}
	return r
}

// patchBody returns a PatchOp body with one operation.
func patchBody(t *testing.T, op, path string, value any) []byte {
	t.Helper()
	operation := map[string]any{"op": op, "path": path}
	if value != nil {
		operation["value"] = value
	}
	body, err := json.Marshal(map[string]any{
		"schemas":    []string{schema.PatchOpURN},
		"Operations": []any{operation},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func meta(t *testing.T, r resource.Resource) map[string]any {
	t.Helper()
	m, ok := r.Doc["meta"].(map[string]any)
	if !ok {
		t.Fatalf("resource %s has no meta object: %v", r.ID, r.Doc)
	}
	return m
}

// checkSCIMError fails t unless err is a SCIM error with the given status
// and scimType.
func checkSCIMError(t *testing.T, err error, status int, scimType string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %d %s", status, scimType)
	}
	scimErr := scimerr.As(err)
	if scimErr == nil {
		t.Fatalf("error %v is not a SCIM error, want %d %s", err, status, scimType)
	}
	if scimErr.Status != status {
		t.Errorf("status = %d, want %d (%v)", scimErr.Status, status, err)
	}
	if scimErr.Type != scimType {
		t.Errorf("scimType = %q, want %q (%v)", scimErr.Type, scimType, err)
	}
}

func TestCreate(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)

	r := create(t, ctx, svc, "bjensen@example.com", map[string]any{
		"externalId": "bjensen",
		"id":         "client-chosen-id",
		"password":   "secret",
		"active":     "True",
	})
	m := meta(t, r)

	checks := []struct {
		name string
		got  any
		want any
	}{
		{"version is 1", r.Version, int64(1)},
		{"id in document", r.Doc["id"], r.ID},
		{"userName is stored", r.Doc["userName"], "bjensen@example.com"},
		{"externalId is stored", r.Doc["externalId"], "bjensen"},
		{"active as boolean", r.Doc["active"], true},
		{"password is not stored", r.Doc["password"], nil},
		{"meta resourceType is User", m["resourceType"], "User"},
		{"meta version is 1", m["version"], `W/"1"`},
		{"etag matches meta", r.ETag(), m["version"]},
		{"location under base url", r.Location(), baseURL + "/Users/" + r.ID},
		{"created equals modified", m["created"], m["lastModified"]},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %#v, want %#v", c.got, c.want)
			}
		})
	}

	if r.ID == "client-chosen-id" || r.ID == "" {
		t.Errorf("id = %q, want a server-assigned id", r.ID)
	}

	got, err := svc.Get(ctx, r.ID)
	if err != nil {
		t.Fatalf("Get after Create failed: %v", err)
	}
	if got.Version != 1 {
		t.Errorf("stored version = %d, want 1", got.Version)
	}
	if got.Doc["userName"] != "bjensen@example.com" {
		t.Errorf("stored userName = %v", got.Doc["userName"])
	}
}

func TestCreateRejects(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	create(t, ctx, svc, "taken@example.com", nil)

	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantType   string
	}{
		{"same userName conflicts", `{"userName":"taken@example.com"}`, http.StatusConflict, scimerr.Uniqueness},
		{"userName other case", `{"userName":"TAKEN@Example.com"}`, http.StatusConflict, scimerr.Uniqueness},
		{"missing userName is invalid", `{"displayName":"x"}`, http.StatusBadRequest, scimerr.InvalidValue},
		{"body is not json", `{"userName":`, http.StatusBadRequest, scimerr.InvalidSyntax},
		{"wrong value type", `{"userName":"a","active":"maybe"}`, http.StatusBadRequest, scimerr.InvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Create(ctx, []byte(tt.body))
			checkSCIMError(t, err, tt.wantStatus, tt.wantType)
		})
	}
}

func TestGetUnknownIsNotFound(t *testing.T) {
	svc := newService(t)
	_, err := svc.Get(testContext(t), "no-such-id")
	checkSCIMError(t, err, http.StatusNotFound, "")
}

func TestReplace(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	original := create(t, ctx, svc, "old@example.com", map[string]any{
		"displayName": "Old Name",
		"title":       "Engineer",
	})
	create(t, ctx, svc, "other@example.com", nil)

	replaced, err := svc.Replace(ctx, original.ID, userBody(t, "new@example.com", map[string]any{
		"displayName": "New Name",
		"id":          original.ID,
	}), resource.Conditions{})
	if err != nil {
		t.Fatalf("Replace failed: %v", err)
	}
	m := meta(t, replaced)
	originalMeta := meta(t, original)

	checks := []struct {
		name string
		got  any
		want any
	}{
		{"version is incremented", replaced.Version, int64(2)},
		{"meta version is 2", m["version"], `W/"2"`},
		{"etag matches meta", replaced.ETag(), m["version"]},
		{"userName is replaced", replaced.Doc["userName"], "new@example.com"},
		{"displayName is replaced", replaced.Doc["displayName"], "New Name"},
		{"omitted title is cleared", replaced.Doc["title"], nil},
		{"id is kept", replaced.Doc["id"], original.ID},
		{"meta created is kept", m["created"], originalMeta["created"]},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %#v, want %#v", c.got, c.want)
			}
		})
	}

	t.Run("old userName is free", func(t *testing.T) {
		create(t, ctx, svc, "old@example.com", nil)
	})
	t.Run("taken userName conflicts", func(t *testing.T) {
		_, err := svc.Replace(ctx, original.ID, userBody(t, "OTHER@example.com", nil), resource.Conditions{})
		checkSCIMError(t, err, http.StatusConflict, scimerr.Uniqueness)
	})
	t.Run("other id is mutability", func(t *testing.T) {
		_, err := svc.Replace(ctx, original.ID, userBody(t, "new@example.com", map[string]any{"id": "different"}), resource.Conditions{})
		checkSCIMError(t, err, http.StatusBadRequest, scimerr.Mutability)
	})
	t.Run("unknown id not found", func(t *testing.T) {
		_, err := svc.Replace(ctx, "no-such-id", userBody(t, "x@example.com", nil), resource.Conditions{})
		checkSCIMError(t, err, http.StatusNotFound, "")
	})
	t.Run("unchanged replace keeps version", func(t *testing.T) {
		again, err := svc.Replace(ctx, original.ID, userBody(t, "new@example.com", map[string]any{"displayName": "New Name"}), resource.Conditions{})
		if err != nil {
			t.Fatalf("Replace failed: %v", err)
		}
		if again.Version != 2 {
			t.Errorf("version = %d, want 2", again.Version)
		}
	})
}

func TestPatch(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	user := create(t, ctx, svc, "patch@example.com", map[string]any{"displayName": "Before"})
	create(t, ctx, svc, "taken@example.com", nil)

	patched, err := svc.Patch(ctx, user.ID, patchBody(t, "Replace", "displayName", "After"), resource.Conditions{})
	if err != nil {
		t.Fatalf("Patch failed: %v", err)
	}
	m := meta(t, patched)

	t.Run("displayName value changed", func(t *testing.T) {
		if patched.Doc["displayName"] != "After" {
			t.Errorf("displayName = %v, want After", patched.Doc["displayName"])
		}
	})
	t.Run("version is incremented", func(t *testing.T) {
		if patched.Version != 2 {
			t.Errorf("version = %d, want 2", patched.Version)
		}
	})
	t.Run("etag matches meta", func(t *testing.T) {
		if patched.ETag() != m["version"] || m["version"] != `W/"2"` {
			t.Errorf("ETag = %s, meta.version = %v, want both W/\"2\"", patched.ETag(), m["version"])
		}
	})
	t.Run("stored as returned", func(t *testing.T) {
		stored, err := svc.Get(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Version != 2 || stored.Doc["displayName"] != "After" {
			t.Errorf("stored version %d displayName %v, want 2 and After", stored.Version, stored.Doc["displayName"])
		}
	})

	t.Run("no change keeps version", func(t *testing.T) {
		same, err := svc.Patch(ctx, user.ID, patchBody(t, "replace", "displayName", "After"), resource.Conditions{})
		if err != nil {
			t.Fatalf("Patch failed: %v", err)
		}
		if same.Version != 2 {
			t.Errorf("version = %d, want 2", same.Version)
		}
		if got := meta(t, same)["lastModified"]; got != m["lastModified"] {
			t.Errorf("lastModified = %v, want %v", got, m["lastModified"])
		}
	})
	t.Run("externalId index follows", func(t *testing.T) {
		for _, value := range []string{"first", "second"} {
			if _, err := svc.Patch(ctx, user.ID, patchBody(t, "replace", "externalId", value), resource.Conditions{}); err != nil {
				t.Fatalf("Patch externalId %s failed: %v", value, err)
			}
		}
		for value, want := range map[string]int{"first": 0, "second": 1} {
			page, err := svc.List(ctx, resource.Query{Filter: fmt.Sprintf("externalId eq %q", value), StartIndex: 1, Count: -1})
			if err != nil {
				t.Fatal(err)
			}
			if page.TotalResults != want {
				t.Errorf("externalId eq %q finds %d users, want %d", value, page.TotalResults, want)
			}
		}
	})
	t.Run("taken userName conflicts", func(t *testing.T) {
		_, err := svc.Patch(ctx, user.ID, patchBody(t, "replace", "userName", "Taken@example.com"), resource.Conditions{})
		checkSCIMError(t, err, http.StatusConflict, scimerr.Uniqueness)
	})
	t.Run("invalid body is 400", func(t *testing.T) {
		_, err := svc.Patch(ctx, user.ID, []byte(`{"Operations":[]}`), resource.Conditions{})
		checkSCIMError(t, err, http.StatusBadRequest, scimerr.InvalidSyntax)
	})
	t.Run("unknown id not found", func(t *testing.T) {
		_, err := svc.Patch(ctx, "no-such-id", patchBody(t, "replace", "displayName", "x"), resource.Conditions{})
		checkSCIMError(t, err, http.StatusNotFound, "")
	})
}

func TestDelete(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	user := create(t, ctx, svc, "gone@example.com", map[string]any{"externalId": "gone"})

	if err := svc.Delete(ctx, user.ID, resource.Conditions{}); err != nil {
		t.Fatalf("Delete failed: %v", err)
	}

	t.Run("get is not found", func(t *testing.T) {
		_, err := svc.Get(ctx, user.ID)
		checkSCIMError(t, err, http.StatusNotFound, "")
	})
	t.Run("second delete not found", func(t *testing.T) {
		checkSCIMError(t, svc.Delete(ctx, user.ID, resource.Conditions{}), http.StatusNotFound, "")
	})
	t.Run("userName free again", func(t *testing.T) {
		create(t, ctx, svc, "gone@example.com", nil)
	})
	t.Run("externalId index emptied", func(t *testing.T) {
		page, err := svc.List(ctx, resource.Query{Filter: `externalId eq "gone"`, StartIndex: 1, Count: -1})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalResults != 0 {
			t.Errorf("totalResults = %d, want 0", page.TotalResults)
		}
	})
}

// concurrentPaths are 20 attributes that one PATCH each can set without
// touching the others.
var concurrentPaths = []string{
	"displayName", "nickName", "title", "userType", "preferredLanguage",
	"locale", "timezone", "profileUrl", "externalId",
	"name.givenName", "name.familyName", "name.middleName", "name.formatted",
	"name.honorificPrefix", "name.honorificSuffix",
	schema.EnterpriseUserURN + ":employeeNumber",
	schema.EnterpriseUserURN + ":costCenter",
	schema.EnterpriseUserURN + ":organization",
	schema.EnterpriseUserURN + ":division",
	schema.EnterpriseUserURN + ":department",
}

// lookup returns the value at a PATCH path of the forms in concurrentPaths.
func lookup(doc map[string]any, path string) any {
	if rest, ok := strings.CutPrefix(path, schema.EnterpriseUserURN+":"); ok {
		ext, _ := doc[schema.EnterpriseUserURN].(map[string]any)
		return ext[rest]
	}
	if parent, sub, ok := strings.Cut(path, "."); ok {
		object, _ := doc[parent].(map[string]any)
		return object[sub]
	}
	return doc[path]
}

func TestPatchConcurrentKeepsAll(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	user := create(t, ctx, svc, "busy@example.com", nil)

	bodies := make([][]byte, len(concurrentPaths))
	for i, path := range concurrentPaths {
		bodies[i] = patchBody(t, "add", path, fmt.Sprintf("value-%d", i))
	}

	errs := make([]error, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Patch(ctx, user.ID, body, resource.Conditions{})
		}()
	}
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("PATCH %s failed: %v", concurrentPaths[i], err)
		}
	}

	final, err := svc.Get(ctx, user.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, path := range concurrentPaths {
		if got, want := lookup(final.Doc, path), fmt.Sprintf("value-%d", i); got != want {
			t.Errorf("%s = %v, want %q", path, got, want)
		}
	}
	if want := int64(1 + len(concurrentPaths)); final.Version != want {
		t.Errorf("version = %d, want %d", final.Version, want)
	}
}

// caseVariants returns n spellings of s that differ only in letter case.
func caseVariants(s string, n int) []string {
	var letters []int
	for i, c := range s {
		if 'a' <= c && c <= 'z' {
			letters = append(letters, i)
		}
	}
	variants := make([]string, n)
	for v := range n {
		b := []byte(s)
		for bit, at := range letters {
			if v&(1<<bit) != 0 {
				b[at] -= 'a' - 'A'
			}
		}
		variants[v] = string(b)
	}
	return variants
}

func TestCreateConcurrentSameUserName(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	names := caseVariants("race@example.com", 20)

	bodies := make([][]byte, len(names))
	for i, name := range names {
		bodies[i] = userBody(t, name, nil)
	}

	errs := make([]error, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Create(ctx, body)
		}()
	}
	wg.Wait()

	succeeded := 0
	for i, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		scimErr := scimerr.As(err)
		if scimErr == nil || scimErr.Status != http.StatusConflict || scimErr.Type != scimerr.Uniqueness {
			t.Errorf("Create(%s) = %v, want a 409 uniqueness error", names[i], err)
		}
	}
	if succeeded != 1 {
		t.Errorf("%d creates succeeded, want exactly 1", succeeded)
	}

	page, err := svc.List(ctx, resource.Query{StartIndex: 1, Count: -1})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalResults != 1 {
		t.Errorf("stored users = %d, want 1", page.TotalResults)
	}
}
