package scimhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
	"github.com/scimfaas/scimfaas/tests/redisserver"
)

const (
	tokenOne = "first-token-4KXSVZ3W"
	tokenTwo = "second-token-QH2B6RMW"
)

func TestMain(m *testing.M) { os.Exit(redisserver.RunTests(m)) }

// topologyConfig returns testConfig pointed at the Redis of topology, a
// single server or a cluster.
func topologyConfig(topology *redisserver.Topology) config.Config {
	cfg := testConfig(topology.URL)
	if topology.Cluster {
		cfg.RedisClusterAddrs = topology.Addrs
	}
	return cfg
}

// testConfig returns a valid configuration that points at redisURL.
func testConfig(redisURL string) config.Config {
	return config.Config{
		Addr:           "127.0.0.1:8585",
		BasePath:       "/scim",
		BaseURL:        "https://scim.example.com/scim",
		BearerTokens:   []string{tokenOne, tokenTwo},
		RedisURL:       redisURL,
		RedisPrefix:    "scim",
		RequestTimeout: 5 * time.Second,
		MaxResults:     50,
		MaxBodySize:    4096,
		LogLevel:       "info",
	}
}

// testApp is an App for one function with the buffer its log goes to.
type testApp struct {
	app *scimhttp.App
	log *bytes.Buffer
}

func newApp(t *testing.T, cfg config.Config, function string) testApp {
	t.Helper()
	var log bytes.Buffer
	app, err := scimhttp.NewApp(cfg, function, &log)
	if err != nil {
		t.Fatalf("NewApp(%s) failed: %v", function, err)
	}
	t.Cleanup(func() { app.Close() })
	return testApp{app: app, log: &log}
}

// call describes one request to an App.
type call struct {
	method string
	// target is the URL path with an optional query string.
	target string
	body   string
	header map[string]string
}

func newRequest(t *testing.T, c call) handler.Request {
	t.Helper()
	path, query, _ := strings.Cut(c.target, "?")
	req := handler.Request{
		Method:      c.method,
		QueryString: query,
		Body:        []byte(c.body),
		Header:      http.Header{},
		Host:        "scim.example.com",
	}
	req.Header.Set("Authorization", "Bearer "+tokenOne)
	if c.body != "" {
		req.Header.Set("Content-Type", scimhttp.ContentType)
	}
	for name, value := range c.header {
		if value == "" {
			req.Header.Del(name)
			continue
		}
		req.Header.Set(name, value)
	}
	req.WithContext(route.WithPath(context.Background(), path))
	return req
}

// serve sends c through a.app.Serve and returns the response and the one
// access log line that the request wrote. It fails t unless the request
// wrote exactly one access line.
func (a testApp) serve(t *testing.T, c call, op scimhttp.Operation) (handler.Response, map[string]any) {
	t.Helper()
	a.log.Reset()
	resp := a.app.Serve(newRequest(t, c), op)

	var access []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(a.log.String()), "\n") {
		if line == "" {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		if fields["message"] == "request" {
			access = append(access, fields)
		}
	}
	if len(access) != 1 {
		t.Fatalf("%s %s wrote %d access lines, want 1:\n%s", c.method, c.target, len(access), a.log)
	}
	return resp, access[0]
}

// scimError is the SCIM Error message of an error response.
type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType"`
	Detail   string   `json:"detail"`
}

// checkError fails t unless resp is a SCIM error with the given status, and
// returns its body.
func checkError(t *testing.T, resp handler.Response, status int) scimError {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d; body %s", resp.StatusCode, status, resp.Body)
	}
	if got := resp.Header.Get("Content-Type"); got != scimhttp.ContentType {
		t.Errorf("Content-Type = %q, want %s", got, scimhttp.ContentType)
	}
	var body scimError
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", resp.Body, err)
	}
	if body.Status != strconv.Itoa(status) {
		t.Errorf("body status = %q, want %q", body.Status, strconv.Itoa(status))
	}
	if len(body.Schemas) != 1 || body.Schemas[0] != schema.ErrorURN {
		t.Errorf("schemas = %v, want [%s]", body.Schemas, schema.ErrorURN)
	}
	return body
}

