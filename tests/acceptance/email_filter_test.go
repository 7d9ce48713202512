package acceptance

import (
	"net/http"
	"strings"
	"testing"
)

func TestEmailFilters(t *testing.T) {
	guid := newGUID(t)
	work := "work_" + guid + "@example.com"
	home := "home_" + guid + "@example.com"
	r := call(t, http.MethodPost, "/Users", map[string]any{
		"schemas":  []any{userURN},
		"userName": "email_" + guid,
		"emails": []any{
			map[string]any{"value": work, "type": "work", "primary": true},
			map[string]any{"value": home, "type": "home"},
		},
	})
	expectStatus(t, r, http.StatusCreated)
	id, _ := r.JSON["id"].(string)

	count := func(t *testing.T, expr string) float64 {
		t.Helper()
		found := call(t, http.MethodGet, "/Users"+filterQuery(expr), nil)
		expectStatus(t, found, http.StatusOK)
		total, _ := found.JSON["totalResults"].(float64)
		return total
	}
	cases := []struct {
		name string
		expr string
		want float64
	}{
		{"work email as Entra sends it", `emails[type eq "work"].value eq "` + strings.ToUpper(work) + `"`, 1},
		{"home email with work type", `emails[type eq "work"].value eq "` + home + `"`, 0},
		{"any email value", `emails.value eq "` + home + `"`, 1},
		{"value filter with and", `emails[value eq "` + work + `" and primary eq true]`, 1},
		{"unknown email", `emails[type eq "work"].value eq "nobody_` + guid + `@example.com"`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := count(t, tc.expr); got != tc.want {
				t.Errorf("filter %s: totalResults = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}

	t.Run("changed email leaves the index", func(t *testing.T) {
		moved := "moved_" + guid + "@example.com"
		patched := call(t, http.MethodPatch, "/Users/"+id, patchOp(
			map[string]any{"op": "replace", "path": `emails[type eq "work"].value`, "value": moved},
		))
		expectStatus(t, patched, http.StatusOK)
		if got := count(t, `emails[type eq "work"].value eq "`+work+`"`); got != 0 {
			t.Errorf("the old work email still matches: totalResults = %v", got)
		}
		if got := count(t, `emails[type eq "work"].value eq "`+moved+`"`); got != 1 {
			t.Errorf("the new work email does not match: totalResults = %v", got)
		}
	})
}
