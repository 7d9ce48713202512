package entrypoint_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/route"
)

// received is what the handle function saw of one request.
type received struct {
	method string
	body   string
	query  string
	header http.Header
	host   string
	path   string
}

// serve starts a loopback server for handle and returns its URL.
func serve(t *testing.T, handle entrypoint.HandleFunc) string {
	t.Helper()
	server := httptest.NewServer(entrypoint.Handler(handle))
	t.Cleanup(server.Close)
	return server.URL
}

func do(t *testing.T, method, url string, body io.Reader, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestHandlerPassesRequest(t *testing.T) {
	var got received
	url := serve(t, func(req handler.Request) (handler.Response, error) {
		got = received{
			method: req.Method,
			body:   string(req.Body),
			query:  req.QueryString,
			header: req.Header,
			host:   req.Host,
			path:   route.Path(req.Context()),
		}
		return handler.Response{StatusCode: http.StatusCreated}, nil
	})

	req, err := http.NewRequest(http.MethodPatch, url+"/scim/Users/u1?filter=userName%20eq%20%22a%22&count=5", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "scim.example.com:8585"
	req.Header.Set("Authorization", "Bearer token")
	req.Header.Set("X-Call-Id", "call-1")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	checks := []struct {
		name string
		got  string
		want string
	}{
		{"method is passed", got.method, http.MethodPatch},
		{"body is passed", got.body, `{"a":1}`},
		{"raw query is passed", got.query, "filter=userName%20eq%20%22a%22&count=5"},
		{"authorization header is passed", got.header.Get("Authorization"), "Bearer token"},
		{"call id header is passed", got.header.Get("X-Call-Id"), "call-1"},
		{"host header is passed", got.host, "scim.example.com:8585"},
		{"path is in context", got.path, "/scim/Users/u1"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
}

func TestHandlerWritesResponse(t *testing.T) {
	tests := []struct {
		name       string
		response   handler.Response
		wantStatus int
		wantBody   string
		wantHeader map[string][]string
	}{
		{
			name:       "zero status is 200",
			response:   handler.Response{Body: []byte("hello")},
			wantStatus: http.StatusOK,
			wantBody:   "hello",
		},
		{
			name: "status and headers copied",
			response: handler.Response{
				StatusCode: http.StatusCreated,
				Body:       []byte(`{"id":"u1"}`),
				Header: http.Header{
					"Content-Type": {"application/scim+json"},
					"Etag":         {`W/"1"`},
					"Location":     {"https://scim.example.com/scim/Users/u1"},
					"X-Multi":      {"one", "two"},
				},
			},
			wantStatus: http.StatusCreated,
			wantBody:   `{"id":"u1"}`,
			wantHeader: map[string][]string{
				"Content-Type": {"application/scim+json"},
				"Etag":         {`W/"1"`},
				"Location":     {"https://scim.example.com/scim/Users/u1"},
				"X-Multi":      {"one", "two"},
			},
		},
		{
			name:       "no content without body",
			response:   handler.Response{StatusCode: http.StatusNoContent},
			wantStatus: http.StatusNoContent,
			wantBody:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, func(handler.Request) (handler.Response, error) { return tt.response, nil })
			resp := do(t, http.MethodGet, url+"/scim/Users", nil, nil)

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			for name, want := range tt.wantHeader {
				if got := resp.Header.Values(name); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// scimError is the part of a SCIM Error message that the tests read.
type scimError struct {
	Schemas []string `json:"schemas"`
	Status  string   `json:"status"`
	Detail  string   `json:"detail"`
}

func readSCIMError(t *testing.T, resp *http.Response) scimError {
	t.Helper()
	if got := resp.Header.Get("Content-Type"); got != "application/scim+json" {
		t.Errorf("Content-Type = %q, want application/scim+json", got)
	}
	var body scimError
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("error body is not JSON: %v", err)
	}
	if len(body.Schemas) != 1 || body.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("schemas = %v, want the Error URN", body.Schemas)
	}
	return body
}

func TestHandlerErrors(t *testing.T) {
	called := false
	failing := func(handler.Request) (handler.Response, error) {
		called = true
		return handler.Response{}, errors.New("redis: secret internal detail")
	}
	counting := func(handler.Request) (handler.Response, error) {
		called = true
		return handler.Response{}, nil
	}

	tests := []struct {
		name       string
		handle     entrypoint.HandleFunc
		body       io.Reader
		wantStatus int
		wantCalled bool
	}{
		{"handle error is 500", failing, nil, http.StatusInternalServerError, true},
		{"body over limit is 413", counting, bytes.NewReader(make([]byte, entrypoint.MaxBodySize+1)), http.StatusRequestEntityTooLarge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			url := serve(t, tt.handle)
			resp := do(t, http.MethodPost, url+"/scim/Users", tt.body, http.Header{"Content-Type": {"application/scim+json"}})

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			body := readSCIMError(t, resp)
			if want := strconv.Itoa(tt.wantStatus); body.Status != want {
				t.Errorf("body status = %q, want %q", body.Status, want)
			}
			if strings.Contains(body.Detail, "secret internal detail") {
				t.Errorf("detail %q leaks the handle's error", body.Detail)
			}
			if called != tt.wantCalled {
				t.Errorf("handle called = %v, want %v", called, tt.wantCalled)
			}
		})
	}
}

func TestHandlerBodyAtLimit(t *testing.T) {
	var size int
	url := serve(t, func(req handler.Request) (handler.Response, error) {
		size = len(req.Body)
		return handler.Response{}, nil
	})
	resp := do(t, http.MethodPost, url+"/scim/Users", bytes.NewReader(make([]byte, entrypoint.MaxBodySize)), nil)

	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if size != entrypoint.MaxBodySize {
		t.Errorf("handle saw %d bytes, want %d", size, entrypoint.MaxBodySize)
	}
}

func TestListenAddrDefault(t *testing.T) {
	t.Setenv(entrypoint.AddrEnv, "")
	if got := entrypoint.ListenAddr(); got != entrypoint.Listen {
		t.Errorf("ListenAddr() = %q with %s empty, want %q", got, entrypoint.AddrEnv, entrypoint.Listen)
	}
}

func TestListenAddrOverride(t *testing.T) {
	t.Setenv(entrypoint.AddrEnv, "127.0.0.1:18082")
	if got := entrypoint.ListenAddr(); got != "127.0.0.1:18082" {
		t.Errorf("ListenAddr() = %q, want the value of %s, 127.0.0.1:18082", got, entrypoint.AddrEnv)
	}
}