// listResponse is the part of a ListResponse that the tests read.
type listResponse struct {
	TotalResults int              `json:"totalResults"`
	StartIndex   int              `json:"startIndex"`
	ItemsPerPage int              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

func decodeList(t *testing.T, resp handler.Response) listResponse {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", resp.StatusCode, resp.Body)
	}
	var list listResponse
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		t.Fatalf("list body %q is not JSON: %v", resp.Body, err)
	}
	return list
}

// createUsers stores users with the given userNames through the create
// function and fails t unless each gets a 201.
func createUsers(t *testing.T, cfg config.Config, userNames ...string) {
	t.Helper()
	creator := newApp(t, cfg, route.UsersCreate)
	for _, name := range userNames {
		body := fmt.Sprintf(`{"schemas":[%q],"userName":%q,"displayName":"Test User"}`, schema.UserURN, name)
		resp, _ := creator.serve(t, call{method: http.MethodPost, target: "/scim/Users", body: body}, scimhttp.CreateResource("User"))
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %s: status = %d, body %s", name, resp.StatusCode, resp.Body)
		}
	}
}

func TestAuthenticatorAllow(t *testing.T) {
	auth := scimhttp.NewAuthenticator([]string{tokenOne, tokenTwo})

	tests := []struct {
		name          string
		authorization string
		want          bool
	}{
		{"first token is allowed", "Bearer " + tokenOne, true},
		{"second token is allowed", "Bearer " + tokenTwo, true},
		{"lower case scheme", "bearer " + tokenOne, true},
		{"upper case scheme", "BEARER " + tokenTwo, true},
		{"spaces around parts ignored", "  Bearer   " + tokenOne + "  ", true},
		{"unknown token is rejected", "Bearer not-a-configured-token", false},
		{"token other case", "Bearer " + strings.ToUpper(tokenOne), false},
		{"prefix of token rejected", "Bearer " + tokenOne[:5], false},
		{"empty header is rejected", "", false},
		{"scheme without token", "Bearer", false},
		{"scheme with blank token", "Bearer    ", false},
		{"token without scheme", tokenOne, false},
		{"basic scheme is rejected", "Basic " + tokenOne, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.Allow(tt.authorization); got != tt.want {
				t.Errorf("Allow(%q) = %v, want %v", tt.authorization, got, tt.want)
			}
		})
	}
}

func TestAuthenticatorWithoutTokens(t *testing.T) {
	auth := scimhttp.NewAuthenticator(nil)
	if auth.Allow("Bearer anything") {
		t.Error("an Authenticator without tokens allowed a request")
	}
}

func TestServeAuthentication(t *testing.T) {
	srv := redisserver.StartTopology(t)
	lister := newApp(t, topologyConfig(srv), route.UsersList)

	tests := []struct {
		name          string
		authorization string
		wantStatus    int
	}{
		{"first token is served", "Bearer " + tokenOne, http.StatusOK},
		{"second token lower scheme", "bearer " + tokenTwo, http.StatusOK},
		{"missing authorization is 401", "", http.StatusUnauthorized},
		{"wrong token is 401", "Bearer wrong-token-value", http.StatusUnauthorized},
		{"basic authorization is 401", "Basic " + tokenOne, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, access := lister.serve(t, call{
				method: http.MethodGet,
				target: "/scim/Users",
				header: map[string]string{"Authorization": tt.authorization},
			}, scimhttp.ListResources("User"))

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusUnauthorized {
				checkError(t, resp, http.StatusUnauthorized)
				if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
				}
			}
			if access["status"] != float64(tt.wantStatus) {
				t.Errorf("logged status = %v, want %d", access["status"], tt.wantStatus)
			}
		})
	}
}

