// Package acceptance drives the local server binary over real HTTP, backed
// by a real redis-server, the way Microsoft Entra ID provisioning does.
package acceptance

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/tests/loopback"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

const token = "acceptance-test-token"

// baseURL is the SCIM base URL of the local server that TestMain starts.
var baseURL string

// serverBinary is the path of the local server binary that TestMain builds.
var serverBinary string

func TestMain(m *testing.M) {
	code, err := runWithServer(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runWithServer starts Redis (a single server, or a cluster when
// SCIM_TEST_REDIS=cluster) and the local server binary, runs the
// tests, and stops both.
func runWithServer(m *testing.M) (int, error) {
	redis, err := redisserver.LaunchTopology()
	if err != nil {
		return 0, err
	}
	defer redis.Stop()

	dir, err := os.MkdirTemp("", "scim-acceptance-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)

	binary := filepath.Join(dir, "scim-local")
	build := exec.Command("go", "build", "-o", binary, "github.com/scimfaas/scimfaas/deploy/local")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build the local server: %w", err)
	}
	serverBinary = binary

	addr, err := loopback.FreeAddr()
	if err != nil {
		return 0, err
	}
	server := exec.Command(binary)
	server.Env = append(os.Environ(),
		"SCIM_ADDR="+addr,
		"SCIM_BEARER_TOKENS="+token,
		"SCIM_BEARER_TOKEN_FILE="+filepath.Join(dir, "no-token-file"),
		"SCIM_REDIS_PASSWORD_FILE="+filepath.Join(dir, "no-password-file"),
		"SCIM_LOG_LEVEL=warn",
		"SCIM_SCHEMA_EXTENSIONS_FILE="+filepath.Join("testdata", "schema-extensions.json"),
	)
	server.Env = append(server.Env, redis.Environ()...)
	server.Stdout, server.Stderr = os.Stderr, os.Stderr
	if err := server.Start(); err != nil {
		return 0, fmt.Errorf("start the local server: %w", err)
	}
	defer func() {
		_ = server.Process.Kill()
		_ = server.Wait()
	}()

	baseURL = "http://" + addr + "/scim"
	if err := loopback.WaitForPort(addr, 30*time.Second); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// response is an HTTP response with its body read and, when it is JSON,
// decoded.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

var client = &http.Client{Timeout: 10 * time.Second}

// call sends a request with the test token and the SCIM content type.
// path is relative to the base URL and may carry a query string.
func call(t *testing.T, method, path string, body any) response {
	t.Helper()
	return callWith(t, method, path, body, map[string]string{
		"Authorization": "Bearer " + token,
		"Content-Type":  "application/scim+json; charset=utf-8",
	})
}

func callWith(t *testing.T, method, path string, body any, headers map[string]string) response {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		encoded, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode request body: %v", err)
		}
		reader = bytes.NewReader(encoded)
	}

	req, err := http.NewRequest(method, baseURL+path, reader)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	for name, value := range headers {
		req.Header.Set(name, value)
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

// expectStatus fails the test unless the response has the status.
func expectStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Raw)
	}
}

// expectError checks that r is a SCIM error with the status and scimType
// ("" for none).
func expectError(t *testing.T, r response, status int, scimType string) {
	t.Helper()
	expectStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type = %q, want application/scim+json", ct)
	}
	schemas, _ := r.JSON["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("schemas = %v, want the Error message URN", r.JSON["schemas"])
	}
	if r.JSON["status"] != fmt.Sprint(status) {
		t.Errorf("status member = %#v, want the string %q", r.JSON["status"], fmt.Sprint(status))
	}
	if detail, _ := r.JSON["detail"].(string); detail == "" {
		t.Errorf("detail is empty")
	}
	gotType, _ := r.JSON["scimType"].(string)
	if gotType != scimType {
		t.Errorf("scimType = %q, want %q", gotType, scimType)
	}
}

// field walks a decoded JSON document along keys and array indexes.
func field(doc any, path ...any) any {
	current := doc
	for _, step := range path {
		switch key := step.(type) {
		case string:
			object, _ := current.(map[string]any)
			current = object[key]
		case int:
			list, _ := current.([]any)
			if key >= len(list) {
				return nil
			}
			current = list[key]
		}
	}
	return current
}

func newGUID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
