// Package scimhttptest holds test helpers for function handlers that need
// no Redis, so that each function's own test can run inside its image
// build.
package scimhttptest

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
)

// CheckRejectsMissingToken configures a token through the environment,
// calls handle without an Authorization header and with a wrong token, and
// fails t unless both get a 401 SCIM error. handle must not have served a
// request before in this process, because a function reads its
// configuration once.
func CheckRejectsMissingToken(t *testing.T, handle func(handler.Request) (handler.Response, error)) {
	t.Helper()
	missing := filepath.Join(t.TempDir(), "absent")
	t.Setenv("SCIM_BEARER_TOKENS", "expected-token")
	t.Setenv("SCIM_BEARER_TOKEN_FILE", missing)
	t.Setenv("SCIM_REDIS_PASSWORD_FILE", missing)
	t.Setenv("SCIM_REDIS_URL", "redis://127.0.0.1:1/0")

	for name, authorization := range map[string]string{
		"no header":   "",
		"wrong token": "Bearer not-the-token",
		"basic auth":  "Basic ZXhwZWN0ZWQtdG9rZW4=",
	} {
		req := handler.Request{Method: http.MethodGet, Header: http.Header{}}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		req.WithContext(route.WithPath(context.Background(), "/scim/Users"))

		resp, err := handle(req)
		if err != nil {
			t.Fatalf("%s: Handle returned error %v", name, err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status = %d, want 401", name, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/scim+json" {
			t.Errorf("%s: Content-Type = %q, want application/scim+json", name, got)
		}
		var body struct {
			Schemas []string `json:"schemas"`
			Status  string   `json:"status"`
			Detail  string   `json:"detail"`
		}
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			t.Fatalf("%s: body is not JSON: %v", name, err)
		}
		if body.Status != "401" || body.Detail == "" || len(body.Schemas) != 1 {
			t.Errorf("%s: body = %+v, want a SCIM error with status \"401\" and a detail", name, body)
		}
	}
}