func TestServeAccessLog(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	lister := newApp(t, cfg, route.UsersList)
	const email = "hidden.person@example.com"
	filter := url.QueryEscape(`userName eq "` + email + `"`)

	tests := []struct {
		name       string
		call       call
		wantStatus int
	}{
		{
			name:       "list with filter",
			call:       call{method: http.MethodGet, target: "/scim/Users?filter=" + filter},
			wantStatus: http.StatusOK,
		},
		{
			name: "search with body",
			call: call{method: http.MethodPost, target: "/scim/Users/.search",
				body: `{"schemas":["` + schema.SearchRequestURN + `"],"filter":"userName eq \"` + email + `\""}`},
			wantStatus: http.StatusOK,
		},
		{
			name:       "rejected token with email",
			call:       call{method: http.MethodGet, target: "/scim/Users?filter=" + filter, header: map[string]string{"Authorization": "Bearer " + email}},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name:       "invalid filter with email",
			call:       call{method: http.MethodGet, target: "/scim/Users?filter=" + url.QueryEscape(`userName eq "`+email)},
			wantStatus: http.StatusBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.header = withDefault(tt.call.header, "X-Call-Id", "call-"+strings.ReplaceAll(tt.name, " ", "-"))
			resp, access := lister.serve(t, tt.call, scimhttp.ListResources("User"))
			log := lister.log.String()

			wantPath, _, _ := strings.Cut(tt.call.target, "?")
			checks := []struct {
				field string
				want  any
			}{
				{"fn", route.UsersList},
				{"call_id", tt.call.header["X-Call-Id"]},
				{"method", tt.call.method},
				{"path", wantPath},
				{"status", float64(tt.wantStatus)},
			}
			for _, c := range checks {
				if access[c.field] != c.want {
					t.Errorf("access field %s = %#v, want %#v", c.field, access[c.field], c.want)
				}
			}
			if _, ok := access["duration_ms"].(float64); !ok {
				t.Errorf("duration_ms = %#v, want a number", access["duration_ms"])
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}

			for _, secret := range []string{tokenOne, email, "filter="} {
				if strings.Contains(log, secret) {
					t.Errorf("log contains %q:\n%s", secret, log)
				}
			}
		})
	}
}

func withDefault(header map[string]string, name, value string) map[string]string {
	out := map[string]string{name: value}
	for k, v := range header {
		out[k] = v
	}
	return out
}

func TestServeGeneratesCallID(t *testing.T) {
	srv := redisserver.StartTopology(t)
	lister := newApp(t, topologyConfig(srv), route.UsersList)

	_, first := lister.serve(t, call{method: http.MethodGet, target: "/scim/Users"}, scimhttp.ListResources("User"))
	_, second := lister.serve(t, call{method: http.MethodGet, target: "/scim/Users"}, scimhttp.ListResources("User"))

	id, _ := first["call_id"].(string)
	if id == "" {
		t.Fatalf("call_id = %#v, want a generated id", first["call_id"])
	}
	if first["call_id"] == second["call_id"] {
		t.Errorf("two requests share the call id %v", id)
	}
}

func TestServeRouting(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	lister := newApp(t, cfg, route.UsersList)
	discovery := newApp(t, cfg, route.Discovery)

	tests := []struct {
		name       string
		app        testApp
		call       call
		op         scimhttp.Operation
		wantStatus int
	}{
		{"list on list function", lister, call{method: http.MethodGet, target: "/scim/Users"}, scimhttp.ListResources("User"), http.StatusOK},
		{"lower case path", lister, call{method: http.MethodGet, target: "/scim/users"}, scimhttp.ListResources("User"), http.StatusOK},
		{"without base path", lister, call{method: http.MethodGet, target: "/Users"}, scimhttp.ListResources("User"), http.StatusOK},
		{"create on list function", lister, call{method: http.MethodPost, target: "/scim/Users", body: `{"userName":"a"}`}, scimhttp.ListResources("User"), http.StatusNotFound},
		{"get on list function", lister, call{method: http.MethodGet, target: "/scim/Users/some-id"}, scimhttp.ListResources("User"), http.StatusNotFound},
		{"delete on list function", lister, call{method: http.MethodDelete, target: "/scim/Users/some-id"}, scimhttp.ListResources("User"), http.StatusNotFound},
		{"method not allowed", lister, call{method: http.MethodPut, target: "/scim/Users"}, scimhttp.ListResources("User"), http.StatusMethodNotAllowed},
		{"base path not at boundary", lister, call{method: http.MethodGet, target: "/scimx/Users"}, scimhttp.ListResources("User"), http.StatusNotFound},
		{"unknown Groups endpoint", discovery, call{method: http.MethodGet, target: "/scim/Groups"}, scimhttp.Discovery, http.StatusNotFound},
		{"bulk not implemented", discovery, call{method: http.MethodPost, target: "/scim/Bulk", body: `{}`}, scimhttp.Discovery, http.StatusNotImplemented},
		{"discovery serves schemas", discovery, call{method: http.MethodGet, target: "/scim/Schemas"}, scimhttp.Discovery, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := tt.app.serve(t, tt.call, tt.op)
			if tt.wantStatus >= 400 {
				checkError(t, resp, tt.wantStatus)
				return
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
		})
	}
}

