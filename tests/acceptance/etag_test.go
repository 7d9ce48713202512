package acceptance

import (
	"net/http"
	"testing"
)

func callConditional(t *testing.T, method, path string, body any, header, value string) response {
	t.Helper()
	return callWith(t, method, path, body, map[string]string{
		"Authorization": "Bearer " + token,
		"Content-Type":  "application/scim+json",
		header:          value,
	})
}

func TestVersionPreconditions(t *testing.T) {
	guid := newGUID(t)
	id := createUser(t, "etag_"+guid)
	first := call(t, http.MethodGet, "/Users/"+id, nil)
	etag := first.Header.Get("ETag")
	if etag == "" || etag != field(first.JSON, "meta", "version") {
		t.Fatalf("ETag = %q, meta.version = %v; want equal and set", etag, field(first.JSON, "meta", "version"))
	}

	t.Run("get if-none-match current", func(t *testing.T) {
		r := callConditional(t, http.MethodGet, "/Users/"+id, nil, "If-None-Match", etag)
		expectStatus(t, r, http.StatusNotModified)
		if len(r.Raw) != 0 {
			t.Errorf("304 carries a body: %s", r.Raw)
		}
	})

	t.Run("patch if-match current", func(t *testing.T) {
		r := callConditional(t, http.MethodPatch, "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "displayName", "value": "One"}), "If-Match", etag)
		expectStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") == etag {
			t.Errorf("ETag did not change after a PATCH: %s", etag)
		}
	})

	t.Run("patch if-match stale", func(t *testing.T) {
		r := callConditional(t, http.MethodPatch, "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "displayName", "value": "Two"}), "If-Match", etag)
		expectError(t, r, http.StatusPreconditionFailed, "")
		got := call(t, http.MethodGet, "/Users/"+id, nil)
		if got.JSON["displayName"] != "One" {
			t.Errorf("a PATCH with a stale If-Match was applied: displayName = %v", got.JSON["displayName"])
		}
	})

	t.Run("get if-none-match stale", func(t *testing.T) {
		r := callConditional(t, http.MethodGet, "/Users/"+id, nil, "If-None-Match", etag)
		expectStatus(t, r, http.StatusOK)
	})

	t.Run("put if-match stale", func(t *testing.T) {
		r := callConditional(t, http.MethodPut, "/Users/"+id, map[string]any{"userName": "etag_" + guid}, "If-Match", etag)
		expectError(t, r, http.StatusPreconditionFailed, "")
	})

	t.Run("delete if-match stale", func(t *testing.T) {
		r := callConditional(t, http.MethodDelete, "/Users/"+id, nil, "If-Match", etag)
		expectError(t, r, http.StatusPreconditionFailed, "")
	})

	t.Run("delete if-match wildcard", func(t *testing.T) {
		r := callConditional(t, http.MethodDelete, "/Users/"+id, nil, "If-Match", "*")
		expectStatus(t, r, http.StatusNoContent)
	})
}
