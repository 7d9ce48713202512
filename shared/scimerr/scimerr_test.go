package scimerr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

const errorURN = "urn:ietf:params:scim:api:messages:2.0:Error"

func TestBody(t *testing.T) {
	tests := []struct {
		name       string
		err        *scimerr.Error
		wantStatus string
		wantType   string
		wantDetail string
	}{
		{
			name:       "bad request with type",
			err:        scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter at position %d", 7),
			wantStatus: "400",
			wantType:   scimerr.InvalidFilter,
			wantDetail: "invalid filter at position 7",
		},
		{
			name:       "not found without type",
			err:        scimerr.NotFound("User %q not found", "42"),
			wantStatus: "404",
			wantDetail: `User "42" not found`,
		},
		{
			name:       "conflict is uniqueness",
			err:        scimerr.Conflict("userName taken"),
			wantStatus: "409",
			wantType:   scimerr.Uniqueness,
			wantDetail: "userName taken",
		},
		{
			name:       "server error without type",
			err:        scimerr.New(http.StatusServiceUnavailable, "", "retry later"),
			wantStatus: "503",
			wantDetail: "retry later",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(tt.err.Body(), &doc); err != nil {
				t.Fatalf("Body() is not JSON: %v", err)
			}

			schemas, _ := doc["schemas"].([]any)
			if len(schemas) != 1 || schemas[0] != errorURN {
				t.Errorf("schemas = %v, want [%s]", doc["schemas"], errorURN)
			}

			status, isString := doc["status"].(string)
			if !isString {
				t.Errorf("status = %#v, want a JSON string", doc["status"])
			}
			if status != tt.wantStatus {
				t.Errorf("status = %q, want %q", status, tt.wantStatus)
			}

			scimType, present := doc["scimType"]
			if tt.wantType == "" && present {
				t.Errorf("scimType = %v, want it left out", scimType)
			}
			if tt.wantType != "" && scimType != tt.wantType {
				t.Errorf("scimType = %v, want %q", scimType, tt.wantType)
			}

			if doc["detail"] != tt.wantDetail {
				t.Errorf("detail = %v, want %q", doc["detail"], tt.wantDetail)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *scimerr.Error
		want string
	}{
		{"with scim type", scimerr.BadRequest(scimerr.InvalidPath, "bad path"), "scim 400 invalidPath: bad path"},
		{"without scim type", scimerr.NotFound("gone"), "scim 404: gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAs(t *testing.T) {
	original := scimerr.Conflict("taken")

	tests := []struct {
		name string
		err  error
		want *scimerr.Error
	}{
		{"error without wrapping", original, original},
		{"wrapped once with w", fmt.Errorf("create user: %w", original), original},
		{"wrapped twice with w", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", original)), original},
		{"joined with others", errors.Join(errors.New("other"), original), original},
		{"plain error is nil", errors.New("redis: connection refused"), nil},
		{"wrapped with v is nil", fmt.Errorf("lost: %v", original), nil},
		{"nil error is nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scimerr.As(tt.err); got != tt.want {
				t.Errorf("As() = %v, want %v", got, tt.want)
			}
		})
	}
}