func TestServeContentType(t *testing.T) {
	srv := redisserver.StartTopology(t)
	creator := newApp(t, topologyConfig(srv), route.UsersCreate)

	tests := []struct {
		name        string
		contentType string
		wantStatus  int
	}{
		{"scim json is accepted", "application/scim+json", http.StatusCreated},
		{"json with charset", "application/json; charset=utf-8", http.StatusCreated},
		{"scim json upper case", "Application/SCIM+JSON", http.StatusCreated},
		{"text plain is rejected", "text/plain", http.StatusUnsupportedMediaType},
		{"form encoding is rejected", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"malformed media type rejected", "application/json; charset", http.StatusUnsupportedMediaType},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"schemas":[%q],"userName":"type%d@example.com"}`, schema.UserURN, i)
			resp, _ := creator.serve(t, call{
				method: http.MethodPost,
				target: "/scim/Users",
				body:   body,
				header: map[string]string{"Content-Type": tt.contentType},
			}, scimhttp.CreateResource("User"))

			if tt.wantStatus >= 400 {
				checkError(t, resp, tt.wantStatus)
				return
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if got := resp.Header.Get("Content-Type"); got != scimhttp.ContentType {
				t.Errorf("response Content-Type = %q, want %s", got, scimhttp.ContentType)
			}
		})
	}
}

func TestServeBodySize(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	creator := newApp(t, cfg, route.UsersCreate)

	// A valid user whose displayName pads the body to the wanted size.
	bodyOfSize := func(size int) string {
		prefix := fmt.Sprintf(`{"schemas":[%q],"userName":"size%d@example.com","displayName":"`, schema.UserURN, size)
		suffix := `"}`
		return prefix + strings.Repeat("a", size-len(prefix)-len(suffix)) + suffix
	}

	tests := []struct {
		name       string
		size       int
		wantStatus int
	}{
		{"at the limit", int(cfg.MaxBodySize), http.StatusCreated},
		{"one byte over", int(cfg.MaxBodySize) + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bodyOfSize(tt.size)
			if len(body) != tt.size {
				t.Fatalf("test body has %d bytes, want %d", len(body), tt.size)
			}
			resp, _ := creator.serve(t, call{method: http.MethodPost, target: "/scim/Users", body: body}, scimhttp.CreateResource("User"))

			if tt.wantStatus >= 400 {
				checkError(t, resp, tt.wantStatus)
				return
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, resp.Body)
			}
		})
	}
}

func TestServeRedisUnavailable(t *testing.T) {
	lister := newApp(t, testConfig("redis://127.0.0.1:1/0"), route.UsersList)
	const callID = "call-unavailable-42"

	resp, access := lister.serve(t, call{
		method: http.MethodGet,
		target: "/scim/Users",
		header: map[string]string{"X-Call-Id": callID},
	}, scimhttp.ListResources("User"))
	body := checkError(t, resp, http.StatusServiceUnavailable)

	if !strings.Contains(body.Detail, callID) {
		t.Errorf("detail %q does not hold the call id %s", body.Detail, callID)
	}
	for _, internal := range []string{"redis", "dial", "refused", "127.0.0.1"} {
		if strings.Contains(strings.ToLower(body.Detail), internal) {
			t.Errorf("detail %q holds the internal text %q", body.Detail, internal)
		}
	}
	if access["status"] != float64(http.StatusServiceUnavailable) {
		t.Errorf("logged status = %v, want 503", access["status"])
	}
	if access["level"] != "error" {
		t.Errorf("access level = %v, want error", access["level"])
	}
	if !strings.Contains(lister.log.String(), "refused") {
		t.Errorf("log does not hold the Redis error:\n%s", lister.log)
	}
}

