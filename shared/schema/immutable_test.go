package schema_test

import (
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

func TestCheckImmutable(t *testing.T) {
	badge := &schema.Schema{
		ID:         "urn:example:params:scim:schemas:extension:badge:2.0:User",
		Attributes: []*schema.Attribute{{Name: "badge", Type: schema.TypeString, Mutability: schema.Immutable}},
	}
	rt := &schema.ResourceType{ID: "User", Name: "User", Schema: schema.User, Extensions: []schema.Extension{{Schema: badge}}}
	ext := func(value any) map[string]any {
		if value == nil {
			return map[string]any{"userName": "a"}
		}
		return map[string]any{"userName": "a", badge.ID: map[string]any{"badge": value}}
	}

	cases := []struct {
		name    string
		old     map[string]any
		next    map[string]any
		wantErr bool
	}{
		{"first value may be set", ext(nil), ext("B1"), false},
		{"same value kept", ext("B1"), ext("B1"), false},
		{"value changed", ext("B1"), ext("B2"), true},
		{"value removed", ext("B1"), ext(nil), true},
		{"mutable attribute changed", map[string]any{"userName": "a"}, map[string]any{"userName": "b"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := rt.CheckImmutable(tc.old, tc.next)
			if !tc.wantErr {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
			scimErr := scimerr.As(err)
			if scimErr == nil || scimErr.Status != 400 || scimErr.Type != scimerr.Mutability {
				t.Errorf("err = %v, want 400 mutability", err)
			}
		})
	}
}

func TestCanonicalValues(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		want    string
		wantErr bool
	}{
		{"canonical value kept", "work", "work", false},
		{"other case folded", "WORK", "work", false},
		{"unknown value rejected", "personal", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := schema.UserType.Normalize(map[string]any{
				"userName": "a",
				"emails":   []any{map[string]any{"value": "a@example.com", "type": tc.input}},
			})
			if tc.wantErr {
				scimErr := scimerr.As(err)
				if scimErr == nil || scimErr.Type != scimerr.InvalidValue {
					t.Fatalf("err = %v, want 400 invalidValue", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			emails, _ := doc["emails"].([]any)
			email, _ := emails[0].(map[string]any)
			if email["type"] != tc.want {
				t.Errorf("type = %v, want %q", email["type"], tc.want)
			}
		})
	}
}
