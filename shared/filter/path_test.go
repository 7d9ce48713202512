package filter

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  Path
	}{
		{"simple attribute", `userName`, Path{Attr: AttrPath{Name: "userName"}}},
		{"sub-attribute", `name.familyName`, Path{Attr: AttrPath{Name: "name", Sub: "familyName"}}},
		{"extension attribute", enterprise + `:manager`,
			Path{Attr: AttrPath{URN: enterprise, Name: "manager"}}},
		{"extension sub-attribute", enterprise + `:manager.value`,
			Path{Attr: AttrPath{URN: enterprise, Name: "manager", Sub: "value"}}},
		{"extension URN alone", enterprise,
			Path{Attr: AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User"}}},
		{"members value filter", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
			Path{Attr: AttrPath{Name: "members"},
				Filter: &Compare{Path: AttrPath{Name: "value"}, Op: OpEq, Value: "2819c223-7f76-453a-919d-413861904646"}}},
		{"value filter and sub-attribute", `emails[type eq "work"].value`,
			Path{Attr: AttrPath{Name: "emails"},
				Filter:  &Compare{Path: AttrPath{Name: "type"}, Op: OpEq, Value: "work"},
				SubAttr: "value"}},
		{"logical filter in brackets", `addresses[type eq "work" and primary eq true].streetAddress`,
			Path{Attr: AttrPath{Name: "addresses"},
				Filter: &Logical{Op: OpAnd,
					Left:  &Compare{Path: AttrPath{Name: "type"}, Op: OpEq, Value: "work"},
					Right: &Compare{Path: AttrPath{Name: "primary"}, Op: OpEq, Value: true}},
				SubAttr: "streetAddress"}},
		{"keywords in upper case", `EMAILS[TYPE EQ "work" OR NOT (PRIMARY PR)]`,
			Path{Attr: AttrPath{Name: "EMAILS"},
				Filter: &Logical{Op: OpOr,
					Left:  &Compare{Path: AttrPath{Name: "TYPE"}, Op: OpEq, Value: "work"},
					Right: &Not{X: &Compare{Path: AttrPath{Name: "PRIMARY"}, Op: OpPr}}}}},
		{"attribute named not", `not`, Path{Attr: AttrPath{Name: "not"}}},
		{"dollar ref sub-attribute", `groups.$ref`, Path{Attr: AttrPath{Name: "groups", Sub: "$ref"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.input)
			if err != nil {
				t.Fatalf("ParsePath(%q) failed: %v", tt.input, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParsePath(%q) = %#v, want %#v", tt.input, got, tt.want)
			}

			again, err := ParsePath(got.String())
			if err != nil {
				t.Fatalf("ParsePath(%q) of the printed path failed: %v", got.String(), err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("printed path %q parses to %#v, want %#v", got.String(), again, got)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		pos     int
		message string
	}{
		{"empty path", ``, 0, "expected an attribute path, found end of path"},
		{"quoted attribute", `"userName"`, 0, `expected an attribute path, found the string "userName"`},
		{"invalid attribute name", `1abc`, 0, `invalid attribute name "1abc"`},
		{"two sub-attribute levels", `name.familyName.x`, 5, `invalid attribute name "familyName.x"`},
		{"comparison instead of path", `userName eq "x"`, 9, `expected "[" or end of path, found "eq"`},
		{"unclosed bracket", `emails[type eq "work"`, 21, `expected "and", "or" or "]", found end of path`},
		{"empty brackets", `emails[]`, 7, `found "]"`},
		{"dot without sub-attribute", `emails[type eq "work"].`, 23, "missing attribute name"},
		{"sub-attribute without dot", `emails[type eq "work"]value`, 22, `expected "." and a sub-attribute name directly after "]"`},
		{"space before sub-attribute", `emails[type eq "work"] .value`, 23, `expected "." and a sub-attribute name directly after "]"`},
		{"filter after sub-attribute", `emails[type eq "work"].value[x pr]`, 28, `found "["`},
		{"bracket after sub-attribute", `emails.value[type eq "work"]`, 12, `"[" cannot follow the sub-attribute path "emails.value"`},
		{"nested value filter", `emails[type[x pr] pr]`, 11, "cannot contain another one"},
		{"invalid filter literal", `emails[type eq "\x"]`, 16, "invalid escape sequence"},
		{"missing filter value", `emails[type eq]`, 14, `expected a value after "eq"`},
		{"longer than maximum", strings.Repeat("a", MaxLength+1), MaxLength, "the path is 4097 bytes long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := ParsePath(tt.input)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %s, want an error", tt.input, path)
			}
			scimErr := scimerr.As(err)
			if scimErr == nil {
				t.Fatalf("ParsePath(%q) error %v is not a *scimerr.Error", tt.input, err)
			}
			if scimErr.Status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", scimErr.Status)
			}
			if scimErr.Type != scimerr.InvalidPath {
				t.Errorf("type = %q, want %q", scimErr.Type, scimerr.InvalidPath)
			}
			prefix := "invalid path at position " + strconv.Itoa(tt.pos) + ": "
			if !strings.HasPrefix(scimErr.Detail, prefix) {
				t.Errorf("detail = %q, want prefix %q", scimErr.Detail, prefix)
			}
			if !strings.Contains(scimErr.Detail, tt.message) {
				t.Errorf("detail = %q, want it to contain %q", scimErr.Detail, tt.message)
			}
		})
	}
}

// TestPathFilterSelectsElements checks the way a PATCH handler uses a path:
// ParsePath, then MatchesElement on each element of the attribute.
func TestPathFilterSelectsElements(t *testing.T) {
	doc := decodeJSON(t, testUsers["bjensen"])
	emails := schema.User.Attr("emails")

	tests := []struct {
		name string
		path string
		want []string
	}{
		{"work email selected", `emails[type eq "work"].value`, []string{"bjensen@example.com"}},
		{"type in any case", `emails[type eq "HOME"]`, []string{"babs@jensen.org"}},
		{"or selects both", `emails[type eq "work" or value ew ".org"]`, []string{"bjensen@example.com", "babs@jensen.org"}},
		{"no element selected", `emails[type eq "other"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := ParsePath(tt.path)
			if err != nil {
				t.Fatalf("ParsePath(%q) failed: %v", tt.path, err)
			}
			var got []string
			for _, elem := range doc["emails"].([]any) {
				m := elem.(map[string]any)
				if MatchesElement(path.Filter, emails, m) {
					got = append(got, m["value"].(string))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("path %q selects %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}