func TestServePanicIs500(t *testing.T) {
	srv := redisserver.StartTopology(t)
	lister := newApp(t, topologyConfig(srv), route.UsersList)
	panicking := func(context.Context, *scimhttp.App, scimhttp.Request) (scimhttp.Response, error) {
		panic("operation bug")
	}

	resp, access := lister.serve(t, call{method: http.MethodGet, target: "/scim/Users"}, panicking)
	body := checkError(t, resp, http.StatusInternalServerError)

	if strings.Contains(body.Detail, "operation bug") {
		t.Errorf("detail %q holds the panic value", body.Detail)
	}
	if access["status"] != float64(http.StatusInternalServerError) {
		t.Errorf("logged status = %v, want 500", access["status"])
	}
}

func TestServeSearch(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	createUsers(t, cfg, "alice@example.com", "bob@example.com", "carol@example.com")
	lister := newApp(t, cfg, route.UsersList)

	tests := []struct {
		name      string
		body      string
		wantTotal int
		wantItems int
		wantStart int
	}{
		{"filter by userName", `{"schemas":["` + schema.SearchRequestURN + `"],"filter":"userName eq \"BOB@example.com\""}`, 1, 1, 1},
		{"search without filter", `{"schemas":["` + schema.SearchRequestURN + `"]}`, 3, 3, 1},
		{"second page of one", `{"schemas":["` + schema.SearchRequestURN + `"],"startIndex":2,"count":1}`, 3, 1, 2},
		{"attributes as JSON array", `{"schemas":["` + schema.SearchRequestURN + `"],"attributes":["userName"],"count":5}`, 3, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := lister.serve(t, call{method: http.MethodPost, target: "/scim/Users/.search", body: tt.body}, scimhttp.ListResources("User"))
			list := decodeList(t, resp)

			if list.TotalResults != tt.wantTotal {
				t.Errorf("totalResults = %d, want %d", list.TotalResults, tt.wantTotal)
			}
			if list.ItemsPerPage != tt.wantItems || len(list.Resources) != tt.wantItems {
				t.Errorf("itemsPerPage = %d with %d resources, want %d", list.ItemsPerPage, len(list.Resources), tt.wantItems)
			}
			if list.StartIndex != tt.wantStart {
				t.Errorf("startIndex = %d, want %d", list.StartIndex, tt.wantStart)
			}
		})
	}

	t.Run("attributes limit output", func(t *testing.T) {
		body := `{"schemas":["` + schema.SearchRequestURN + `"],"attributes":["userName"]}`
		resp, _ := lister.serve(t, call{method: http.MethodPost, target: "/scim/Users/.search", body: body}, scimhttp.ListResources("User"))
		for _, r := range decodeList(t, resp).Resources {
			if _, ok := r["displayName"]; ok {
				t.Errorf("resource %v has displayName, which attributes left out", r)
			}
		}
	})
	t.Run("count not a number", func(t *testing.T) {
		body := `{"schemas":["` + schema.SearchRequestURN + `"],"count":"many"}`
		resp, _ := lister.serve(t, call{method: http.MethodPost, target: "/scim/Users/.search", body: body}, scimhttp.ListResources("User"))
		checkError(t, resp, http.StatusBadRequest)
	})
}

