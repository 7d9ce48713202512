package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// FuzzNormalize feeds arbitrary request bodies through decoding,
// normalization and rendering, as a POST does. It fails on a panic, on an
// error that is not a 400 SCIM error, and on a stored or rendered document
// that holds a JSON null.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		`{"userName":"a","active":"True","emails":[{"value":"a@example.com","type":"Work","primary":"true"}]}`,
		`{"UserName":"b","name":{"GivenName":"B"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m1"}}`,
		`{"userName":"c","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7","addresses":null}`,
		`{"userName":"d","roles":[{"value":"{\"id\":\"1\"}","primary":true}],"x509Certificates":[{"value":"AAEC"}]}`,
		`{"userName":5}`,
		`[]`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		raw, err := schema.DecodeObject(body)
		if err != nil {
			requireBadRequest(t, err)
			return
		}
		doc, err := schema.UserType.Normalize(raw)
		if err != nil {
			requireBadRequest(t, err)
			return
		}
		if err := schema.UserType.CheckRequired(doc); err != nil {
			requireBadRequest(t, err)
		}

		rendered := schema.UserType.Render(doc, schema.Projection{})
		for name, value := range map[string]any{"stored": doc, "rendered": rendered} {
			encoded, err := json.Marshal(value)
			if err != nil {
				t.Fatalf("%s document does not encode: %v", name, err)
			}
			if containsNull(value) {
				t.Fatalf("%s document holds a null: %s", name, encoded)
			}
		}
	})
}

func requireBadRequest(t *testing.T, err error) {
	t.Helper()
	scimErr := scimerr.As(err)
	if scimErr == nil || scimErr.Status != 400 {
		t.Fatalf("err = %v, want a 400 SCIM error", err)
	}
}

func containsNull(value any) bool {
	switch v := value.(type) {
	case nil:
		return true
	case map[string]any:
		for _, item := range v {
			if containsNull(item) {
				return true
			}
		}
	case []any:
		for _, item := range v {
			if containsNull(item) {
				return true
			}
		}
	}
	return false
}
