package schema_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

const enterprise = schema.EnterpriseUserURN

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{
			name:  "names in schema spelling",
			input: `{"USERNAME":"bjensen","DisplayName":"Babs","NAME":{"GivenName":"Barbara","FAMILYNAME":"Jensen"}}`,
			want:  `{"userName":"bjensen","displayName":"Babs","name":{"givenName":"Barbara","familyName":"Jensen"}}`,
		},
		{
			name:  "string booleans converted",
			input: `{"userName":"bjensen","active":"False","emails":[{"value":"b@example.com","primary":"TRUE"}]}`,
			want:  `{"userName":"bjensen","active":false,"emails":[{"value":"b@example.com","primary":true}]}`,
		},
		{
			name:  "boolean false kept",
			input: `{"userName":"bjensen","active":false}`,
			want:  `{"userName":"bjensen","active":false}`,
		},
		{
			name: "nulls and empty values dropped",
			input: `{"userName":"bjensen","displayName":"","nickName":null,"addresses":null,
				"name":{"givenName":""},"emails":[],"phoneNumbers":[{"value":""}],"active":"",
				"` + enterprise + `":{"manager":null,"department":""}}`,
			want: `{"userName":"bjensen"}`,
		},
		{
			name:  "empty string complex dropped",
			input: `{"userName":"bjensen","name":"","emails":"","` + enterprise + `":{"manager":""}}`,
			want:  `{"userName":"bjensen"}`,
		},
		{
			name:  "empty array single-valued dropped",
			input: `{"userName":"bjensen","displayName":[],"active":[],"name":[]}`,
			want:  `{"userName":"bjensen"}`,
		},
		{
			name: "read-only and write-only dropped",
			input: `{"userName":"bjensen","id":"2819c223","password":"t1meMa$heen",
				"meta":{"resourceType":"User","created":"2024-05-01T12:00:00Z"},
				"groups":[{"value":"e9e30dba","display":"Tour Guides"}]}`,
			want: `{"userName":"bjensen"}`,
		},
		{
			name: "unknown attributes ignored",
			input: `{"userName":"bjensen","favoriteColor":"blue",
				"urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag":"x",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0User":{"employeeNumber":"1"},
				"name":{"nickname":"Babs"}}`,
			want: `{"userName":"bjensen"}`,
		},
		{
			name:  "schemas attribute dropped",
			input: `{"schemas":["` + schema.UserURN + `","` + enterprise + `"],"userName":"bjensen"}`,
			want:  `{"userName":"bjensen"}`,
		},
		{
			name:  "enterprise as URN object",
			input: `{"userName":"bjensen","` + enterprise + `":{"employeeNumber":"701984","Department":"Tour Operations"}}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"employeeNumber":"701984","department":"Tour Operations"}}`,
		},
		{
			name:  "enterprise as qualified key",
			input: `{"userName":"bjensen","` + enterprise + `:employeeNumber":"701984"}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"employeeNumber":"701984"}}`,
		},
		{
			name:  "enterprise URN in upper case",
			input: `{"userName":"bjensen","` + strings.ToUpper(enterprise) + `:EMPLOYEENUMBER":"701984"}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"employeeNumber":"701984"}}`,
		},
		{
			name: "both enterprise forms merged",
			input: `{"userName":"bjensen","` + enterprise + `":{"department":"Tour Operations"},
				"` + enterprise + `:employeeNumber":"701984"}`,
			want: `{"userName":"bjensen","` + enterprise + `":{"department":"Tour Operations","employeeNumber":"701984"}}`,
		},
		{
			name:  "manager as string",
			input: `{"userName":"bjensen","` + enterprise + `":{"manager":"123456"}}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"manager":{"value":"123456"}}}`,
		},
		{
			name:  "manager keys in other case",
			input: `{"userName":"bjensen","` + enterprise + `":{"Manager":{"Value":"123456"}}}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"manager":{"value":"123456"}}}`,
		},
		{
			name:  "manager as one-element array",
			input: `{"userName":"bjensen","` + enterprise + `":{"manager":[{"$ref":"../Users/123456","value":"123456"}]}}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"manager":{"$ref":"../Users/123456","value":"123456"}}}`,
		},
		{
			name:  "manager displayName dropped",
			input: `{"userName":"bjensen","` + enterprise + `":{"manager":{"value":"123456","displayName":"John Smith"}}}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"manager":{"value":"123456"}}}`,
		},
		{
			name:  "manager without URN",
			input: `{"userName":"bjensen","manager":"123456"}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"manager":{"value":"123456"}}}`,
		},
		{
			name:  "single email wrapped",
			input: `{"userName":"bjensen","emails":{"value":"b@example.com","type":"work"}}`,
			want:  `{"userName":"bjensen","emails":[{"value":"b@example.com","type":"work"}]}`,
		},
		{
			name:  "last primary wins",
			input: `{"userName":"bjensen","emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":"True"}]}`,
			want:  `{"userName":"bjensen","emails":[{"value":"a@example.com"},{"value":"b@example.com","primary":true}]}`,
		},
		{
			name:  "duplicate work emails kept",
			input: `{"userName":"bjensen","emails":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"work"}]}`,
			want:  `{"userName":"bjensen","emails":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"work"}]}`,
		},
		{
			name:  "role JSON string kept",
			input: `{"userName":"bjensen","roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"{\"id\":\"1\"}"}]}`,
			want:  `{"userName":"bjensen","roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"{\"id\":\"1\"}"}]}`,
		},
		{
			name:  "Entra create request",
			input: entraCreate,
			want: `{"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
				"userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1","active":true,
				"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],
				"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"}}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schema.UserType.Normalize(decode(t, tt.input))
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			want := decode(t, tt.want)
			if !reflect.DeepEqual(canonical(t, got), canonical(t, want)) {
				t.Errorf("Normalize result differs\n got: %s\nwant: %s", encode(t, got), encode(t, want))
			}
		})
	}
}

// entraCreate is a create request in the shape that Entra ID sends.
const entraCreate = `{
	"schemas": ["` + schema.UserURN + `", "` + enterprise + `"],
	"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	"userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
	"active": true,
	"emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
	"meta": {"resourceType": "User"},
	"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
	"roles": []
}`

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		// attribute must appear in the error detail.
		attribute string
	}{
		{"active not a boolean", `{"active":"maybe"}`, `"active"`},
		{"active as number", `{"active":1}`, `"active"`},
		{"userName as number", `{"userName":5}`, `"userName"`},
		{"userName as array", `{"userName":["a","b"]}`, `"userName"`},
		{"name as string", `{"name":"Barbara Jensen"}`, `"name"`},
		{"name sub-attribute as object", `{"name":{"givenName":{"x":"y"}}}`, `"name.givenName"`},
		{"email value as number", `{"emails":[{"value":5}]}`, `"emails.value"`},
		{"email primary not boolean", `{"emails":[{"value":"a@example.com","primary":"yes"}]}`, `"emails.primary"`},
		{"email element as array", `{"emails":[["a@example.com"]]}`, `"emails"`},
		{"two manager values", `{"` + enterprise + `":{"manager":[{"value":"1"},{"value":"2"}]}}`, `"manager"`},
		{"extension not an object", `{"` + enterprise + `":"701984"}`, enterprise},
		{"qualified key wrong type", `{"` + enterprise + `:employeeNumber":701984}`, `"employeeNumber"`},
		{"schemas not an array", `{"schemas":"` + schema.UserURN + `"}`, `"schemas"`},
		{"schemas with a number", `{"schemas":[1]}`, `"schemas"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schema.UserType.Normalize(decode(t, tt.input))
			if err == nil {
				t.Fatalf("no error, result %s", encode(t, got))
			}
			checkError(t, err, http.StatusBadRequest, scimerr.InvalidValue)
			if detail := scimerr.As(err).Detail; !strings.Contains(detail, tt.attribute) {
				t.Errorf("detail %q does not name %s", detail, tt.attribute)
			}
		})
	}
}

