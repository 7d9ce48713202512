package filter

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

const enterprise = schema.EnterpriseUserURN

// rfcExamples are the filters that RFC 7644 section 3.4.2.2 lists.
var rfcExamples = []string{
	`userName Eq "john"`,
	`Username eq "john"`,
	`userName eq "bjensen"`,
	`name.familyName co "O'Malley"`,
	`userName sw "J"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
	`title pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`meta.lastModified ge "2011-05-13T04:42:34Z"`,
	`meta.lastModified lt "2011-05-13T04:42:34Z"`,
	`meta.lastModified le "2011-05-13T04:42:34Z"`,
	`title pr and userType eq "Employee"`,
	`title pr or userType eq "Intern"`,
	`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
	`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
	`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
	`userType eq "Employee" and (emails.type eq "work")`,
	`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
}

// testUsers are User resources in JSON. decodeJSON decodes them with
// UseNumber, which gives the value types that Matches expects.
var testUsers = map[string]string{
	"bjensen": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "2819c223-7f76-453a-919d-413861904646",
		"externalId": "701984",
		"userName": "bjensen",
		"name": {"familyName": "Jensen", "givenName": "Barbara"},
		"nickName": "Babs \ud83d\ude00",
		"title": "Tour Guide",
		"userType": "Employee",
		"active": true,
		"emails": [
			{"value": "bjensen@example.com", "type": "work", "primary": true},
			{"value": "babs@jensen.org", "type": "home"}
		],
		"ims": [{"value": "bjensen@foo.com", "type": "xmpp"}],
		"groups": [{"value": "e9e30dba", "$ref": "https://example.com/v2/Groups/e9e30dba", "display": "Tour Guides"}],
		"meta": {"created": "2011-05-13T04:42:34Z", "lastModified": "2011-05-13T04:42:34Z"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
			"employeeNumber": "701984",
			"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
		}
	}`,
	"jsmith": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "c3a26dd3-27a0-4dec-a2ac-ce211e105f97",
		"externalId": "ABC123",
		"userName": "JSmith",
		"name": {"familyName": "O'Malley", "givenName": "John"},
		"title": "",
		"userType": "Intern",
		"active": false,
		"emails": [{"value": "john@example.org", "type": "work"}],
		"meta": {"created": "2012-01-01T10:00:00+02:00", "lastModified": "2012-01-01T10:00:00.5+02:00"}
	}`,
	"nobody": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "0f3a1c4e-0000-4000-8000-000000000000",
		"userName": "nobody",
		"displayName": "",
		"name": {},
		"emails": [],
		"meta": {"created": "2010-01-01t00:00:00z", "lastModified": "2010-01-01t00:00:00z"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "42"}
	}`,
}

func decodeJSON(t testing.TB, text string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode test document: %v", err)
	}
	return doc
}

func mustParse(t *testing.T, input string) Expr {
	t.Helper()
	e, err := Parse(input)
	if err != nil {
		t.Fatalf("Parse(%q) failed: %v", input, err)
	}
	return e
}

// matchingNames returns the sorted names of the documents that e matches.
func matchingNames(e Expr, rt *schema.ResourceType, docs map[string]map[string]any) []string {
	names := []string{}
	for name, doc := range docs {
		if Matches(e, rt, doc) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func TestParseRFCExamples(t *testing.T) {
	for _, input := range rfcExamples {
		if _, err := Parse(input); err != nil {
			t.Errorf("Parse(%q) failed: %v", input, err)
		}
	}
}

func TestMatchesUsers(t *testing.T) {
	docs := map[string]map[string]any{}
	for name, text := range testUsers {
		docs[name] = decodeJSON(t, text)
	}
	manager := enterprise + ":manager"

	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"userName eq exact value", `userName eq "bjensen"`, []string{"bjensen"}},
		{"userName eq ignores case", `userName eq "BJensen"`, []string{"bjensen"}},
		{"attribute and operator case", `USERNAME Eq "bjensen"`, []string{"bjensen"}},
		{"caseExact id respects case", `id eq "2819C223-7F76-453A-919D-413861904646"`, []string{}},
		{"caseExact id exact value", `id eq "2819c223-7f76-453a-919d-413861904646"`, []string{"bjensen"}},
		{"caseExact externalId respects case", `externalId eq "abc123"`, []string{}},
		{"bare word after eq", `externalId eq ABC123`, []string{"jsmith"}},
		{"bare number as string", `externalId eq 701984`, []string{"bjensen"}},
		{"co with apostrophe", `name.familyName co "O'Malley"`, []string{"jsmith"}},
		{"sw ignores case", `userName sw "j"`, []string{"jsmith"}},
		{"ew ignores case", `userName ew "SEN"`, []string{"bjensen"}},
		{"URN qualified core path", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, []string{"jsmith"}},
		{"string order ignores case", `userName gt "c"`, []string{"jsmith", "nobody"}},
		{"gt on missing attribute", `title gt "A"`, []string{"bjensen"}},
		{"pr skips empty string", `title pr`, []string{"bjensen"}},
		{"pr on empty string only", `displayName pr`, []string{}},
		{"pr skips empty array", `emails pr`, []string{"bjensen", "jsmith"}},
		{"pr skips empty object", `name pr`, []string{"bjensen", "jsmith"}},
		{"pr on sub-attribute", `emails.primary pr`, []string{"bjensen"}},
		{"eq null tests absence", `title eq null`, []string{"jsmith", "nobody"}},
		{"ne null tests presence", `title ne null`, []string{"bjensen"}},
		{"ne on missing attribute", `title ne "Tour Guide"`, []string{"jsmith", "nobody"}},
		{"ne on missing boolean", `active ne true`, []string{"jsmith", "nobody"}},
		{"lastModified gt instant", `meta.lastModified gt "2011-05-13T04:42:34Z"`, []string{"jsmith"}},
		{"lastModified ge instant", `meta.lastModified ge "2011-05-13T04:42:34Z"`, []string{"bjensen", "jsmith"}},
		{"lastModified lt instant", `meta.lastModified lt "2011-05-13T04:42:34Z"`, []string{"nobody"}},
		{"lastModified le instant", `meta.lastModified le "2011-05-13T04:42:34Z"`, []string{"bjensen", "nobody"}},
		{"dateTime across stored offset", `meta.created eq "2012-01-01T08:00:00Z"`, []string{"jsmith"}},
		{"dateTime across literal offset", `meta.created eq "2011-05-13T06:42:34+02:00"`, []string{"bjensen"}},
		{"dateTime negative literal offset", `meta.created lt "2011-05-12T23:42:35-05:00"`, []string{"bjensen", "nobody"}},
		{"dateTime fractional seconds", `meta.lastModified gt "2012-01-01T08:00:00Z"`, []string{"jsmith"}},
		{"dateTime fraction le", `meta.lastModified le "2012-01-01T08:00:00.5Z"`, []string{"bjensen", "jsmith", "nobody"}},
		{"dateTime without offset is UTC", `meta.created eq "2011-05-13T04:42:34"`, []string{"bjensen"}},
		{"dateTime invalid literal", `meta.created lt "yesterday"`, []string{}},
		{"boolean eq true", `active eq true`, []string{"bjensen"}},
		{"boolean eq false", `active eq FALSE`, []string{"jsmith"}},
		{"boolean quoted literal", `active eq "True"`, []string{"bjensen"}},
		{"boolean wrong literal", `active eq "yes"`, []string{}},
		{"boolean number literal", `active eq 1`, []string{}},
		{"string bool literal", `userName eq true`, []string{}},
		{"and of pr and eq", `title pr and userType eq "Employee"`, []string{"bjensen"}},
		{"or of pr and eq", `title pr or userType eq "Intern"`, []string{"bjensen", "jsmith"}},
		{"and binds tighter", `userName eq "nobody" or userName eq "bjensen" and active eq false`, []string{"nobody"}},
		{"parentheses override precedence", `(userName eq "nobody" or userName eq "bjensen") and active eq true`, []string{"bjensen"}},
		{"nested redundant parentheses", `((userName eq "bjensen"))`, []string{"bjensen"}},
		{"not of pr", `not (title pr)`, []string{"jsmith", "nobody"}},
		{"keywords in upper case", `title PR AND NOT (userType EQ "Intern") OR active Eq FALSE`, []string{"bjensen", "jsmith"}},
		{"schemas eq extension URN", `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, []string{"bjensen"}},
		{"emails co compares value", `emails co "example.com"`, []string{"bjensen"}},
		{"emails eq ignores case", `emails eq "BJensen@Example.com"`, []string{"bjensen"}},
		{"RFC emails co example", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, []string{"bjensen"}},
		{"RFC not example", `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, []string{"nobody"}},
		{"sub-attribute any element", `emails.type eq "home"`, []string{"bjensen"}},
		{"sub-attributes across elements", `emails.type eq "home" and emails.value co "@example.com"`, []string{"bjensen"}},
		{"valuePath needs one element", `emails[type eq "home" and value co "@example.com"]`, []string{}},
		{"valuePath RFC example", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, []string{"bjensen"}},
		{"two valuePaths with or", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, []string{"bjensen"}},
		{"valuePath with not", `emails[not (type eq "work")]`, []string{"bjensen"}},
		{"valuePath on missing attribute", `addresses[type eq "work"]`, []string{}},
		{"not valuePath on missing", `not (addresses[type eq "work"])`, []string{"bjensen", "jsmith", "nobody"}},
		{"valuePath unknown sub-attribute", `emails[foo eq "x"]`, []string{}},
		{"Entra valuePath sub comparison", `emails[type eq "work"].value eq "bjensen@example.com"`, []string{"bjensen"}},
		{"Entra valuePath other element", `emails[type eq "home"].value eq "bjensen@example.com"`, []string{}},
		{"enterprise employeeNumber URN", enterprise + `:employeeNumber eq "701984"`, []string{"bjensen"}},
		{"extension keys any case", enterprise + `:employeeNumber eq "42"`, []string{"nobody"}},
		{"URN prefix in upper case", strings.ToUpper(enterprise) + `:employeeNumber eq "701984"`, []string{"bjensen"}},
		{"enterprise manager value", manager + `.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, []string{"bjensen"}},
		{"manager without sub-attribute", manager + ` eq "26118915-6090-4610-87e4-49d8ca9f808d"`, []string{"bjensen"}},
		{"manager displayName sw", manager + `.displayName sw "john"`, []string{"bjensen"}},
		{"unknown attribute eq", `foo eq "x"`, []string{}},
		{"unknown attribute ne", `foo ne "x"`, []string{"bjensen", "jsmith", "nobody"}},
		{"unknown attribute pr", `foo pr`, []string{}},
		{"unknown URN attribute", `urn:example:params:other:1.0:Thing:x eq "y"`, []string{}},
		{"unknown sub-attribute", `name.nickName eq "x"`, []string{}},
		{"escaped quote in literal", `name.familyName eq "O\u0027Malley"`, []string{"jsmith"}},
		{"surrogate pair escape", `nickName eq "babs \ud83d\ude00"`, []string{"bjensen"}},
		{"dollar ref sub-attribute", `groups.$ref ew "/groups/e9e30dba"`, []string{"bjensen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustParse(t, tt.filter)
			if got := matchingNames(e, schema.UserType, docs); !slices.Equal(got, tt.want) {
				t.Errorf("filter %q matches %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

// deviceType is a resource type with the attribute types that the User
// schema lacks: integer, decimal, multi-valued strings, binary and a complex
// attribute without a "value" sub-attribute.
var deviceType = &schema.ResourceType{
	ID:   "Device",
	Name: "Device",
	Schema: &schema.Schema{
		ID: "urn:example:params:scim:schemas:core:1.0:Device",
		Attributes: []*schema.Attribute{
			{Name: "serial", Type: schema.TypeInteger},
			{Name: "weight", Type: schema.TypeDecimal},
			{Name: "tags", Type: schema.TypeString, MultiValued: true},
			{Name: "blob", Type: schema.TypeBinary},
			{Name: "firmware", Type: schema.TypeComplex, SubAttributes: []*schema.Attribute{
				{Name: "version", Type: schema.TypeString},
				{Name: "released", Type: schema.TypeDateTime},
			}},
		},
	},
}

func TestMatchesNumbersAndArrays(t *testing.T) {
	docs := map[string]map[string]any{
		"small": decodeJSON(t, `{"serial": 42, "weight": 1.5, "tags": ["Red", null, "blue"], "blob": "QUJD", "firmware": {"version": "1.2"}}`),
		"large": decodeJSON(t, `{"serial": 1000, "weight": 2, "tags": []}`),
		"huge":  decodeJSON(t, `{"serial": 9007199254740993, "weight": 1e300}`),
	}

	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"integer gt", `serial gt 41`, []string{"huge", "large", "small"}},
		{"integer eq exponent literal", `serial eq 1e3`, []string{"large"}},
		{"integer lt exponent literal", `serial lt 1E3`, []string{"small"}},
		{"integer beyond float precision", `serial eq 9007199254740993`, []string{"huge"}},
		{"integer neighbor not equal", `serial eq 9007199254740992`, []string{}},
		{"decimal eq trailing zero", `weight eq 1.50`, []string{"small"}},
		{"decimal ge integer value", `weight ge 2.0`, []string{"huge", "large"}},
		{"decimal lt out of range", `weight lt 1e400`, []string{"huge", "large", "small"}},
		{"number quoted literal", `serial eq "42"`, []string{}},
		{"number co never matches", `serial co 4`, []string{}},
		{"multi-valued string any", `tags eq "RED"`, []string{"small"}},
		{"multi-valued string ne", `tags ne "red"`, []string{"huge", "large", "small"}},
		{"binary is case exact", `blob eq "qujd"`, []string{}},
		{"binary exact value", `blob eq "QUJD"`, []string{"small"}},
		{"complex without value eq", `firmware eq "1.2"`, []string{}},
		{"complex without value ne", `firmware ne "1.2"`, []string{"huge", "large", "small"}},
		{"complex pr", `firmware pr`, []string{"small"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustParse(t, tt.filter)
			if got := matchingNames(e, deviceType, docs); !slices.Equal(got, tt.want) {
				t.Errorf("filter %q matches %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestMatchesElement(t *testing.T) {
	emails := schema.User.Attr("emails")
	elem := decodeJSON(t, `{"value": "bjensen@example.com", "type": "work"}`)

	tests := []struct {
		name   string
		filter string
		want   bool
	}{
		{"sub-attribute eq", `type eq "work"`, true},
		{"sub-attribute ignores case", `type eq "WORK"`, true},
		{"sub-attribute co", `value co "@example"`, true},
		{"missing sub-attribute eq", `primary eq true`, false},
		{"not of missing sub-attribute", `not (primary eq true)`, true},
		{"dotted path never matches", `emails.type eq "work"`, false},
		{"URN path never matches", schema.UserURN + `:type eq "work"`, false},
		{"unknown sub-attribute", `foo eq "work"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustParse(t, tt.filter)
			if got := MatchesElement(e, emails, elem); got != tt.want {
				t.Errorf("MatchesElement(%q) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestMatchesNilArguments(t *testing.T) {
	e := mustParse(t, `userName pr`)
	doc := map[string]any{"userName": "bjensen"}
	t.Run("nil resource type", func(t *testing.T) {
		if Matches(e, nil, doc) {
			t.Error("Matches with a nil resource type returned true")
		}
	})
	t.Run("nil document", func(t *testing.T) {
		if Matches(e, schema.UserType, nil) {
			t.Error("Matches with a nil document returned true")
		}
	})
	t.Run("nil expression", func(t *testing.T) {
		if Matches(nil, schema.UserType, doc) {
			t.Error("Matches with a nil expression returned true")
		}
	})
	t.Run("nil element attribute", func(t *testing.T) {
		if MatchesElement(e, nil, doc) {
			t.Error("MatchesElement with a nil attribute returned true")
		}
	})
}

func TestParseTree(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Expr
	}{
		{"URN path with sub-attribute", enterprise + `:manager.value eq "x"`,
			&Compare{Path: AttrPath{URN: enterprise, Name: "manager", Sub: "value"}, Op: OpEq, Value: "x"}},
		{"operator in lower case", `userName EQ "x"`,
			&Compare{Path: AttrPath{Name: "userName"}, Op: OpEq, Value: "x"}},
		{"pr has nil value", `title PR`,
			&Compare{Path: AttrPath{Name: "title"}, Op: OpPr}},
		{"number literal", `x gt -1.5E+3`,
			&Compare{Path: AttrPath{Name: "x"}, Op: OpGt, Value: json.Number("-1.5E+3")}},
		{"null literal", `x eq NULL`,
			&Compare{Path: AttrPath{Name: "x"}, Op: OpEq, Value: nil}},
		{"and before or", `a pr or b pr and c pr`,
			&Logical{Op: OpOr,
				Left: &Compare{Path: AttrPath{Name: "a"}, Op: OpPr},
				Right: &Logical{Op: OpAnd,
					Left:  &Compare{Path: AttrPath{Name: "b"}, Op: OpPr},
					Right: &Compare{Path: AttrPath{Name: "c"}, Op: OpPr}}}},
		{"or chain nests left", `a pr or b pr or c pr`,
			&Logical{Op: OpOr,
				Left: &Logical{Op: OpOr,
					Left:  &Compare{Path: AttrPath{Name: "a"}, Op: OpPr},
					Right: &Compare{Path: AttrPath{Name: "b"}, Op: OpPr}},
				Right: &Compare{Path: AttrPath{Name: "c"}, Op: OpPr}}},
		{"Entra sub comparison joined", `emails[type eq "work"].value eq "x"`,
			&ValuePath{Path: AttrPath{Name: "emails"}, Filter: &Logical{Op: OpAnd,
				Left:  &Compare{Path: AttrPath{Name: "type"}, Op: OpEq, Value: "work"},
				Right: &Compare{Path: AttrPath{Name: "value"}, Op: OpEq, Value: "x"}}}},
		{"not with valuePath", `not (members[value eq "1"])`,
			&Not{X: &ValuePath{Path: AttrPath{Name: "members"},
				Filter: &Compare{Path: AttrPath{Name: "value"}, Op: OpEq, Value: "1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.input)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %s, want %s", tt.input, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		pos     int
		message string
	}{
		{"missing operator", `userName "bjensen"`, 9, `expected a comparison operator after "userName", found the string "bjensen"`},
		{"unknown operator", `userName eqq "x"`, 9, `expected a comparison operator after "userName", found "eqq"`},
		{"missing value", `userName eq`, 11, `expected a value after "eq"`},
		{"bare word after gt", `userName gt abc`, 12, `expected a value after "gt"`},
		{"keyword as bare value", `userName eq and title pr`, 12, `expected a value after "eq"`},
		{"invalid JSON number", `meta.created gt 01`, 16, `expected a value after "gt"`},
		{"value after pr", `title pr "x"`, 9, `expected "and", "or" or end of filter`},
		{"unterminated string", `userName eq "bjensen`, 12, "string literal has no closing quote"},
		{"invalid escape", `userName eq "a\qb"`, 14, `invalid escape sequence "\\q"`},
		{"escape at end", `userName eq "a\`, 14, "string literal ends inside an escape sequence"},
		{"short unicode escape", `userName eq "\u12"`, 13, "expected four hexadecimal digits"},
		{"lone low surrogate", `userName eq "\udc00"`, 13, "low surrogate"},
		{"unpaired high surrogate", `userName eq "\ud83dx"`, 13, "high surrogate"},
		{"unbalanced close parenthesis", `userName pr)`, 11, `unbalanced ")"`},
		{"missing close parenthesis", `(userName pr`, 12, `expected "and", "or" or ")", found end of filter`},
		{"not without parenthesis", `not userName pr`, 4, `expected "(" after "not"`},
		{"empty filter", ``, 0, "found end of filter"},
		{"blank filter", `   `, 3, "found end of filter"},
		{"leading and", `and userName pr`, 0, `expected an attribute path, "not" or "(", found "and"`},
		{"trailing and", `userName pr and`, 15, "found end of filter"},
		{"empty parentheses", `()`, 1, `found ")"`},
		{"name starts with digit", `1abc eq "x"`, 0, `invalid attribute name "1abc"`},
		{"invalid sub-attribute name", `name.1x eq "x"`, 5, `invalid attribute name "1x"`},
		{"two sub-attribute levels", `name.a.b eq "x"`, 5, `invalid attribute name "a.b"`},
		{"empty sub-attribute name", `name. eq "x"`, 5, "missing attribute name"},
		{"colon outside URN", `foo:bar pr`, 0, `invalid attribute name "foo:bar"`},
		{"URN without body", `urn::x pr`, 0, `invalid schema URN "urn:"`},
		{"URN without attribute", enterprise + `: pr`, len(enterprise) + 1, "missing attribute name"},
		{"nested valuePath", `emails[type[value eq "x"] pr]`, 11, "cannot contain another one"},
		{"URN inside brackets", `emails[urn:a:b:type eq "x"]`, 7, "must be a sub-attribute name"},
		{"dotted path inside brackets", `emails[type.x eq "x"]`, 7, "must be a sub-attribute name"},
		{"bracket after sub-attribute", `name.givenName[value pr]`, 14, `"[" cannot follow the sub-attribute path "name.givenName"`},
		{"unclosed bracket", `emails[type eq "work"`, 21, `expected "and", "or" or "]", found end of filter`},
		{"empty brackets", `emails[]`, 7, `found "]"`},
		{"sub comparison without operator", `emails[type eq "work"].value`, 28, `expected a comparison operator after "emails[...].value"`},
		{"space before sub-attribute", `emails[type eq "work"] .value eq "x"`, 23, `expected "and", "or" or end of filter, found ".value"`},
		{"invalid sub after bracket", `emails[type eq "work"].1x eq "x"`, 23, `invalid attribute name "1x"`},
		{"invalid UTF-8", "userName eq \"\xff\"", 13, "invalid UTF-8 byte"},
		{"longer than maximum", `userName eq "` + strings.Repeat("a", MaxLength) + `"`, MaxLength, "the maximum is 4096 bytes"},
		{"parentheses deeper than maximum", strings.Repeat("(", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1), MaxDepth, "nested deeper than the maximum of 50 levels"},
		{"not deeper than maximum", strings.Repeat("not (", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1), 5*MaxDepth + len("not "), "nested deeper"},
		{"bracket deeper than maximum", strings.Repeat("(", MaxDepth) + "emails[a pr]" + strings.Repeat(")", MaxDepth), MaxDepth + 6, "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.input)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.input, e)
			}
			scimErr := scimerr.As(err)
			if scimErr == nil {
				t.Fatalf("Parse(%q) error %v is not a *scimerr.Error", tt.input, err)
			}
			if scimErr.Status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", scimErr.Status)
			}
			if scimErr.Type != scimerr.InvalidFilter {
				t.Errorf("type = %q, want %q", scimErr.Type, scimerr.InvalidFilter)
			}
			prefix := "invalid filter at position " + strconv.Itoa(tt.pos) + ": "
			if !strings.HasPrefix(scimErr.Detail, prefix) {
				t.Errorf("detail = %q, want prefix %q", scimErr.Detail, prefix)
			}
			if !strings.Contains(scimErr.Detail, tt.message) {
				t.Errorf("detail = %q, want it to contain %q", scimErr.Detail, tt.message)
			}
		})
	}
}

func TestParseDepthLimits(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"parentheses at maximum", strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)},
		{"not at maximum", strings.Repeat("not (", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)},
		{"parenthesis after bracket free", strings.Repeat("(", MaxDepth-1) + "emails[(a pr)]" + strings.Repeat(")", MaxDepth-1)},
		{"long flat chain", strings.Repeat("a pr or ", (MaxLength-4)/8) + "a pr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.input); err != nil {
				t.Errorf("Parse failed: %v", err)
			}
		})
	}
}

func TestStringCanonical(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"keywords in lower case", `userName Eq "john" AND title PR`, `userName eq "john" and title pr`},
		{"redundant parentheses dropped", `((a pr)) and (b pr)`, `a pr and b pr`},
		{"or under and parenthesized", `(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
		{"right grouping kept", `a pr or (b pr or c pr)`, `a pr or (b pr or c pr)`},
		{"left chain unparenthesized", `(a pr or b pr) or c pr`, `a pr or b pr or c pr`},
		{"not spacing", `NOT(a pr)`, `not (a pr)`},
		{"Entra sub comparison", `emails[type eq "work"].value eq "x"`, `emails[type eq "work" and value eq "x"]`},
		{"Entra sub after or", `emails[type eq "work" or type eq "home"].value pr`, `emails[(type eq "work" or type eq "home") and value pr]`},
		{"bare word quoted", `externalId eq abc123`, `externalId eq "abc123"`},
		{"escapes normalized", `userName eq "a\u0001\"\\\/b\u00e9"`, `userName eq "a\u0001\"\\/bé"`},
		{"literal keywords lower case", `active eq TRUE or x eq Null`, `active eq true or x eq null`},
		{"number text kept", `x gt -1.5E+3`, `x gt -1.5E+3`},
		{"URN path kept", enterprise + `:manager.value pr`, enterprise + `:manager.value pr`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.input).String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

// checkRoundTrip fails the test unless e.String() parses back to an equal
// tree that prints the same text.
func checkRoundTrip(t *testing.T, e Expr) {
	t.Helper()
	text := e.String()
	again, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q) of the canonical text failed: %v", text, err)
	}
	if !reflect.DeepEqual(e, again) {
		t.Errorf("canonical text %q parses to a different tree %s", text, again)
	}
	if again.String() != text {
		t.Errorf("canonical text %q prints as %q on the second round", text, again.String())
	}
}

func TestRoundTrip(t *testing.T) {
	type testCase struct {
		name  string
		input string
	}
	tests := []testCase{
		{"Entra form with grouping", `emails[type eq "work" or type eq "home"].value eq "x" and not (a pr or (b pr or c pr))`},
		{"escapes and raw characters", `userName eq "tab\there \"quoted\" \u2028 \ud83d\ude00"`},
		{"URN and dollar paths", enterprise + `:manager eq "x" or groups.$ref pr`},
		{"literals and name characters", `a-b_c$ eq 0 and x le -0.5e-10 and y eq false and z ne null`},
		{"Entra form at maximum depth", `emails[x pr or ` + strings.Repeat("not (", MaxDepth-1) + "y pr" + strings.Repeat(")", MaxDepth-1) + `].value eq "v"`},
	}
	for i, input := range rfcExamples {
		tests = append(tests, testCase{"RFC example " + strconv.Itoa(i), input})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRoundTrip(t, mustParse(t, tt.input))
		})
	}
}

func TestValidate(t *testing.T) {
	manager := enterprise + ":manager"
	tests := []struct {
		name    string
		rt      *schema.ResourceType
		filter  string
		wantErr bool
	}{
		{"gt on boolean", schema.UserType, `active gt true`, true},
		{"le on boolean sub-attribute", schema.UserType, `emails.primary le true`, true},
		{"co on boolean", schema.UserType, `active co "t"`, true},
		{"eq on boolean", schema.UserType, `active eq "yes"`, false},
		{"gt on complex attribute", schema.UserType, `emails gt "a"`, true},
		{"gt on extension complex", schema.UserType, manager + ` gt "a"`, true},
		{"co on complex with value", schema.UserType, `emails co "example.com"`, false},
		{"co on extension complex", schema.UserType, manager + ` sw "2611"`, false},
		{"co on complex without value", schema.UserType, `name co "x"`, true},
		{"gt on sub-attribute", schema.UserType, `emails.value gt "a"`, false},
		{"gt on dateTime", schema.UserType, `meta.created gt "2011-05-13T04:42:34Z"`, false},
		{"sw on dateTime", schema.UserType, `meta.created sw "2011"`, true},
		{"gt on binary", schema.UserType, `x509Certificates.value gt "a"`, true},
		{"co on reference", schema.UserType, `profileUrl co "example"`, false},
		{"pr on complex", schema.UserType, `name pr`, false},
		{"gt inside valuePath", schema.UserType, `emails[primary gt true]`, true},
		{"co inside valuePath", schema.UserType, `emails[type co "w"]`, false},
		{"error under not", schema.UserType, `userName pr and not (active lt false)`, true},
		{"unknown attribute accepted", schema.UserType, `unknownAttribute gt true`, false},
		{"unknown valuePath accepted", schema.UserType, `things[x gt true]`, false},
		{"co on integer", deviceType, `serial co "4"`, true},
		{"gt on integer", deviceType, `serial gt 4`, false},
		{"co on multi-valued string", deviceType, `tags co "re"`, false},
		{"co on complex without value", deviceType, `firmware co "1"`, true},
		{"ge on decimal", deviceType, `weight ge 1`, false},
		{"co on binary", deviceType, `blob co "Q"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(mustParse(t, tt.filter), tt.rt)
			if !tt.wantErr {
				if err != nil {
					t.Errorf("Validate(%q) failed: %v", tt.filter, err)
				}
				return
			}
			scimErr := scimerr.As(err)
			if scimErr == nil {
				t.Fatalf("Validate(%q) = %v, want a *scimerr.Error", tt.filter, err)
			}
			if scimErr.Status != http.StatusBadRequest {
				t.Errorf("Validate(%q) status = %d, want 400", tt.filter, scimErr.Status)
			}
			if scimErr.Type != scimerr.InvalidFilter {
				t.Errorf("Validate(%q) type = %q, want %q", tt.filter, scimErr.Type, scimerr.InvalidFilter)
			}
		})
	}
}

func TestValidateHandBuiltTrees(t *testing.T) {
	tests := []struct {
		name string
		expr Expr
	}{
		{"nil expression", nil},
		{"nil compare pointer", (*Compare)(nil)},
		{"unknown comparison operator", &Compare{Path: AttrPath{Name: "userName"}, Op: "like", Value: "x"}},
		{"unknown logical operator", &Logical{Op: "xor", Left: &Compare{Path: AttrPath{Name: "a"}, Op: OpPr}, Right: &Compare{Path: AttrPath{Name: "b"}, Op: OpPr}}},
		{"nil operand", &Logical{Op: OpAnd, Left: &Compare{Path: AttrPath{Name: "a"}, Op: OpPr}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.expr, schema.UserType)
			if scimerr.As(err) == nil {
				t.Errorf("Validate = %v, want a *scimerr.Error", err)
			}
			if Matches(tt.expr, schema.UserType, map[string]any{"userName": "x"}) {
				t.Error("Matches returned true for an invalid tree")
			}
		})
	}
}
