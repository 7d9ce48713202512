package filter

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// FuzzParse checks that Parse never panics, that it rejects input only with
// a 400 invalidFilter error, and that the canonical text of an accepted
// filter parses back to the same tree. It also runs Matches and Validate on
// each accepted filter so that they are checked for panics too.
func FuzzParse(f *testing.F) {
	for _, input := range rfcExamples {
		f.Add(input)
	}
	doc := decodeJSON(f, testUsers["bjensen"])

	f.Fuzz(func(t *testing.T, input string) {
		e, err := Parse(input)
		if err != nil {
			checkFuzzError(t, err, scimerr.InvalidFilter)
			return
		}
		_ = Matches(e, schema.UserType, doc)
		_ = Validate(e, schema.UserType)

		text := e.String()
		again, err := Parse(text)
		if err != nil {
			// The canonical text can outgrow the length limit, which the
			// String documentation allows.
			if len(text) > MaxLength {
				return
			}
			t.Fatalf("Parse(%q) accepted, but its canonical text %q failed: %v", input, text, err)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("Parse(%q) = %s, but its canonical text parses to %s", input, text, again)
		}
		if again.String() != text {
			t.Fatalf("canonical text %q prints as %q on the second round", text, again.String())
		}
	})
}

// FuzzParsePath checks ParsePath as FuzzParse checks Parse.
func FuzzParsePath(f *testing.F) {
	for _, input := range []string{
		`userName`,
		`name.familyName`,
		`emails[type eq "work"].value`,
		`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		enterprise + `:manager.value`,
	} {
		f.Add(input)
	}

	f.Fuzz(func(t *testing.T, input string) {
		path, err := ParsePath(input)
		if err != nil {
			checkFuzzError(t, err, scimerr.InvalidPath)
			return
		}
		if path.Filter != nil {
			_ = MatchesElement(path.Filter, schema.User.Attr("emails"), map[string]any{"type": "work"})
		}

		text := path.String()
		again, err := ParsePath(text)
		if err != nil {
			if len(text) > MaxLength {
				return
			}
			t.Fatalf("ParsePath(%q) accepted, but its printed form %q failed: %v", input, text, err)
		}
		if !reflect.DeepEqual(path, again) {
			t.Fatalf("ParsePath(%q) = %s, but its printed form parses to %s", input, text, again)
		}
	})
}

func checkFuzzError(t *testing.T, err error, wantType string) {
	t.Helper()
	scimErr := scimerr.As(err)
	if scimErr == nil {
		t.Fatalf("error %v is not a *scimerr.Error", err)
	}
	if scimErr.Status != http.StatusBadRequest {
		t.Fatalf("error %v has status %d, want 400", scimErr, scimErr.Status)
	}
	if scimErr.Type != wantType {
		t.Fatalf("error %v has type %q, want %q", scimErr, scimErr.Type, wantType)
	}
}
