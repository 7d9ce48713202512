package acceptance

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/tests/loopback"
)

// TestEmbeddedStoreServesGroups runs the group membership flow against the
// local server's embedded store, which make run uses when no Redis is
// configured, so that its Lua support is covered too.
func TestEmbeddedStoreServesGroups(t *testing.T) {
	addr, _ := startEmbeddedServer(t, os.Stderr, "SCIM_LOG_LEVEL=warn", "SCIM_MAX_MEMBERS_RETURNED=1")

	// The helpers send requests to baseURL; point it at this server for the
	// length of the test.
	saved := baseURL
	baseURL = "http://" + addr + "/scim"
	t.Cleanup(func() { baseURL = saved })

	guid := newGUID(t)
	u1, u2 := createUser(t, "em1-"+guid), createUser(t, "em2-"+guid)
	id := createGroup(t, "Embedded_"+guid, u1)
	r := call(t, http.MethodPatch, "/Groups/"+id, patchOp(
		map[string]any{"op": "add", "path": "members", "value": memberValues(u2)},
		map[string]any{"op": "remove", "path": `members[value eq "` + u1 + `"]`},
	))
	expectStatus(t, r, http.StatusNoContent)
	if got := groupMembers(t, id); !slices.Equal(got, []string{u2}) {
		t.Errorf("members = %v, want [%s]", got, u2)
	}
	expectError(t, call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
		"op": "add", "path": "members", "value": memberValues("ghost"),
	})), http.StatusBadRequest, "invalidValue")

	// This server returns at most one member per response.
	expectStatus(t, call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
		"op": "add", "path": "members", "value": memberValues(u1),
	})), http.StatusNoContent)
	expectError(t, call(t, http.MethodGet, "/Groups/"+id, nil), http.StatusBadRequest, "tooMany")
	expectError(t, call(t, http.MethodGet, "/Groups", nil), http.StatusBadRequest, "tooMany")
	expectStatus(t, call(t, http.MethodGet, "/Groups/"+id+"?excludedAttributes=members", nil), http.StatusOK)
	renamed := call(t, http.MethodPatch, "/Groups/"+id+"?attributes=members", patchOp(map[string]any{
		"op": "replace", "path": "displayName", "value": "Large_" + guid,
	}))
	expectStatus(t, renamed, http.StatusNoContent)
	paged := call(t, http.MethodGet, "/Users"+filterQuery(`groups.value eq "`+id+`"`)+"&count=1", nil)
	if paged.JSON["totalResults"] != float64(2) || paged.JSON["itemsPerPage"] != float64(1) {
		t.Errorf("paging the members of a large group: %s", paged.Raw)
	}
	// Writes of a group over the limit are stored, and their responses have
	// no body, never a shorter member list.
	replaced := call(t, http.MethodPut, "/Groups/"+id, map[string]any{"schemas": []any{groupURN}, "displayName": "Embedded_" + guid})
	expectStatus(t, replaced, http.StatusNoContent)
	if len(replaced.Raw) != 0 || replaced.Header.Get("ETag") == "" {
		t.Errorf("PUT over the limit: body %q, ETag %q; want no body and an ETag", replaced.Raw, replaced.Header.Get("ETag"))
	}
	big := call(t, http.MethodPost, "/Groups", map[string]any{
		"schemas": []any{groupURN}, "displayName": "Big_" + guid, "members": memberValues(u1, u2),
	})
	expectStatus(t, big, http.StatusCreated)
	if len(big.Raw) != 0 || !strings.Contains(big.Header.Get("Location"), "/Groups/") {
		t.Errorf("POST over the limit: body %q, Location %q; want no body and a Location", big.Raw, big.Header.Get("Location"))
	}
	expectStatus(t, call(t, http.MethodPatch, "/Groups/"+id, patchOp(map[string]any{
		"op": "remove", "path": "members", "value": memberValues(u1),
	})), http.StatusNoContent)

	expectStatus(t, call(t, http.MethodDelete, "/Users/"+u2, nil), http.StatusNoContent)
	if got := groupMembers(t, id); len(got) != 0 {
		t.Errorf("members after deleting the user = %v, want none", got)
	}
}

// startEmbeddedServer starts another local server on a free loopback port
// with the embedded store and the test token, plus the extra environment
// variables, and waits until it listens. It returns the address and a stop
// function, which the test's cleanup also calls.
func startEmbeddedServer(t *testing.T, output io.Writer, env ...string) (string, func()) {
	t.Helper()
	addr, err := loopback.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	server := exec.Command(serverBinary)
	server.Env = append(os.Environ(),
		"SCIM_ADDR="+addr,
		"SCIM_BEARER_TOKENS="+token,
		"SCIM_BEARER_TOKEN_FILE="+filepath.Join(dir, "no-token-file"),
		"SCIM_REDIS_PASSWORD_FILE="+filepath.Join(dir, "no-password-file"),
		// No Redis settings: the local server uses its embedded store.
		"SCIM_REDIS_URL=", "REDIS_URL=", "SCIM_REDIS_CLUSTER_ADDRS=", "SCIM_REDIS_SENTINEL_ADDRS=",
	)
	server.Env = append(server.Env, env...)
	server.Stdout, server.Stderr = output, output

	if err := server.Start(); err != nil {
		t.Fatalf("start another local server: %v", err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = server.Process.Kill()
			_ = server.Wait()
		}
	}
	t.Cleanup(stop)

	if err := loopback.WaitForPort(addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return addr, stop
}
