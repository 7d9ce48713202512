package schema_test

import (
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

const acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

// acmeFile defines the acme extension with one attribute of each kind that
// the tests need: plain, case-exact, integer, request-only, never returned,
// complex with a required sub-attribute, and required.
const acmeFile = `[{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
	"id": "` + acme + `",
	"resourceType": "User",
	"name": "AcmeUser",
	"description": "Acme attributes",
	"meta": {"resourceType": "Schema", "location": "https://example.com/scim/Schemas/` + acme + `"},
	"attributes": [
		{"name": "tag", "type": "string", "multiValued": false, "required": false, "caseExact": false,
		 "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "A label"},
		{"name": "costCode", "type": "string", "caseExact": true, "canonicalValues": ["CC-1", "CC-2"]},
		{"name": "badgeNumber", "type": "integer", "returned": "request"},
		{"name": "pin", "type": "string", "returned": "never"},
		{"name": "homePage", "type": "reference", "referenceTypes": ["external"]},
		{"name": "site", "type": "complex", "subAttributes": [
			{"name": "code", "type": "string", "required": true},
			{"name": "floor", "type": "integer"}
		]},
		{"name": "region", "type": "string", "required": true, "mutability": "immutable"}
	]
}]`

// loadAcme returns the acme extension schema and the User resource type
// extended with it.
func loadAcme(t *testing.T) (*schema.Schema, *schema.ResourceType) {
	t.Helper()
	exts, err := schema.LoadExtensions(strings.NewReader(acmeFile))
	if err != nil {
		t.Fatalf("LoadExtensions: %v", err)
	}
	if len(exts) != 1 {
		t.Fatalf("LoadExtensions returned %d extensions, want 1", len(exts))
	}
	rt, err := schema.UserType.WithExtensions(exts[0].Schema)
	if err != nil {
		t.Fatalf("WithExtensions: %v", err)
	}
	return exts[0].Schema, rt
}

func TestLoadExtensions(t *testing.T) {
	exts, err := schema.LoadExtensions(strings.NewReader(acmeFile))
	if err != nil {
		t.Fatalf("LoadExtensions: %v", err)
	}
	if len(exts) != 1 {
		t.Fatalf("got %d extensions, want 1", len(exts))
	}
	ext := exts[0]
	if ext.ResourceType != "User" {
		t.Errorf("ResourceType = %q, want User", ext.ResourceType)
	}
	if ext.Schema.ID != acme {
		t.Errorf("ID = %q, want %s", ext.Schema.ID, acme)
	}
	if ext.Schema.Name != "AcmeUser" {
		t.Errorf("Name = %q, want AcmeUser", ext.Schema.Name)
	}
	if ext.Schema.Description != "Acme attributes" {
		t.Errorf("Description = %q, want Acme attributes", ext.Schema.Description)
	}

	tests := []struct {
		name string
		attr string
		want schema.Attribute
	}{
		{"every characteristic read", "tag", schema.Attribute{Name: "tag", Type: schema.TypeString,
			Mutability: schema.ReadWrite, Returned: schema.ReturnedDefault, Uniqueness: "none", Description: "A label"}},
		{"caseExact and canonical values", "costCode", schema.Attribute{Name: "costCode", Type: schema.TypeString,
			CaseExact: true, CanonicalValues: []string{"CC-1", "CC-2"}}},
		{"integer returned on request", "badgeNumber", schema.Attribute{Name: "badgeNumber", Type: schema.TypeInteger,
			Returned: schema.ReturnedRequest}},
		{"reference with reference types", "homePage", schema.Attribute{Name: "homePage", Type: schema.TypeReference,
			ReferenceTypes: []string{"external"}}},
		{"complex with sub-attributes", "site", schema.Attribute{Name: "site", Type: schema.TypeComplex,
			SubAttributes: []*schema.Attribute{
				{Name: "code", Type: schema.TypeString, Required: true},
				{Name: "floor", Type: schema.TypeInteger},
			}}},
		{"required immutable attribute", "region", schema.Attribute{Name: "region", Type: schema.TypeString,
			Required: true, Mutability: schema.Immutable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ext.Schema.Attr(tt.attr)
			if got == nil {
				t.Fatalf("attribute %q missing", tt.attr)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("attribute %q = %+v, want %+v", tt.attr, *got, tt.want)
			}
		})
	}
}

func TestLoadExtensionsEmptyArray(t *testing.T) {
	exts, err := schema.LoadExtensions(strings.NewReader(" [ ] \n"))
	if err != nil {
		t.Fatalf("LoadExtensions: %v", err)
	}
	if len(exts) != 0 {
		t.Errorf("got %d extensions, want none", len(exts))
	}
}

func TestLoadExtensionsExampleFile(t *testing.T) {
	file, err := os.Open("../../deploy/schema-extensions.example.json")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()

	exts, err := schema.LoadExtensions(file)
	if err != nil {
		t.Fatalf("LoadExtensions: %v", err)
	}
	if len(exts) != 1 {
		t.Fatalf("got %d extensions, want 1", len(exts))
	}
	if _, err := schema.UserType.WithExtensions(exts[0].Schema); err != nil {
		t.Errorf("WithExtensions: %v", err)
	}
}

// extensionFile returns the content of an extension schema file that
// defines one User extension with the acme URN and the given attributes.
func extensionFile(attributes string) string {
	return `[{"id":"` + acme + `","resourceType":"User","attributes":` + attributes + `}]`
}

func TestLoadExtensionsErrors(t *testing.T) {
	const acmeSchema = `schema 1 (` + acme + `)`
	tests := []struct {
		name  string
		input string
		// where and reason must both appear in the error message.
		where  string
		reason string
	}{
		{"empty input rejected", "  ", "extension schemas", "empty"},
		{"ListResponse object rejected", `{"Resources":[]}`, "JSON array", "got a JSON object"},
		{"null input rejected", `null`, "JSON array", "got null"},
		{"invalid JSON rejected", `[{"id":]`, "JSON array", "invalid JSON at byte"},
		{"data after array", `[] []`, "JSON array", "data follows"},
		{"schema not an object", `["` + acme + `"]`, "schema 1", "not a JSON object"},
		{"unknown schema member", `[{"id":"` + acme + `","resourceType":"User","attribute":[]}]`, acmeSchema, `unknown member "attribute"`},
		{"missing id rejected", `[{"resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, "schema 1", `missing "id"`},
		{"id without urn prefix", `[{"id":"acme:2.0:User","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, `"acme:2.0:User"`, `start with "urn:"`},
		{"id without namespace", `[{"id":"urn:acme","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, `"urn:acme"`, "namespace"},
		{"id with a space", `[{"id":"urn:acme:2.0 User","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, `"urn:acme:2.0 User"`, `contains ' '`},
		{"core User URN", `[{"id":"` + schema.UserURN + `","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, schema.UserURN, "defines"},
		{"enterprise URN upper case", `[{"id":"` + strings.ToUpper(enterprise) + `","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, strings.ToUpper(enterprise), "defines"},
		{"duplicate ids other case", `[` + strings.Trim(extensionFile(`[{"name":"tag","type":"string"}]`), "[]") + `,` +
			`{"id":"` + strings.ToLower(acme) + `","resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, "schema 2", "already used by schema 1"},
		{"missing resourceType rejected", `[{"id":"` + acme + `","attributes":[{"name":"tag","type":"string"}]}]`, acmeSchema, `missing "resourceType"`},
		{"unserved resourceType Group", `[{"id":"` + acme + `","resourceType":"Group","attributes":[{"name":"tag","type":"string"}]}]`, acmeSchema, `resourceType "Group"`},
		{"empty attributes rejected", `[{"id":"` + acme + `","resourceType":"User","attributes":[]}]`, acmeSchema, `"attributes" is missing or empty`},
		{"attributes not an array", `[{"id":"` + acme + `","resourceType":"User","attributes":{"name":"tag"}}]`, acmeSchema, `"attributes" must be an array of objects`},
		{"attribute not an object", extensionFile(`["tag"]`), "attribute 1", "not a JSON object"},
		{"attribute without name", extensionFile(`[{"type":"string"}]`), "attribute 1", `no "name"`},
		{"name starts with digit", extensionFile(`[{"name":"1tag","type":"string"}]`), `"1tag"`, "invalid name"},
		{"name with dollar sign", extensionFile(`[{"name":"$tag","type":"string"}]`), `"$tag"`, "invalid name"},
		{"name with a dot", extensionFile(`[{"name":"cost.code","type":"string"}]`), `"cost.code"`, "invalid name"},
		{"name with a colon", extensionFile(`[{"name":"acme:tag","type":"string"}]`), `"acme:tag"`, "invalid name"},
		{"duplicate names other case", extensionFile(`[{"name":"costCode","type":"string"},{"name":"COSTCODE","type":"string"}]`), `attribute "COSTCODE"`, "defined twice"},
		{"id not a string", `[{"id":5,"resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`, "schema 1", `"id" must be a string`},
		{"name not a string", extensionFile(`[{"name":5,"type":"string"}]`), "attribute 1", `"name" must be a string`},
		{"type not a string", extensionFile(`[{"name":"tag","type":["string"]}]`), `attribute "tag"`, `"type" must be a string`},
		{"missing type rejected", extensionFile(`[{"name":"tag"}]`), `attribute "tag"`, `no "type"`},
		{"unknown type text", extensionFile(`[{"name":"tag","type":"text"}]`), `attribute "tag"`, `invalid type "text"`},
		{"type in wrong case", extensionFile(`[{"name":"tag","type":"String"}]`), `attribute "tag"`, `invalid type "String"`},
		{"unknown attribute member", extensionFile(`[{"name":"tag","type":"string","multivalued":true}]`), `attribute "tag"`, `unknown member "multivalued"`},
		{"boolean member as string", extensionFile(`[{"name":"tag","type":"string","required":"true"}]`), `attribute "tag"`, `"required" must be true or false`},
		{"canonicalValues not an array", extensionFile(`[{"name":"tag","type":"string","canonicalValues":"a"}]`), `attribute "tag"`, `"canonicalValues" must be an array of strings`},
		{"sub-attribute member wrong type", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"code","type":"string","caseExact":1}]}]`), `sub-attribute "site.code"`, `"caseExact" must be true or false`},
		{"complex without subAttributes", extensionFile(`[{"name":"site","type":"complex"}]`), `attribute "site"`, `no "subAttributes"`},
		{"complex sub-attribute rejected", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"geo","type":"complex","subAttributes":[{"name":"lat","type":"decimal"}]}]}]`), `sub-attribute "site.geo"`, "may not be complex"},
		{"multi-valued sub-attribute rejected", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"codes","type":"string","multiValued":true}]}]`), `sub-attribute "site.codes"`, "multi-valued"},
		{"immutable sub-attribute rejected", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"code","type":"string","mutability":"immutable"}]}]`), `sub-attribute "site.code"`, "only for top-level"},
		{"sub-attribute invalid type", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"code","type":"str"}]}]`), `sub-attribute "site.code"`, `invalid type "str"`},
		{"sub-attribute without name", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"type":"string"}]}]`), `sub-attribute 1 of "site"`, `no "name"`},
		{"duplicate sub-attribute names", extensionFile(`[{"name":"site","type":"complex","subAttributes":[{"name":"code","type":"string"},{"name":"Code","type":"string"}]}]`), `sub-attribute "site.Code"`, "defined twice"},
		{"subAttributes on a string", extensionFile(`[{"name":"tag","type":"string","subAttributes":[{"name":"x","type":"string"}]}]`), `attribute "tag"`, "only a complex attribute"},
		{"mutability in wrong case", extensionFile(`[{"name":"tag","type":"string","mutability":"readwrite"}]`), `attribute "tag"`, `invalid mutability "readwrite"`},
		{"required read-only attribute", extensionFile(`[{"name":"tag","type":"string","required":true,"mutability":"readOnly"}]`), `attribute "tag"`, "required and readOnly"},
		{"required write-only attribute", extensionFile(`[{"name":"tag","type":"string","required":true,"mutability":"writeOnly"}]`), `attribute "tag"`, "required and writeOnly"},
		{"unknown returned value", extensionFile(`[{"name":"tag","type":"string","returned":"sometimes"}]`), `attribute "tag"`, `invalid returned "sometimes"`},
		{"server uniqueness rejected", extensionFile(`[{"name":"tag","type":"string","uniqueness":"server"}]`), `attribute "tag"`, "cannot enforce"},
		{"global uniqueness rejected", extensionFile(`[{"name":"tag","type":"string","uniqueness":"global"}]`), `attribute "tag"`, "cannot enforce"},
		{"unknown uniqueness value", extensionFile(`[{"name":"tag","type":"string","uniqueness":"unique"}]`), `attribute "tag"`, `invalid uniqueness "unique"`},
		{"canonicalValues on complex", extensionFile(`[{"name":"site","type":"complex","canonicalValues":["a"],"subAttributes":[{"name":"code","type":"string"}]}]`), `attribute "site"`, `"canonicalValues"`},
		{"referenceTypes on a string", extensionFile(`[{"name":"tag","type":"string","referenceTypes":["external"]}]`), `attribute "tag"`, `"referenceTypes"`},
		{"file over size limit", `[` + strings.Repeat(" ", schema.MaxExtensionsFileSize) + `]`, "extension schemas", "larger than"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exts, err := schema.LoadExtensions(strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("no error, got %d extensions", len(exts))
			}
			if exts != nil {
				t.Errorf("got %d extensions with the error, want none", len(exts))
			}
			if !strings.Contains(err.Error(), tt.where) {
				t.Errorf("error %q does not name %s", err, tt.where)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %s", err, tt.reason)
			}
		})
	}
}