func TestServeCountCapped(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	cfg.MaxResults = 3
	createUsers(t, cfg, "c1@example.com", "c2@example.com", "c3@example.com", "c4@example.com", "c5@example.com")
	lister := newApp(t, cfg, route.UsersList)

	tests := []struct {
		name      string
		target    string
		wantItems int
	}{
		{"count above maximum", "/scim/Users?count=10", 3},
		{"count not given", "/scim/Users", 3},
		{"count below maximum", "/scim/Users?count=2", 2},
		{"count of zero", "/scim/Users?count=0", 0},
		{"negative count reads zero", "/scim/Users?count=-4", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := lister.serve(t, call{method: http.MethodGet, target: tt.target}, scimhttp.ListResources("User"))
			list := decodeList(t, resp)

			if list.ItemsPerPage != tt.wantItems {
				t.Errorf("itemsPerPage = %d, want %d", list.ItemsPerPage, tt.wantItems)
			}
			if len(list.Resources) != tt.wantItems {
				t.Errorf("got %d resources, want %d", len(list.Resources), tt.wantItems)
			}
			if list.TotalResults != 5 {
				t.Errorf("totalResults = %d, want 5", list.TotalResults)
			}
		})
	}
}

// functionEnv sets the environment of a valid configuration for Function,
// with secret files in a temporary directory.
func functionEnv(t *testing.T, topology *redisserver.Topology) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SCIM_BEARER_TOKEN_FILE", filepath.Join(dir, "no-token-file"))
	t.Setenv("SCIM_REDIS_PASSWORD_FILE", filepath.Join(dir, "no-password-file"))
	t.Setenv("SCIM_BEARER_TOKENS", tokenOne)
	for name, value := range topology.Env {
		t.Setenv(name, value)
	}
	t.Setenv("SCIM_BASE_URL", "https://scim.example.com/scim")
	t.Setenv("SCIM_MAX_RESULTS", "50")
	t.Setenv("SCIM_LOG_LEVEL", "info")
	t.Setenv("FUNCTION_NAME", "")
}

// captureStderr sends os.Stderr, where Function logs, to a temporary file
// until the test ends, and returns a function that reads what was written.
func captureStderr(t *testing.T) func() string {
	t.Helper()
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	original := os.Stderr
	os.Stderr = file
	t.Cleanup(func() {
		os.Stderr = original
		file.Close()
	})
	return func() string {
		content, err := os.ReadFile(file.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(content)
	}
}

// accessLines returns the access lines of a JSON log.
func accessLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			continue // redis-server or test output, not a log line
		}
		if fields["message"] == "request" {
			lines = append(lines, fields)
		}
	}
	return lines
}

func TestFunctionConfiguration(t *testing.T) {
	srv := redisserver.StartTopology(t)

	tests := []struct {
		name       string
		env        map[string]string
		wantStatus int
	}{
		{"valid configuration serves requests", nil, http.StatusOK},
		{"zero max results", map[string]string{"SCIM_MAX_RESULTS": "0"}, http.StatusServiceUnavailable},
		{"duration with a space", map[string]string{"SCIM_REQUEST_TIMEOUT": "5 s"}, http.StatusServiceUnavailable},
		{"no bearer token", map[string]string{"SCIM_BEARER_TOKENS": ""}, http.StatusServiceUnavailable},
		{"no redis url", map[string]string{"SCIM_REDIS_URL": "", "REDIS_URL": "", "SCIM_REDIS_CLUSTER_ADDRS": ""}, http.StatusServiceUnavailable},
		{"invalid redis url", map[string]string{"SCIM_REDIS_URL": "http://127.0.0.1:6379"}, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			functionEnv(t, srv)
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			readLog := captureStderr(t)
			handle := scimhttp.Function(route.UsersList, scimhttp.ListResources("User"))

			callIDs := []string{"function-call-1", "function-call-2"}
			for _, id := range callIDs {
				resp, err := handle(newRequest(t, call{
					method: http.MethodGet,
					target: "/scim/Users",
					header: map[string]string{"X-Call-Id": id},
				}))
				if err != nil {
					t.Fatalf("%s: Handle returned error %v", id, err)
				}
				if tt.wantStatus != http.StatusOK {
					body := checkError(t, resp, tt.wantStatus)
					if body.Detail == "" {
						t.Errorf("%s: error has no detail", id)
					}
					continue
				}
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: status = %d, want 200; body %s", id, resp.StatusCode, resp.Body)
				}
			}

			access := accessLines(t, readLog())
			if len(access) != len(callIDs) {
				t.Fatalf("got %d access lines for %d requests:\n%s", len(access), len(callIDs), readLog())
			}
			for i, line := range access {
				if line["call_id"] != callIDs[i] {
					t.Errorf("access line %d call_id = %v, want %s", i+1, line["call_id"], callIDs[i])
				}
				if line["status"] != float64(tt.wantStatus) {
					t.Errorf("access line %d status = %v, want %d", i+1, line["status"], tt.wantStatus)
				}
				if line["path"] != "/scim/Users" {
					t.Errorf("access line %d path = %v, want /scim/Users", i+1, line["path"])
				}
			}
		})
	}
}

