package schema_test

import (
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

func TestGroupNormalize(t *testing.T) {
	doc, err := schema.GroupType.Normalize(map[string]any{
		"schemas":     []any{schema.GroupURN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
		"DisplayName": "Engineering",
		"externalId":  "e1",
		"members":     []any{map[string]any{"value": "u1", "$ref": nil, "display": "ignored", "type": "user"}},
	})
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	if doc["displayName"] != "Engineering" {
		t.Errorf("displayName = %v, want Engineering", doc["displayName"])
	}
	members, _ := doc["members"].([]any)
	if len(members) != 1 {
		t.Fatalf("members = %v, want one", doc["members"])
	}
	member, _ := members[0].(map[string]any)
	if member["value"] != "u1" || member["type"] != "User" {
		t.Errorf("member = %v, want value u1 and type User", member)
	}
	if _, present := member["display"]; present {
		t.Errorf("read-only display was stored: %v", member)
	}
}

func TestGroupRequiresDisplayName(t *testing.T) {
	doc, err := schema.GroupType.Normalize(map[string]any{"externalId": "e1"})
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	scimErr := scimerr.As(schema.GroupType.CheckRequired(doc))
	if scimErr == nil || scimErr.Type != scimerr.InvalidValue {
		t.Errorf("CheckRequired = %v, want 400 invalidValue", scimErr)
	}
}

func TestGroupResolvePaths(t *testing.T) {
	for _, path := range []string{"displayName", "members", "members.value", "MEMBERS.Value", "externalId", "meta.created", schema.GroupURN + ":displayName"} {
		if _, ok := schema.GroupType.Resolve(path); !ok {
			t.Errorf("Resolve(%q) found nothing", path)
		}
	}
	if _, ok := schema.GroupType.Resolve("userName"); ok {
		t.Errorf("Resolve(userName) found a Group attribute")
	}
}