func TestCheckRequired(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr bool
	}{
		{"userName present passes", `{"userName":"bjensen"}`, false},
		{"userName missing fails", `{"displayName":"Babs"}`, true},
		{"null userName fails", `{"userName":null}`, true},
		{"only extension attributes", `{"` + enterprise + `":{"employeeNumber":"1"}}`, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := schema.UserType.CheckRequired(decode(t, tt.doc))
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("CheckRequired: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error for a document without userName")
			}
			checkError(t, err, http.StatusBadRequest, scimerr.InvalidValue)
			if detail := scimerr.As(err).Detail; !strings.Contains(detail, "userName") {
				t.Errorf("detail %q does not name userName", detail)
			}
		})
	}
}

// storedUser is a user in stored form. It carries a password only to show
// that Render never returns one.
const storedUser = `{
	"id": "2819c223-7f76-453a-919d-413861904646",
	"externalId": "701984",
	"userName": "bjensen@example.com",
	"password": "t1meMa$heen",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}
	],
	"` + enterprise + `": {"employeeNumber": "701984", "manager": {"value": "26118915"}},
	"meta": {"resourceType": "User", "created": "2024-05-01T12:00:00Z", "location": "https://example.com/Users/2819c223"}
}`

func TestRender(t *testing.T) {
	const (
		id       = `"id":"2819c223-7f76-453a-919d-413861904646"`
		external = `"externalId":"701984"`
		userName = `"userName":"bjensen@example.com"`
		name     = `"name":{"givenName":"Barbara","familyName":"Jensen"}`
		emails   = `"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]`
		meta     = `"meta":{"resourceType":"User","created":"2024-05-01T12:00:00Z","location":"https://example.com/Users/2819c223"}`
		coreOnly = `"schemas":["` + schema.UserURN + `"]`
		withExt  = `"schemas":["` + schema.UserURN + `","` + enterprise + `"]`
	)
	ext := `"` + enterprise + `":{"employeeNumber":"701984","manager":{"value":"26118915"}}`

	tests := []struct {
		name       string
		doc        string
		attributes string
		excluded   string
		want       string
	}{
		{
			name: "whole user without password",
			doc:  storedUser,
			want: `{` + strings.Join([]string{withExt, id, external, userName, name, emails, ext, meta}, ",") + `}`,
		},
		{
			name: "schemas without absent extension",
			doc:  `{"id":"1","userName":"bjensen"}`,
			want: `{` + coreOnly + `,"id":"1","userName":"bjensen"}`,
		},
		{
			name: "empty extension object not listed",
			doc:  `{"id":"1","userName":"bjensen","` + enterprise + `":{}}`,
			want: `{` + coreOnly + `,"id":"1","userName":"bjensen"}`,
		},
		{
			name:       "id kept with attributes",
			doc:        storedUser,
			attributes: "userName",
			want:       `{` + coreOnly + `,` + id + `,` + userName + `}`,
		},
		{
			name:       "attributes in other case",
			doc:        storedUser,
			attributes: "USERNAME, ExternalId",
			want:       `{` + coreOnly + `,` + id + `,` + userName + `,` + external + `}`,
		},
		{
			name:       "only familyName of name",
			doc:        storedUser,
			attributes: "name.familyName",
			want:       `{` + coreOnly + `,` + id + `,"name":{"familyName":"Jensen"}}`,
		},
		{
			name:       "only value of emails",
			doc:        storedUser,
			attributes: "emails.value",
			want:       `{` + coreOnly + `,` + id + `,"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}]}`,
		},
		{
			name:       "sub-attribute and parent listed",
			doc:        storedUser,
			attributes: "name.familyName,name",
			want:       `{` + coreOnly + `,` + id + `,` + name + `}`,
		},
		{
			name:       "qualified extension attribute",
			doc:        storedUser,
			attributes: enterprise + ":employeeNumber",
			want:       `{` + withExt + `,` + id + `,"` + enterprise + `":{"employeeNumber":"701984"}}`,
		},
		{
			name:       "qualified manager value",
			doc:        storedUser,
			attributes: enterprise + ":manager.value",
			want:       `{` + withExt + `,` + id + `,"` + enterprise + `":{"manager":{"value":"26118915"}}}`,
		},
		{
			name:       "missing sub-attribute omitted",
			doc:        storedUser,
			attributes: "name.middleName,emails.display",
			want:       `{` + coreOnly + `,` + id + `}`,
		},
		{
			name:       "missing extension sub-attribute omitted",
			doc:        storedUser,
			attributes: enterprise + ":manager.$ref",
			want:       `{` + coreOnly + `,` + id + `}`,
		},
		{
			name:       "unknown attribute ignored",
			doc:        storedUser,
			attributes: "userName,favoriteColor",
			want:       `{` + coreOnly + `,` + id + `,` + userName + `}`,
		},
		{
			name:     "emails attribute excluded",
			doc:      storedUser,
			excluded: "emails",
			want:     `{` + strings.Join([]string{withExt, id, external, userName, name, ext, meta}, ",") + `}`,
		},
		{
			name:     "name.givenName sub-attribute excluded",
			doc:      storedUser,
			excluded: "name.givenName",
			want:     `{` + strings.Join([]string{withExt, id, external, userName, `"name":{"familyName":"Jensen"}`, emails, ext, meta}, ",") + `}`,
		},
		{
			name:     "id never excluded",
			doc:      storedUser,
			excluded: "id,emails,name,meta,externalId",
			want:     `{` + strings.Join([]string{withExt, id, userName, ext}, ",") + `}`,
		},
		{
			name:     "extension attributes excluded",
			doc:      storedUser,
			excluded: enterprise + ":employeeNumber," + enterprise + ":manager",
			want:     `{` + strings.Join([]string{coreOnly, id, external, userName, name, emails, meta}, ",") + `}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			projection, err := schema.UserType.ParseProjection(tt.attributes, tt.excluded)
			if err != nil {
				t.Fatalf("ParseProjection: %v", err)
			}
			doc := decode(t, tt.doc)
			before := encode(t, doc)

			got := schema.UserType.Render(doc, projection)
			want := decode(t, tt.want)
			if !reflect.DeepEqual(canonical(t, got), canonical(t, want)) {
				t.Errorf("Render result differs\n got: %s\nwant: %s", encode(t, got), encode(t, want))
			}
			if after := encode(t, doc); !bytes.Equal(after, before) {
				t.Errorf("Render changed its input\nbefore: %s\n after: %s", before, after)
			}
		})
	}
}

func TestParseProjection(t *testing.T) {
	tests := []struct {
		name       string
		attributes string
		excluded   string
		wantErr    bool
	}{
		{"both parameters rejected", "userName", "emails", true},
		{"both with spaces", " userName ", " emails ", true},
		{"only attributes given", "userName", "", false},
		{"only excludedAttributes given", "", "emails", false},
		{"blank excludedAttributes ignored", "userName", "  ", false},
		{"neither parameter given", "", "", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schema.UserType.ParseProjection(tt.attributes, tt.excluded)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("ParseProjection: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error for both parameters")
			}
			checkError(t, err, http.StatusBadRequest, scimerr.InvalidSyntax)
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		ok        bool
		attr      string
		sub       string
		extension bool
	}{
		{"core attribute by name", "userName", true, "userName", "", false},
		{"core attribute upper case", "USERNAME", true, "userName", "", false},
		{"dotted sub-attribute path", "name.familyName", true, "name", "familyName", false},
		{"multi-valued sub-attribute path", "emails.value", true, "emails", "value", false},
		{"core URN path", schema.UserURN + ":userName", true, "userName", "", false},
		{"core URN dotted path", schema.UserURN + ":name.givenName", true, "name", "givenName", false},
		{"common attribute with core URN", schema.UserURN + ":externalId", true, "externalId", "", false},
		{"id common attribute", "id", true, "id", "", false},
		{"meta.created sub-attribute", "meta.created", true, "meta", "created", false},
		{"meta lastModified other case", "META.LASTMODIFIED", true, "meta", "lastModified", false},
		{"enterprise URN path", enterprise + ":employeeNumber", true, "employeeNumber", "", true},
		{"enterprise manager value", enterprise + ":manager.value", true, "manager", "value", true},
		{"enterprise URN upper case", strings.ToUpper(enterprise) + ":Manager", true, "manager", "", true},
		{"extension attribute without URN", "manager", true, "manager", "", true},
		{"extension sub-attribute without URN", "manager.value", true, "manager", "value", true},
		{"unknown attribute not found", "favoriteColor", false, "", "", false},
		{"unknown sub-attribute not found", "name.nickName", false, "", "", false},
		{"empty sub-attribute not found", "name.", false, "", "", false},
		{"empty path not found", "", false, "", "", false},
		{"unknown extension URN", "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag", false, "", "", false},
		{"core attribute with enterprise URN", enterprise + ":userName", false, "", "", false},
		{"enterprise attribute with core URN", schema.UserURN + ":manager", false, "", "", false},
		{"extension URN alone", enterprise, false, "", "", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, ok := schema.UserType.Resolve(tt.path)
			if ok != tt.ok {
				t.Fatalf("Resolve(%q) ok = %t, want %t", tt.path, ok, tt.ok)
			}
			if !ok {
				return
			}
			if target.Attr.Name != tt.attr {
				t.Errorf("attribute = %q, want %q", target.Attr.Name, tt.attr)
			}
			sub := ""
			if target.Sub != nil {
				sub = target.Sub.Name
			}
			if sub != tt.sub {
				t.Errorf("sub-attribute = %q, want %q", sub, tt.sub)
			}
			if got := target.IsExtension(schema.UserType); got != tt.extension {
				t.Errorf("IsExtension = %t, want %t", got, tt.extension)
			}
			if tt.extension && target.Schema != schema.EnterpriseUser {
				t.Errorf("schema = %q, want %q", target.Schema.ID, enterprise)
			}
		})
	}
}

func TestEnforceSinglePrimary(t *testing.T) {
	tests := []struct {
		name   string
		values string
		want   string
	}{
		{"last primary kept", `[{"value":"a","primary":true},{"value":"b","primary":true}]`, `[{"value":"a"},{"value":"b","primary":true}]`},
		{"single primary unchanged", `[{"value":"a","primary":true},{"value":"b"}]`, `[{"value":"a","primary":true},{"value":"b"}]`},
		{"false primary unchanged", `[{"value":"a","primary":false},{"value":"b","primary":true}]`, `[{"value":"a","primary":false},{"value":"b","primary":true}]`},
		{"non-object values skipped", `["a",{"value":"b","primary":true}]`, `["a",{"value":"b","primary":true}]`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var values []any
			if err := json.Unmarshal([]byte(tt.values), &values); err != nil {
				t.Fatalf("decode %s: %v", tt.values, err)
			}
			schema.EnforceSinglePrimary(values)

			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("decode %s: %v", tt.want, err)
			}
			if !reflect.DeepEqual(canonical(t, values), want) {
				t.Errorf("EnforceSinglePrimary = %s, want %s", encode(t, values), tt.want)
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"object with number", `{"count": 1.50}`, false},
		{"empty body rejected", ``, true},
		{"null body rejected", `null`, true},
		{"array body rejected", `[{"userName":"bjensen"}]`, true},
		{"truncated object rejected", `{"userName":`, true},
		{"data after object", `{"userName":"a"} {"userName":"b"}`, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schema.DecodeObject([]byte(tt.body))
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("DecodeObject: %v", err)
				}
				if n, ok := got["count"].(json.Number); !ok || n != "1.50" {
					t.Errorf("count = %#v, want json.Number(\"1.50\")", got["count"])
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, result %v", got)
			}
			checkError(t, err, http.StatusBadRequest, scimerr.InvalidSyntax)
		})
	}
}

func TestServiceProviderConfigDocument(t *testing.T) {
	doc := roundTrip(t, schema.ServiceProviderConfigDocument(schema.ServerOptions{MaxResults: 200}, "https://example.com/scim"))

	checkNoNull(t, doc, "")
	checkSchemas(t, doc, schema.ServiceConfigURN)
	if got := lookupPath(doc, "patch", "supported"); got != true {
		t.Errorf("patch.supported = %v, want true", got)
	}
	if got := lookupPath(doc, "filter", "supported"); got != true {
		t.Errorf("filter.supported = %v, want true", got)
	}
	if got := lookupPath(doc, "filter", "maxResults"); got != 200.0 {
		t.Errorf("filter.maxResults = %v, want 200", got)
	}
	if got := lookupPath(doc, "etag", "supported"); got != true {
		t.Errorf("etag.supported = %v, want true", got)
	}
	if got := lookupPath(doc, "sort", "supported"); got != true {
		t.Errorf("sort.supported = %v, want true", got)
	}
	for _, feature := range []string{"bulk", "changePassword"} {
		if got := lookupPath(doc, feature, "supported"); got != false {
			t.Errorf("%s.supported = %v, want false", feature, got)
		}
	}
	if schemes, _ := doc["authenticationSchemes"].([]any); len(schemes) == 0 {
		t.Error("authenticationSchemes is empty")
	}
	if got := lookupPath(doc, "meta", "location"); got != "https://example.com/scim/ServiceProviderConfig" {
		t.Errorf("meta.location = %v", got)
	}
}

func TestSchemaDocument(t *testing.T) {
	registry := &schema.Registry{Types: []*schema.ResourceType{schema.UserType}}
	schemas := registry.Schemas()
	if len(schemas) != 2 || schemas[0] != schema.User || schemas[1] != schema.EnterpriseUser {
		t.Fatalf("Schemas() = %v, want the User schema, then EnterpriseUser", schemas)
	}

	for _, s := range schemas {
		t.Run(s.Name, func(t *testing.T) {
			doc := roundTrip(t, schema.SchemaDocument(s, "https://example.com/scim"))

			checkNoNull(t, doc, "")
			checkSchemas(t, doc, schema.SchemaURN)
			if doc["id"] != s.ID {
				t.Errorf("id = %v, want %s", doc["id"], s.ID)
			}
			if got := lookupPath(doc, "meta", "location"); got != "https://example.com/scim/Schemas/"+s.ID {
				t.Errorf("meta.location = %v", got)
			}
			attributes, _ := doc["attributes"].([]any)
			if len(attributes) != len(s.Attributes) {
				t.Fatalf("%d attributes, want %d", len(attributes), len(s.Attributes))
			}
			checkAttributeDocuments(t, attributes, s.ID)
		})
	}
}

// checkAttributeDocuments checks that each attribute document has every
// characteristic of RFC 7643 section 7 with a valid value.
func checkAttributeDocuments(t *testing.T, attributes []any, parent string) {
	t.Helper()
	valid := map[string][]string{
		"type":       {"string", "boolean", "decimal", "integer", "dateTime", "reference", "binary", "complex"},
		"mutability": {"readOnly", "readWrite", "immutable", "writeOnly"},
		"returned":   {"always", "never", "default", "request"},
		"uniqueness": {"none", "server", "global"},
	}
	for _, item := range attributes {
		attr, ok := item.(map[string]any)
		if !ok {
			t.Errorf("attribute of %s is %T, want an object", parent, item)
			continue
		}
		name, _ := attr["name"].(string)
		if name == "" {
			t.Errorf("attribute of %s has no name", parent)
		}
		for key, values := range valid {
			value, _ := attr[key].(string)
			if !contains(values, value) {
				t.Errorf("%s.%s: %s = %q, want one of %v", parent, name, key, value, values)
			}
		}
		for _, key := range []string{"multiValued", "required", "caseExact"} {
			if _, ok := attr[key].(bool); !ok {
				t.Errorf("%s.%s: %s = %v, want a boolean", parent, name, key, attr[key])
			}
		}
		subAttributes, hasSub := attr["subAttributes"].([]any)
		if (attr["type"] == "complex") != hasSub {
			t.Errorf("%s.%s: type %v with subAttributes present = %t", parent, name, attr["type"], hasSub)
		}
		if hasSub {
			checkAttributeDocuments(t, subAttributes, parent+"."+name)
		}
	}
}

func TestResourceTypeDocument(t *testing.T) {
	doc := roundTrip(t, schema.ResourceTypeDocument(schema.UserType, "https://example.com/scim"))

	checkNoNull(t, doc, "")
	checkSchemas(t, doc, schema.ResourceTypeURN)
	want := map[string]any{"id": "User", "name": "User", "endpoint": "/Users", "schema": schema.UserURN}
	for key, value := range want {
		if doc[key] != value {
			t.Errorf("%s = %v, want %v", key, doc[key], value)
		}
	}
	extensions, _ := doc["schemaExtensions"].([]any)
	wantExtensions := []any{map[string]any{"schema": enterprise, "required": false}}
	if !reflect.DeepEqual(extensions, wantExtensions) {
		t.Errorf("schemaExtensions = %v, want %v", extensions, wantExtensions)
	}
	if got := lookupPath(doc, "meta", "location"); got != "https://example.com/scim/ResourceTypes/User" {
		t.Errorf("meta.location = %v", got)
	}
}

func TestRegistryLookup(t *testing.T) {
	registry := &schema.Registry{Types: []*schema.ResourceType{schema.UserType}}

	if got := registry.Schema(strings.ToLower(enterprise)); got != schema.EnterpriseUser {
		t.Errorf("Schema(lower-case enterprise URN) = %v, want EnterpriseUser", got)
	}
	if got := registry.Schema("urn:ietf:params:scim:schemas:core:2.0:Group"); got != nil {
		t.Errorf("Schema(Group URN) = %v, want nil", got.ID)
	}
	if got := registry.ResourceType("user"); got != schema.UserType {
		t.Errorf("ResourceType(\"user\") = %v, want UserType", got)
	}
	if got := registry.ResourceType("Group"); got != nil {
		t.Errorf("ResourceType(\"Group\") = %v, want nil", got.ID)
	}
}

func checkError(t *testing.T, err error, status int, scimType string) {
	t.Helper()
	scimErr := scimerr.As(err)
	if scimErr == nil {
		t.Fatalf("error %v (%T) is not a *scimerr.Error", err, err)
	}
	if scimErr.Status != status {
		t.Errorf("status = %d, want %d (%v)", scimErr.Status, status, err)
	}
	if scimErr.Type != scimType {
		t.Errorf("scimType = %q, want %q (%v)", scimErr.Type, scimType, err)
	}
}

func checkSchemas(t *testing.T, doc map[string]any, urn string) {
	t.Helper()
	if got, want := doc["schemas"], []any{urn}; !reflect.DeepEqual(got, want) {
		t.Errorf("schemas = %v, want %v", got, want)
	}
}

// checkNoNull reports every JSON null within value, because Entra ID
// expects absent values to be omitted.
func checkNoNull(t *testing.T, value any, path string) {
	t.Helper()
	switch v := value.(type) {
	case nil:
		t.Errorf("null at %q", path)
	case map[string]any:
		for key, item := range v {
			checkNoNull(t, item, path+"/"+key)
		}
	case []any:
		for _, item := range v {
			checkNoNull(t, item, path+"/[]")
		}
	}
}

func lookupPath(doc map[string]any, keys ...string) any {
	var value any = doc
	for _, key := range keys {
		object, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		value = object[key]
	}
	return value
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}

func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	doc, err := schema.DecodeObject([]byte(text))
	if err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return doc
}

func encode(t *testing.T, value any) []byte {
	t.Helper()
	data, err := json.Marshal(value)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return data
}

// canonical returns value after a JSON round trip, so that documents built
// in different ways compare equal with reflect.DeepEqual.
func canonical(t *testing.T, value any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(encode(t, value), &out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

// roundTrip returns a discovery document as a client decodes it.
func roundTrip(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	out, _ := canonical(t, doc).(map[string]any)
	if out == nil {
		t.Fatal("document is not a JSON object")
	}
	return out
}