func TestServeUserLifecycle(t *testing.T) {
	srv := redisserver.StartTopology(t)
	cfg := topologyConfig(srv)
	apps := map[string]testApp{}
	for _, function := range []string{route.UsersCreate, route.UsersGet, route.UsersReplace, route.UsersPatch, route.UsersDelete} {
		apps[function] = newApp(t, cfg, function)
	}

	created, _ := apps[route.UsersCreate].serve(t, call{
		method: http.MethodPost,
		target: "/scim/Users",
		body:   fmt.Sprintf(`{"schemas":[%q],"userName":"life@example.com","active":"True"}`, schema.UserURN),
	}, scimhttp.CreateResource("User"))
	if created.StatusCode != http.StatusCreated {
		t.Fatalf("create: status = %d, want 201; body %s", created.StatusCode, created.Body)
	}
	var user map[string]any
	if err := json.Unmarshal(created.Body, &user); err != nil {
		t.Fatal(err)
	}
	id, _ := user["id"].(string)
	if id == "" {
		t.Fatalf("created user has no id: %s", created.Body)
	}
	location := cfg.BaseURL + "/Users/" + id

	t.Run("create location and etag", func(t *testing.T) {
		if got := created.Header.Get("Location"); got != location {
			t.Errorf("Location = %q, want %q", got, location)
		}
		if got := created.Header.Get("ETag"); got != `W/"1"` {
			t.Errorf("ETag = %q, want W/\"1\"", got)
		}
	})

	steps := []struct {
		name       string
		function   string
		call       call
		op         scimhttp.Operation
		wantStatus int
		wantETag   string
	}{
		{"get returns user", route.UsersGet, call{method: http.MethodGet, target: "/scim/Users/" + id}, scimhttp.GetResource("User"), http.StatusOK, `W/"1"`},
		{"patch deactivates user", route.UsersPatch, call{method: http.MethodPatch, target: "/scim/Users/" + id,
			body: `{"schemas":["` + schema.PatchOpURN + `"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`},
			scimhttp.PatchResource("User"), http.StatusOK, `W/"2"`},
		{"replace sets displayName", route.UsersReplace, call{method: http.MethodPut, target: "/scim/Users/" + id,
			body: `{"userName":"life@example.com","displayName":"Replaced"}`},
			scimhttp.ReplaceResource("User"), http.StatusOK, `W/"3"`},
		{"get with attributes", route.UsersGet, call{method: http.MethodGet, target: "/scim/Users/" + id + "?attributes=displayName"},
			scimhttp.GetResource("User"), http.StatusOK, `W/"3"`},
		{"delete removes user", route.UsersDelete, call{method: http.MethodDelete, target: "/scim/Users/" + id}, scimhttp.DeleteResource("User"), http.StatusNoContent, ""},
		{"get after delete", route.UsersGet, call{method: http.MethodGet, target: "/scim/Users/" + id}, scimhttp.GetResource("User"), http.StatusNotFound, ""},
		{"delete after delete", route.UsersDelete, call{method: http.MethodDelete, target: "/scim/Users/" + id}, scimhttp.DeleteResource("User"), http.StatusNotFound, ""},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			resp, _ := apps[step.function].serve(t, step.call, step.op)
			if step.wantStatus >= 400 {
				checkError(t, resp, step.wantStatus)
				return
			}
			if resp.StatusCode != step.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, step.wantStatus, resp.Body)
			}
			if got := resp.Header.Get("ETag"); got != step.wantETag {
				t.Errorf("ETag = %q, want %q", got, step.wantETag)
			}
			if step.wantStatus == http.StatusNoContent {
				if len(resp.Body) != 0 {
					t.Errorf("204 response has body %q", resp.Body)
				}
				return
			}
			var doc map[string]any
			if err := json.Unmarshal(resp.Body, &doc); err != nil {
				t.Fatalf("body %q is not JSON: %v", resp.Body, err)
			}
			if doc["id"] != id {
				t.Errorf("id = %v, want %s", doc["id"], id)
			}
			meta, _ := doc["meta"].(map[string]any)
			if step.name != "get with attributes" && meta["version"] != step.wantETag {
				t.Errorf("meta.version = %v, want %s", meta["version"], step.wantETag)
			}
		})
	}
}