func TestLoadExtensionsListsEveryProblem(t *testing.T) {
	input := extensionFile(`[{"name":"tag","type":"text"},{"name":"costCode","type":"string","uniqueness":"server"}]`)
	_, err := schema.LoadExtensions(strings.NewReader(input))
	if err == nil {
		t.Fatal("no error for two invalid attributes")
	}
	for _, want := range []string{`attribute "tag"`, `attribute "costCode"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestLoadExtensionsWrongTypeReportedOnce(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"id as number", `[{"id":5,"resourceType":"User","attributes":[{"name":"tag","type":"string"}]}]`},
		{"resourceType as array", `[{"id":"` + acme + `","resourceType":["User"],"attributes":[{"name":"tag","type":"string"}]}]`},
		{"attributes as object", `[{"id":"` + acme + `","resourceType":"User","attributes":{"name":"tag"}}]`},
		{"name as number", extensionFile(`[{"name":5,"type":"string"}]`)},
		{"type as array", extensionFile(`[{"name":"tag","type":["string"]}]`)},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schema.LoadExtensions(strings.NewReader(tt.input))
			if err == nil {
				t.Fatal("no error")
			}
			if lines := strings.Count(err.Error(), "\n") + 1; lines != 1 {
				t.Errorf("error has %d problems, want 1:\n%v", lines, err)
			}
		})
	}
}

func TestWithExtensionsLeavesUserType(t *testing.T) {
	before := len(schema.UserType.Extensions)
	ext, extended := loadAcme(t)

	if extended == schema.UserType {
		t.Fatal("WithExtensions returned UserType itself")
	}
	if got := len(schema.UserType.Extensions); got != before {
		t.Errorf("UserType has %d extensions after WithExtensions, want %d", got, before)
	}
	if schema.UserType.Extension(acme) != nil {
		t.Error("UserType gained the acme extension")
	}
	if got := len(extended.Extensions); got != before+1 {
		t.Errorf("extended type has %d extensions, want %d", got, before+1)
	}
	if extended.Extension(acme) != ext {
		t.Error("extended type lacks the acme extension")
	}
	if extended.Extension(enterprise) != schema.EnterpriseUser {
		t.Error("extended type lost the Enterprise User extension")
	}
	if extended.Schema != schema.User {
		t.Errorf("extended type schema = %s, want the User schema", extended.Schema.ID)
	}
	if extended.ID != "User" {
		t.Errorf("extended type id = %q, want User", extended.ID)
	}
	if extended.Endpoint != "/Users" {
		t.Errorf("extended type endpoint = %q, want /Users", extended.Endpoint)
	}
}

func TestWithExtensionsErrors(t *testing.T) {
	tag := []*schema.Attribute{{Name: "tag", Type: schema.TypeString}}
	tests := []struct {
		name   string
		exts   []*schema.Schema
		reason string
	}{
		{"nil schema rejected", []*schema.Schema{nil}, "nil"},
		{"enterprise URN again", []*schema.Schema{{ID: enterprise, Attributes: tag}}, "already has a schema"},
		{"core URN other case", []*schema.Schema{{ID: strings.ToLower(schema.UserURN), Attributes: tag}}, "already has a schema"},
		{"same URN twice", []*schema.Schema{{ID: acme, Attributes: tag}, {ID: acme, Attributes: tag}}, "already has a schema"},
		{"URN under enterprise URN", []*schema.Schema{{ID: enterprise + ":acme", Attributes: tag}}, "starts with the other"},
		{"URN above another URN", []*schema.Schema{{ID: acme + ":v2", Attributes: tag}, {ID: acme, Attributes: tag}}, "starts with the other"},
		{"enterprise attribute name", []*schema.Schema{{ID: acme, Attributes: []*schema.Attribute{{Name: "Department", Type: schema.TypeString}}}}, `"Department" is also defined`},
		{"name in two extensions", []*schema.Schema{{ID: acme, Attributes: tag}, {ID: "urn:example:other", Attributes: tag}}, `"tag" is also defined`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(schema.UserType.Extensions)
			got, err := schema.UserType.WithExtensions(tt.exts...)
			if err == nil {
				t.Fatalf("no error, got %d extensions", len(got.Extensions))
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %s", err, tt.reason)
			}
			if after := len(schema.UserType.Extensions); after != before {
				t.Errorf("UserType has %d extensions after the error, want %d", after, before)
			}
		})
	}
}

func TestResolveCustomExtension(t *testing.T) {
	ext, rt := loadAcme(t)
	tests := []struct {
		name   string
		path   string
		ok     bool
		attr   string
		sub    string
		schema *schema.Schema
	}{
		{"Entra URN path", acme + ":tag", true, "tag", "", ext},
		{"URN path upper case", strings.ToUpper(acme) + ":COSTCODE", true, "costCode", "", ext},
		{"complex sub-attribute path", acme + ":site.code", true, "site", "code", ext},
		{"attribute without URN", "badgeNumber", true, "badgeNumber", "", ext},
		{"enterprise path still resolved", enterprise + ":employeeNumber", true, "employeeNumber", "", schema.EnterpriseUser},
		{"unqualified manager still resolved", "manager", true, "manager", "", schema.EnterpriseUser},
		{"core attribute still resolved", "userName", true, "userName", "", schema.User},
		{"unknown acme attribute", acme + ":favoriteColor", false, "", "", nil},
		{"acme attribute under enterprise", enterprise + ":tag", false, "", "", nil},
		{"unknown acme sub-attribute", acme + ":site.room", false, "", "", nil},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, ok := rt.Resolve(tt.path)
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
			if target.Schema != tt.schema {
				t.Errorf("schema = %q, want %q", target.Schema.ID, tt.schema.ID)
			}
			if got, want := target.IsExtension(rt), tt.schema != schema.User; got != want {
				t.Errorf("IsExtension = %t, want %t", got, want)
			}
		})
	}

	if _, ok := schema.UserType.Resolve(acme + ":tag"); ok {
		t.Error("UserType resolves the acme path, want only the extended type to")
	}
}

func TestNormalizeCustomExtension(t *testing.T) {
	_, rt := loadAcme(t)
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{
			name:  "URN object stored",
			input: `{"userName":"bjensen","` + acme + `":{"tag":"blue","region":"emea"}}`,
			want:  `{"userName":"bjensen","` + acme + `":{"tag":"blue","region":"emea"}}`,
		},
		{
			name:  "qualified key stored",
			input: `{"userName":"bjensen","` + acme + `:tag":"blue"}`,
			want:  `{"userName":"bjensen","` + acme + `":{"tag":"blue"}}`,
		},
		{
			name:  "names in schema spelling",
			input: `{"userName":"bjensen","` + strings.ToUpper(acme) + `:COSTCODE":"CC-1","` + acme + `":{"BadgeNumber":42}}`,
			want:  `{"userName":"bjensen","` + acme + `":{"costCode":"CC-1","badgeNumber":42}}`,
		},
		{
			name:  "both forms merged",
			input: `{"userName":"bjensen","` + acme + `":{"tag":"blue"},"` + acme + `:costCode":"CC-2"}`,
			want:  `{"userName":"bjensen","` + acme + `":{"tag":"blue","costCode":"CC-2"}}`,
		},
		{
			name:  "complex value stored",
			input: `{"userName":"bjensen","` + acme + `":{"site":{"code":"HQ","floor":3}}}`,
			want:  `{"userName":"bjensen","` + acme + `":{"site":{"code":"HQ","floor":3}}}`,
		},
		{
			name:  "enterprise kept beside acme",
			input: `{"userName":"bjensen","` + enterprise + `:department":"Tours","` + acme + `:tag":"blue"}`,
			want:  `{"userName":"bjensen","` + enterprise + `":{"department":"Tours"},"` + acme + `":{"tag":"blue"}}`,
		},
		{
			name:  "unknown acme attribute ignored",
			input: `{"userName":"bjensen","` + acme + `:favoriteColor":"blue","` + acme + `":{"shoeSize":"9"}}`,
			want:  `{"userName":"bjensen"}`,
		},
		{
			name:  "empty values dropped",
			input: `{"userName":"bjensen","` + acme + `":{"tag":"","costCode":null}}`,
			want:  `{"userName":"bjensen"}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rt.Normalize(decode(t, tt.input))
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

func TestNormalizeCustomExtensionErrors(t *testing.T) {
	_, rt := loadAcme(t)
	tests := []struct {
		name      string
		input     string
		attribute string
	}{
		{"integer as string", `{"` + acme + `:badgeNumber":"42"}`, `"badgeNumber"`},
		{"integer with fraction", `{"` + acme + `":{"badgeNumber":4.5}}`, `"badgeNumber"`},
		{"string as number", `{"` + acme + `":{"tag":7}}`, `"tag"`},
		{"extension not an object", `{"` + acme + `":"blue"}`, acme},
		{"sub-attribute wrong type", `{"` + acme + `":{"site":{"floor":"third"}}}`, `"site.floor"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rt.Normalize(decode(t, tt.input))
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

func TestCheckRequiredCustomExtension(t *testing.T) {
	_, rt := loadAcme(t)
	tests := []struct {
		name string
		doc  string
		// missing is the attribute that the error must name, "" for none.
		missing string
	}{
		{"extension absent passes", `{"userName":"bjensen"}`, ""},
		{"required attribute present", `{"userName":"bjensen","` + acme + `":{"tag":"blue","region":"emea"}}`, ""},
		{"required attribute missing", `{"userName":"bjensen","` + acme + `":{"tag":"blue"}}`, `"region"`},
		{"required sub-attribute present", `{"userName":"bjensen","` + acme + `":{"region":"emea","site":{"code":"HQ"}}}`, ""},
		{"required sub-attribute missing", `{"userName":"bjensen","` + acme + `":{"region":"emea","site":{"floor":3}}}`, `"site.code"`},
		{"core userName still checked", `{"` + acme + `":{"region":"emea"}}`, `"userName"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rt.CheckRequired(decode(t, tt.doc))
			if tt.missing == "" {
				if err != nil {
					t.Fatalf("CheckRequired: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one naming %s", tt.missing)
			}
			checkError(t, err, http.StatusBadRequest, scimerr.InvalidValue)
			if detail := scimerr.As(err).Detail; !strings.Contains(detail, tt.missing) {
				t.Errorf("detail %q does not name %s", detail, tt.missing)
			}
		})
	}
}

func TestRenderCustomExtension(t *testing.T) {
	_, rt := loadAcme(t)
	doc := decode(t, `{"id":"1","userName":"bjensen","`+acme+`":{"tag":"blue","badgeNumber":42,"pin":"1234"}}`)
	tests := []struct {
		name       string
		attributes string
		want       string
	}{
		{"default attributes returned", "", `{"schemas":["` + schema.UserURN + `","` + acme + `"],"id":"1","userName":"bjensen","` + acme + `":{"tag":"blue"}}`},
		{"request attribute when listed", acme + ":badgeNumber", `{"schemas":["` + schema.UserURN + `","` + acme + `"],"id":"1","` + acme + `":{"badgeNumber":42}}`},
		{"never attribute when listed", acme + ":pin", `{"schemas":["` + schema.UserURN + `"],"id":"1"}`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			projection, err := rt.ParseProjection(tt.attributes, "")
			if err != nil {
				t.Fatalf("ParseProjection: %v", err)
			}
			got := rt.Render(doc, projection)
			if !reflect.DeepEqual(canonical(t, got), canonical(t, decode(t, tt.want))) {
				t.Errorf("Render result differs\n got: %s\nwant: %s", encode(t, got), tt.want)
			}
		})
	}
}

func TestCustomExtensionDiscovery(t *testing.T) {
	ext, rt := loadAcme(t)
	registry := &schema.Registry{Types: []*schema.ResourceType{rt}}

	if got := registry.Schema(strings.ToLower(acme)); got != ext {
		t.Errorf("Schema(lower-case acme URN) = %v, want the acme schema", got)
	}
	schemas := registry.Schemas()
	if len(schemas) != 3 {
		t.Fatalf("Schemas() has %d schemas, want User, EnterpriseUser and acme", len(schemas))
	}
	if schemas[2] != ext {
		t.Errorf("Schemas()[2] = %s, want the acme schema last", schemas[2].ID)
	}

	doc := roundTrip(t, schema.SchemaDocument(ext, "https://example.com/scim"))
	checkNoNull(t, doc, "")
	if doc["id"] != acme {
		t.Errorf("id = %v, want %s", doc["id"], acme)
	}
	attributes, _ := doc["attributes"].([]any)
	if len(attributes) != len(ext.Attributes) {
		t.Fatalf("%d attributes, want %d", len(attributes), len(ext.Attributes))
	}
	checkAttributeDocuments(t, attributes, acme)

	rtDoc := roundTrip(t, schema.ResourceTypeDocument(rt, "https://example.com/scim"))
	want := []any{
		map[string]any{"schema": enterprise, "required": false},
		map[string]any{"schema": acme, "required": false},
	}
	if got := rtDoc["schemaExtensions"]; !reflect.DeepEqual(got, want) {
		t.Errorf("schemaExtensions = %v, want %v", got, want)
	}
}
