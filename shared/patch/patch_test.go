package patch_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/scimfaas/scimfaas/shared/patch"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// baseUser is the stored document that every test case starts from, unless
// the case changes it first.
const baseUser = `{
	"id": "2819c223-7f76-453a-919d-413861904646",
	"userName": "bjensen@example.com",
	"externalId": "701984",
	"active": true,
	"displayName": "Babs Jensen",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
	"` + enterprise + `": {"employeeNumber": "701984", "manager": {"value": "26118915"}},
	"meta": {
		"resourceType": "User",
		"created": "2024-05-01T12:00:00Z",
		"lastModified": "2024-05-01T12:00:00Z",
		"version": "W/\"1\""
	}
}`

// request returns a PatchOp body with the given comma-separated operations.
func request(operations string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + operations + `]}`
}

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		// start is a JSON merge patch (RFC 7386) applied to baseUser to
		// get the starting document, or "" to start from baseUser.
		start string
		body  string
		// want is a JSON merge patch applied to the starting document to
		// get the expected result. "{}" expects no change.
		want string
	}{
		// Entra ID default dialect: capitalised ops, booleans as strings.
		{
			name: "capitalised Replace op",
			body: request(`{"op":"Replace","path":"displayName","value":"Barbara J."}`),
			want: `{"displayName":"Barbara J."}`,
		},
		{
			name: "active as string False",
			body: request(`{"op":"Replace","path":"active","value":"False"}`),
			want: `{"active":false}`,
		},
		{
			name: "work email value replaced",
			body: request(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"babs@example.org"}`),
			want: `{"emails":[{"value":"babs@example.org","type":"work","primary":true}]}`,
		},
		{
			name:  "work email created when absent",
			start: `{"emails":[{"value":"babs@home.example","type":"home"}]}`,
			body:  request(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"babs@example.org"}`),
			want: `{"emails":[
				{"value":"babs@home.example","type":"home"},
				{"value":"babs@example.org","type":"work"}]}`,
		},
		{
			name:  "work email created without emails",
			start: `{"emails":null}`,
			body:  request(`{"op":"Add","path":"emails[type eq \"work\"].value","value":"babs@example.org"}`),
			want:  `{"emails":[{"value":"babs@example.org","type":"work"}]}`,
		},
		{
			name: "familyName replaced by path",
			body: request(`{"op":"Replace","path":"name.familyName","value":"Jensen-Smith"}`),
			want: `{"name":{"familyName":"Jensen-Smith"}}`,
		},
		{
			name: "userName replaced by path",
			body: request(`{"op":"Replace","path":"userName","value":"babs@example.org"}`),
			want: `{"userName":"babs@example.org"}`,
		},
		{
			name: "externalId replaced by path",
			body: request(`{"op":"Replace","path":"externalId","value":"f4e1a7"}`),
			want: `{"externalId":"f4e1a7"}`,
		},
		{
			name: "employeeNumber by URN path",
			body: request(`{"op":"Replace","path":"` + enterprise + `:employeeNumber","value":"42"}`),
			want: `{"` + enterprise + `":{"employeeNumber":"42"}}`,
		},
		{
			name: "Entra update with two ops",
			body: request(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"babs@example.org"},
				{"op":"Replace","path":"name.familyName","value":"Smith"}`),
			want: `{"emails":[{"value":"babs@example.org","type":"work","primary":true}],"name":{"familyName":"Smith"}}`,
		},
		{
			name: "Add op sets nickName",
			body: request(`{"op":"Add","path":"nickName","value":"Babs"}`),
			want: `{"nickName":"Babs"}`,
		},
		{
			name: "attribute path in other case",
			body: request(`{"op":"Replace","path":"USERNAME","value":"babs@example.org"}`),
			want: `{"userName":"babs@example.org"}`,
		},
		{
			name: "manager as plain id",
			body: request(`{"op":"Replace","path":"` + enterprise + `:manager","value":"m1"}`),
			want: `{"` + enterprise + `":{"manager":{"value":"m1"}}}`,
		},
		{
			name: "manager as value object",
			body: request(`{"op":"Add","path":"` + enterprise + `:manager","value":{"value":"m1"}}`),
			want: `{"` + enterprise + `":{"manager":{"value":"m1"}}}`,
		},
		{
			name: "manager cleared by empty value",
			body: request(`{"op":"Replace","path":"` + enterprise + `:manager","value":{"value":""}}`),
			want: `{"` + enterprise + `":{"manager":null}}`,
		},
		{
			name:  "manager with ref cleared",
			start: `{"` + enterprise + `":{"manager":{"value":"m1","$ref":"https://example.com/Users/m1"}}}`,
			body:  request(`{"op":"Replace","path":"` + enterprise + `:manager","value":{"value":""}}`),
			want:  `{"` + enterprise + `":{"manager":null}}`,
		},
		{
			name: "manager removed by remove",
			body: request(`{"op":"Remove","path":"` + enterprise + `:manager"}`),
			want: `{"` + enterprise + `":{"manager":null}}`,
		},
		{
			name:  "last extension attribute removed",
			start: `{"` + enterprise + `":{"employeeNumber":null}}`,
			body:  request(`{"op":"Remove","path":"` + enterprise + `:manager"}`),
			want:  `{"` + enterprise + `":null}`,
		},
		{
			// The older Entra form names the manager without the
			// enterprise URN and sends an array with a $ref.
			name: "manager without URN",
			body: request(`{"op":"Add","path":"manager","value":[{"$ref":"https://example.com/Users/m1","value":"m1"}]}`),
			want: `{"` + enterprise + `":{"manager":{"value":"m1","$ref":"https://example.com/Users/m1"}}}`,
		},
		{
			name: "role JSON kept as string",
			body: request(`{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"8c1b\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}`),
			want: `{"roles":[{"value":"{\"id\":\"8c1b\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}`,
		},
		{
			name: "primary role created by filter",
			body: request(`{"op":"Add","path":"roles[primary eq \"True\"].value","value":"Admin"}`),
			want: `{"roles":[{"primary":true,"value":"Admin"}]}`,
		},
		{
			name:  "primary role value replaced",
			start: `{"roles":[{"value":"Reader"},{"value":"Admin","primary":true}]}`,
			body:  request(`{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Owner"}`),
			want:  `{"roles":[{"value":"Reader"},{"value":"Owner","primary":true}]}`,
		},

		// Entra ID with the aadOptscim062020 flag: RFC op names, and one
		// op without a path whose keys are paths.
		{
			name: "lower-case replace active",
			body: request(`{"op":"replace","path":"active","value":false}`),
			want: `{"active":false}`,
		},
		{
			name: "no-path dotted and URN keys",
			body: request(`{"op":"replace","value":{
				"displayName":"Barbara Smith",
				"name.givenName":"Barb",
				"name.familyName":"Smith",
				"` + enterprise + `:employeeNumber":"43"}}`),
			want: `{"displayName":"Barbara Smith","name":{"givenName":"Barb","familyName":"Smith"},
				"` + enterprise + `":{"employeeNumber":"43"}}`,
		},
		{
			name: "no-path extension URN object",
			body: request(`{"op":"replace","value":{"` + enterprise + `":{"department":"Sales","manager":"m2"}}}`),
			want: `{"` + enterprise + `":{"department":"Sales","manager":{"value":"m2"}}}`,
		},
		{
			name: "no-path add of email",
			body: request(`{"op":"add","value":{"emails":[{"value":"babs@home.example","type":"home"}]}}`),
			want: `{"emails":[
				{"value":"bjensen@example.com","type":"work","primary":true},
				{"value":"babs@home.example","type":"home"}]}`,
		},

		// Okta: deactivation and values that carry the read-only id.
		{
			name: "Okta deactivate without path",
			body: request(`{"op":"replace","value":{"active":false}}`),
			want: `{"active":false}`,
		},
		{
			name: "Okta value with read-only id",
			body: request(`{"op":"replace","value":{"id":"another-id","displayName":"Barbara"}}`),
			want: `{"displayName":"Barbara"}`,
		},
		{
			name: "no-path password ignored",
			body: request(`{"op":"replace","value":{"password":"t1meMa$heen"}}`),
			want: `{}`,
		},

		// Multi-valued attributes.
		{
			name: "equal email not duplicated",
			body: request(`{"op":"add","path":"emails","value":[{"value":"bjensen@example.com","type":"work","primary":true}]}`),
			want: `{}`,
		},
		{
			name: "new primary demotes old",
			body: request(`{"op":"add","path":"emails","value":[{"value":"babs@example.org","type":"other","primary":"True"}]}`),
			want: `{"emails":[
				{"value":"bjensen@example.com","type":"work"},
				{"value":"babs@example.org","type":"other","primary":true}]}`,
		},
		{
			name:  "remove by filter keeps others",
			start: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@home.example","type":"home"}]}`,
			body:  request(`{"op":"remove","path":"emails[type eq \"home\"]"}`),
			want:  `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true}]}`,
		},
		{
			name: "remove unmatched filter no-op",
			body: request(`{"op":"remove","path":"emails[type eq \"home\"]"}`),
			want: `{}`,
		},
		{
			name:  "remove listed values only",
			start: `{"emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@home.example","type":"home"}]}`,
			body:  request(`{"op":"Remove","path":"emails","value":[{"value":"BABS@home.example"}]}`),
			want:  `{"emails":[{"value":"bjensen@example.com","type":"work"}]}`,
		},
		{
			name:  "remove sub-attribute by filter",
			start: `{"emails":[{"value":"bjensen@example.com","type":"work","display":"Work"},{"value":"babs@home.example","type":"home","display":"Home"}]}`,
			body:  request(`{"op":"remove","path":"emails[type eq \"work\"].display"}`),
			want:  `{"emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@home.example","type":"home","display":"Home"}]}`,
		},
		{
			name:  "remove work email value",
			start: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@home.example","type":"home"}]}`,
			body:  request(`{"op":"remove","path":"emails[type eq \"work\"].value"}`),
			want:  `{"emails":[{"value":"babs@home.example","type":"home"}]}`,
		},
		{
			name:  "replace work email with empty",
			start: `{"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@home.example","type":"home"}]}`,
			body:  request(`{"op":"Replace","path":"emails[type eq \"work\"].value","value":""}`),
			want:  `{"emails":[{"value":"babs@home.example","type":"home"}]}`,
		},
		{
			name:  "replace filter matching two",
			start: `{"emails":[{"value":"a@example.com","type":"work"},{"value":"b@example.com","type":"work"}]}`,
			body:  request(`{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"c@example.com","type":"work","primary":true}}`),
			want: `{"emails":[
				{"value":"c@example.com","type":"work"},
				{"value":"c@example.com","type":"work","primary":true}]}`,
		},
		{
			name:  "primary set by filter wins",
			start: `{"emails":[{"value":"babs@home.example","type":"home"},{"value":"bjensen@example.com","type":"work","primary":true}]}`,
			body:  request(`{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}`),
			want:  `{"emails":[{"value":"babs@home.example","type":"home","primary":true},{"value":"bjensen@example.com","type":"work"}]}`,
		},
		{
			name:  "primary value replaced by filter",
			start: `{"emails":[{"value":"babs@home.example","type":"home"},{"value":"bjensen@example.com","type":"work","primary":true}]}`,
			body:  request(`{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"babs@example.org","type":"home","primary":true}}`),
			want:  `{"emails":[{"value":"babs@example.org","type":"home","primary":true},{"value":"bjensen@example.com","type":"work"}]}`,
		},
		{
			name:  "primary role created demotes old",
			start: `{"roles":[{"value":"Reader","primary":true}]}`,
			body:  request(`{"op":"add","path":"roles[primary eq \"True\" and type eq \"app\"].value","value":"Admin"}`),
			want:  `{"roles":[{"value":"Reader"},{"value":"Admin","type":"app","primary":true}]}`,
		},
		{
			name: "filtered add of null value",
			body: request(`{"op":"add","path":"emails[type eq \"home\"]","value":null}`),
			want: `{}`,
		},
		{
			name: "filtered replace with null",
			body: request(`{"op":"replace","path":"emails[type eq \"work\"]","value":null}`),
			want: `{"emails":null}`,
		},
		{
			name: "replace all emails",
			body: request(`{"op":"replace","path":"emails","value":[{"value":"babs@example.org","type":"work"}]}`),
			want: `{"emails":[{"value":"babs@example.org","type":"work"}]}`,
		},

		// Complex single-valued attributes and other paths.
		{
			name: "replace name merges sub-attributes",
			body: request(`{"op":"replace","path":"name","value":{"middleName":"Jane"}}`),
			want: `{"name":{"middleName":"Jane"}}`,
		},
		{
			name: "empty givenName removes it",
			body: request(`{"op":"replace","path":"name","value":{"givenName":""}}`),
			want: `{"name":{"givenName":null}}`,
		},
		{
			name: "null givenName removes only it",
			body: request(`{"op":"replace","path":"name","value":{"givenName":null,"familyName":"Smith"}}`),
			want: `{"name":{"givenName":null,"familyName":"Smith"}}`,
		},
		{
			name: "empty string removes name",
			body: request(`{"op":"replace","path":"name","value":""}`),
			want: `{"name":null}`,
		},
		{
			name: "empty object keeps name",
			body: request(`{"op":"replace","path":"name","value":{}}`),
			want: `{}`,
		},
		{
			name: "extension URN as path",
			body: request(`{"op":"add","path":"` + enterprise + `","value":{"department":"Sales"}}`),
			want: `{"` + enterprise + `":{"department":"Sales"}}`,
		},
		{
			name: "remove extension URN path",
			body: request(`{"op":"remove","path":"` + enterprise + `"}`),
			want: `{"` + enterprise + `":null}`,
		},
		{
			name: "unknown attribute path ignored",
			body: request(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag","value":"x"}`),
			want: `{}`,
		},
		{
			name: "empty string value removes",
			body: request(`{"op":"replace","path":"displayName","value":""}`),
			want: `{"displayName":null}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := decodeDocument(t, baseUser)
			if tt.start != "" {
				start = mergePatch(t, start, tt.start)
			}
			want := mergePatch(t, start, tt.want)
			before := encode(t, start)

			ops, err := patch.Parse([]byte(tt.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := patch.Apply(schema.UserType, start, ops)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}

			if !reflect.DeepEqual(canonical(t, got), canonical(t, want)) {
				t.Errorf("result differs\n got: %s\nwant: %s", encode(t, got), encode(t, want))
			}
			if after := encode(t, start); !bytes.Equal(after, before) {
				t.Errorf("Apply changed its input\nbefore: %s\n after: %s", before, after)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		status   int
		scimType string
	}{
		{"malformed JSON body", `{"Operations":[{"op":"add",`, http.StatusBadRequest, scimerr.InvalidSyntax},
		{"body is an array", `[{"op":"add","path":"nickName","value":"x"}]`, http.StatusBadRequest, scimerr.InvalidSyntax},
		{"missing Operations member", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, http.StatusBadRequest, scimerr.InvalidSyntax},
		{"empty Operations array", request(``), http.StatusBadRequest, scimerr.InvalidSyntax},
		{"Operations not an array", `{"Operations":{"op":"add"}}`, http.StatusBadRequest, scimerr.InvalidSyntax},
		{"operation not an object", request(`"add"`), http.StatusBadRequest, scimerr.InvalidSyntax},
		{"unknown op move", request(`{"op":"move","path":"nickName","value":"x"}`), http.StatusBadRequest, scimerr.InvalidSyntax},
		{"operation without op", request(`{"path":"nickName","value":"x"}`), http.StatusBadRequest, scimerr.InvalidSyntax},
		{"path not a string", request(`{"op":"add","path":5,"value":"x"}`), http.StatusBadRequest, scimerr.InvalidPath},
		{"remove without path", request(`{"op":"remove"}`), http.StatusBadRequest, scimerr.NoTarget},
		{"unclosed value filter", request(`{"op":"remove","path":"emails[type eq"}`), http.StatusBadRequest, scimerr.InvalidPath},
		{"filter on single-valued attribute", request(`{"op":"replace","path":"name[givenName eq \"x\"]","value":{}}`), http.StatusBadRequest, scimerr.InvalidPath},
		{"unknown sub-attribute after filter", request(`{"op":"replace","path":"emails[type eq \"work\"].color","value":"x"}`), http.StatusBadRequest, scimerr.InvalidPath},
		{"active set to maybe", request(`{"op":"replace","path":"active","value":"maybe"}`), http.StatusBadRequest, scimerr.InvalidValue},
		{"name set to string", request(`{"op":"replace","path":"name","value":"Barbara"}`), http.StatusBadRequest, scimerr.InvalidValue},
		{"no-path value not object", request(`{"op":"replace","value":"x"}`), http.StatusBadRequest, scimerr.InvalidValue},
		{"remove required userName", request(`{"op":"remove","path":"userName"}`), http.StatusBadRequest, scimerr.InvalidValue},
		{"userName replaced by empty", request(`{"op":"replace","path":"userName","value":""}`), http.StatusBadRequest, scimerr.InvalidValue},
		{"replace unmatched filter", request(`{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"babs@home.example"}}`), http.StatusBadRequest, scimerr.NoTarget},
		{"read-only meta.created", request(`{"op":"replace","path":"meta.created","value":"2020-01-01T00:00:00Z"}`), http.StatusBadRequest, scimerr.Mutability},
		{"read-only id path", request(`{"op":"replace","path":"id","value":"another-id"}`), http.StatusBadRequest, scimerr.Mutability},
		{"read-only groups", request(`{"op":"add","path":"groups","value":[{"value":"g1"}]}`), http.StatusBadRequest, scimerr.Mutability},
		{"read-only manager displayName", request(`{"op":"replace","path":"` + enterprise + `:manager.displayName","value":"Boss"}`), http.StatusBadRequest, scimerr.Mutability},
		{
			name: "second op fails atomically",
			body: request(`{"op":"replace","path":"displayName","value":"Changed"},
				{"op":"replace","path":"active","value":"maybe"}`),
			status:   http.StatusBadRequest,
			scimType: scimerr.InvalidValue,
		},
		{
			name: "remove then failing add",
			body: request(`{"op":"remove","path":"emails[type eq \"work\"]"},
				{"op":"remove","path":"name"},
				{"op":"add","path":"emails","value":[{"value":5}]}`),
			status:   http.StatusBadRequest,
			scimType: scimerr.InvalidValue,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := decodeDocument(t, baseUser)
			before := encode(t, doc)

			got, err := parseAndApply(doc, tt.body)
			if err == nil {
				t.Fatalf("no error, result %s", encode(t, got))
			}
			var scimErr *scimerr.Error
			if !errors.As(err, &scimErr) {
				t.Fatalf("error %v (%T) is not a *scimerr.Error", err, err)
			}
			if scimErr.Status != tt.status {
				t.Errorf("status = %d, want %d (%v)", scimErr.Status, tt.status, err)
			}
			if scimErr.Type != tt.scimType {
				t.Errorf("scimType = %q, want %q (%v)", scimErr.Type, tt.scimType, err)
			}
			if scimErr.Detail == "" {
				t.Error("detail is empty")
			}
			if got != nil {
				t.Errorf("result = %s, want nil", encode(t, got))
			}
			if after := encode(t, doc); !bytes.Equal(after, before) {
				t.Errorf("input document changed\nbefore: %s\n after: %s", before, after)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []patch.Operation
	}{
		{
			name: "op and keys in other case",
			body: `{"operations":[{"OP":"Replace","Path":" name.familyName ","VALUE":"Smith"}]}`,
			want: []patch.Operation{{Op: "replace", Path: "name.familyName", Value: "Smith"}},
		},
		{
			name: "null path counts as none",
			body: request(`{"op":"add","path":null,"value":{"active":"true"}}`),
			want: []patch.Operation{{Op: "add", Value: map[string]any{"active": "true"}}},
		},
		{
			name: "numbers decoded as json.Number",
			body: request(`{"op":"add","path":"x","value":1.50}`),
			want: []patch.Operation{{Op: "add", Path: "x", Value: json.Number("1.50")}},
		},
		{
			name: "operations kept in order",
			body: request(`{"op":"remove","path":"a"},{"op":"add","path":"b","value":"1"}`),
			want: []patch.Operation{{Op: "remove", Path: "a"}, {Op: "add", Path: "b", Value: "1"}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := patch.Parse([]byte(tt.body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseTooManyOperations(t *testing.T) {
	var body bytes.Buffer
	body.WriteString(`{"Operations":[`)
	for i := 0; i <= patch.MaxOperations; i++ {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`{"op":"add","path":"nickName","value":"x"}`)
	}
	body.WriteString(`]}`)

	_, err := patch.Parse(body.Bytes())
	scimErr := scimerr.As(err)
	if scimErr == nil {
		t.Fatalf("Parse error = %v, want a *scimerr.Error", err)
	}
	if scimErr.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want %d", scimErr.Status, http.StatusRequestEntityTooLarge)
	}
	if scimErr.Type != scimerr.TooMany {
		t.Errorf("scimType = %q, want %q", scimErr.Type, scimerr.TooMany)
	}
}

// FuzzApply parses arbitrary bodies and applies them to a fixed user. It
// checks that nothing panics, that the input document never changes, that
// every error is a SCIM error, and that a result is in stored form: no
// nulls and no empty strings, arrays or objects.
//
// The seed corpus in testdata/fuzz/FuzzApply holds Entra ID and Okta
// requests.
func FuzzApply(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		doc := decodeDocument(t, baseUser)
		before := encode(t, doc)

		got, err := parseAndApply(doc, string(body))
		if after := encode(t, doc); !bytes.Equal(after, before) {
			t.Fatalf("input document changed (error %v)\nbefore: %s\n after: %s", err, before, after)
		}
		if err != nil {
			scimErr := scimerr.As(err)
			if scimErr == nil {
				t.Fatalf("error %v (%T) is not a *scimerr.Error", err, err)
			}
			if scimErr.Status != http.StatusBadRequest && scimErr.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 400 or 413: %v", scimErr.Status, err)
			}
			return
		}
		if path, ok := findEmpty(got, ""); ok {
			t.Fatalf("result has a null or empty value at %q: %s", path, encode(t, got))
		}
	})
}

// FuzzApplyOperation builds one operation from an op name, a path and a
// JSON value, so that the fuzzer spends its time on paths and values rather
// than on the JSON around them. It checks what FuzzApply checks.
func FuzzApplyOperation(f *testing.F) {
	f.Add("Replace", `emails[type eq "work"].value`, `"babs@example.org"`)
	f.Add("add", `roles[primary eq "True"].value`, `"Admin"`)
	f.Add("replace", enterprise+`:manager`, `{"value":""}`)
	f.Add("Add", `manager`, `[{"$ref":"https://example.com/Users/m1","value":"m1"}]`)
	f.Add("replace", ``, `{"name.givenName":"Barb","`+enterprise+`":{"department":"Sales"}}`)
	f.Add("remove", `emails[type eq "work" and not (value co "x")].display`, `null`)
	f.Add("add", `emails`, `[{"value":"a@example.com","primary":"true"},{"value":"b@example.com","primary":true}]`)
	f.Add("replace", `name`, `{"givenName":"","familyName":null}`)

	f.Fuzz(func(t *testing.T, op, path, value string) {
		body := operationBody(t, op, path, value)

		doc := decodeDocument(t, baseUser)
		before := encode(t, doc)

		got, err := parseAndApply(doc, string(body))
		if after := encode(t, doc); !bytes.Equal(after, before) {
			t.Fatalf("input document changed (error %v)\nbefore: %s\n after: %s", err, before, after)
		}
		if err != nil {
			if scimerr.As(err) == nil {
				t.Fatalf("error %v (%T) is not a *scimerr.Error", err, err)
			}
			return
		}
		if path, ok := findEmpty(got, ""); ok {
			t.Fatalf("result has a null or empty value at %q: %s\nbody: %s", path, encode(t, got), body)
		}
	})
}

func parseAndApply(doc map[string]any, body string) (map[string]any, error) {
	ops, err := patch.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	return patch.Apply(schema.UserType, doc, ops)
}

// findEmpty returns the path of the first null, "", [] or {} within value.
func findEmpty(value any, path string) (string, bool) {
	switch v := value.(type) {
	case nil:
		return path, true
	case string:
		return path, v == ""
	case map[string]any:
		if len(v) == 0 {
			return path, true
		}
		for key, item := range v {
			if p, ok := findEmpty(item, path+"/"+key); ok {
				return p, true
			}
		}
	case []any:
		if len(v) == 0 {
			return path, true
		}
		for _, item := range v {
			if p, ok := findEmpty(item, path+"/[]"); ok {
				return p, true
			}
		}
	}
	return "", false
}

// decodeDocument decodes a stored document as the store hands it to Apply,
// with numbers as json.Number.
func decodeDocument(t testing.TB, text string) map[string]any {
	t.Helper()
	doc, err := schema.DecodeObject([]byte(text))
	if err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return doc
}

// mergePatch returns a copy of doc with the JSON merge patch (RFC 7386)
// change applied: null deletes a key, objects merge and other values
// replace.
func mergePatch(t *testing.T, doc map[string]any, change string) map[string]any {
	t.Helper()
	return mergeValue(doc, decodeDocument(t, change)).(map[string]any)
}

func mergeValue(target, change any) any {
	changeObject, ok := change.(map[string]any)
	if !ok {
		return change
	}
	targetObject, _ := target.(map[string]any)
	out := make(map[string]any, len(targetObject))
	for key, value := range targetObject {
		out[key] = value
	}
	for key, value := range changeObject {
		if value == nil {
			delete(out, key)
			continue
		}
		out[key] = mergeValue(out[key], value)
	}
	return out
}

func encode(t testing.TB, value any) []byte {
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

// operationBody returns a PatchOp body with one operation. value is sent as
// JSON when it parses as JSON, else as a string, and an empty path is left
// out.
func operationBody(t *testing.T, op, path, value string) []byte {
	t.Helper()
	operation := map[string]any{"op": op}
	if path != "" {
		operation["path"] = path
	}
	var decoded any
	if json.Unmarshal([]byte(value), &decoded) == nil {
		operation["value"] = json.RawMessage(value)
	} else {
		operation["value"] = value
	}
	body, err := json.Marshal(map[string]any{"Operations": []any{operation}})
	if err != nil {
		t.Fatalf("encode body: %v", err)
	}
	return body
}