// The edge proxies' "{id}" rules also match /Users/.search and
// /Groups/.search, so the get, replace, patch and delete functions can
// receive them. Each must reject them with the 405 that the discovery
// function returns.
func TestSearchPathOnIDFunctions(t *testing.T) {
	cfg := testConfig("redis://127.0.0.1:1/0")
	for _, tc := range []struct {
		function string
		method   string
		target   string
		op       scimhttp.Operation
	}{
		{route.UsersGet, http.MethodGet, "/scim/Users/.search", scimhttp.GetResource("User")},
		{route.UsersReplace, http.MethodPut, "/scim/Users/.search", scimhttp.ReplaceResource("User")},
		{route.UsersPatch, http.MethodPatch, "/scim/Users/.search", scimhttp.PatchResource("User")},
		{route.UsersDelete, http.MethodDelete, "/scim/Users/.search", scimhttp.DeleteResource("User")},
		{route.GroupsGet, http.MethodGet, "/scim/Groups/.search", scimhttp.GetResource("Group")},
		{route.GroupsReplace, http.MethodPut, "/scim/Groups/.search", scimhttp.ReplaceResource("Group")},
		{route.GroupsPatch, http.MethodPatch, "/scim/Groups/.search", scimhttp.PatchResource("Group")},
		{route.GroupsDelete, http.MethodDelete, "/scim/Groups/.search", scimhttp.DeleteResource("Group")},
		{route.Discovery, http.MethodGet, "/scim/Users/.search", scimhttp.Discovery},
		{route.Discovery, http.MethodGet, "/scim/Groups/.search", scimhttp.Discovery},
	} {
		t.Run(tc.function+" "+tc.target, func(t *testing.T) {
			app := newApp(t, cfg, tc.function)
			body := ""
			if tc.method == http.MethodPut || tc.method == http.MethodPatch {
				body = "{}"
			}
			resp, _ := app.serve(t, call{method: tc.method, target: tc.target, body: body}, tc.op)
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s on %s = %d, want 405; body %s", tc.method, tc.target, tc.function, resp.StatusCode, resp.Body)
			}
		})
	}
}

func TestServeRefusesFirstLayoutStore(t *testing.T) {
	srv := redisserver.StartTopology(t)
	ctx := context.Background()
	if err := srv.Client.Set(ctx, "scim:{User}:seq", "3", 0).Err(); err != nil {
		t.Fatal(err)
	}
	lister := newApp(t, topologyConfig(srv), route.UsersList)
	list := call{method: http.MethodGet, target: "/scim/Users"}

	resp, _ := lister.serve(t, list, scimhttp.ListResources("User"))
	checkError(t, resp, http.StatusServiceUnavailable)
	if !strings.Contains(lister.log.String(), "make migrate-keys") {
		t.Errorf("the log does not name the migration:\n%s", lister.log)
	}
	// serve resets the log, so this shows what the second request logged.
	resp, _ = lister.serve(t, list, scimhttp.ListResources("User"))
	checkError(t, resp, http.StatusServiceUnavailable)
	if strings.Contains(lister.log.String(), "make migrate-keys") {
		t.Errorf("the second request logged the migration again:\n%s", lister.log)
	}

	if err := srv.Client.Del(ctx, "scim:{User}:seq").Err(); err != nil {
		t.Fatal(err)
	}
	resp, _ = lister.serve(t, list, scimhttp.ListResources("User"))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status after the migration = %d, want 200; body %s", resp.StatusCode, resp.Body)
	}
}
