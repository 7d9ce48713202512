package acceptance

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestCursorPagingOverHTTP pages with RFC 9865 cursors through GET and
// POST /.search, and checks what ServiceProviderConfig advertises.
func TestCursorPagingOverHTTP(t *testing.T) {
	guid := newGUID(t)
	for i := range 5 {
		createUser(t, fmt.Sprintf("cursor%d-%s", i, guid))
	}
	filter := url.QueryEscape(`userName sw "cursor" and userName ew "` + guid + `"`)

	var names []string
	r := call(t, http.MethodGet, "/Users?filter="+filter+"&cursor&count=2", nil)
	for pages := 0; ; pages++ {
		expectStatus(t, r, http.StatusOK)
		if _, ok := r.JSON["startIndex"]; ok {
			t.Errorf("a cursor page has startIndex: %s", r.Raw)
		}
		if r.JSON["totalResults"] != float64(5) {
			t.Errorf("totalResults = %v, want 5", r.JSON["totalResults"])
		}
		resources, _ := r.JSON["Resources"].([]any)
		for _, item := range resources {
			names = append(names, fmt.Sprint(field(item, "userName")))
		}
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" || pages > 5 {
			break
		}
		if pages%2 == 0 {
			r = call(t, http.MethodGet, "/Users?filter="+filter+"&cursor="+url.QueryEscape(next)+"&count=2", nil)
			continue
		}
		r = call(t, http.MethodPost, "/Users/.search", map[string]any{
			"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
			"filter":  `userName sw "cursor" and userName ew "` + guid + `"`,
			"cursor":  next,
			"count":   2,
		})
	}
	if len(names) != 5 {
		t.Errorf("cursor pages listed %v, want the 5 users once each", names)
	}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			t.Errorf("%s listed twice", name)
		}
		seen[name] = true
	}

	expectError(t, call(t, http.MethodGet, "/Users?cursor=bogus&count=2", nil), http.StatusBadRequest, "invalidCursor")
	expectError(t, call(t, http.MethodGet, "/Users?cursor&startIndex=3", nil), http.StatusBadRequest, "invalidValue")
	expectError(t, call(t, http.MethodGet, "/Users?cursor&count=0", nil), http.StatusBadRequest, "invalidCount")

	spc := call(t, http.MethodGet, "/ServiceProviderConfig", nil)
	if field(spc.JSON, "pagination", "cursor") != true || field(spc.JSON, "pagination", "index") != true ||
		field(spc.JSON, "pagination", "defaultPaginationMethod") != "index" {
		t.Errorf("pagination = %v, want cursor and index, index by default", spc.JSON["pagination"])
	}
}
