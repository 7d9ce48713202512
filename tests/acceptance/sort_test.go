package acceptance

import (
	"fmt"
	"net/http"
	"testing"
)

func TestSortedListing(t *testing.T) {
	guid := newGUID(t)
	// Created in an order that differs from every sort order below.
	users := []struct {
		suffix      string
		displayName any
		email       string
	}{
		{"c", "charlie", "b@example.com"},
		{"a", "Alpha", "c@example.com"},
		{"d", nil, "a@example.com"},
		{"b", "bravo", ""},
	}
	ids := map[string]string{}
	for i, u := range users {
		body := map[string]any{"schemas": []any{userURN}, "userName": "sort_" + u.suffix + "_" + guid}
		if u.displayName != nil {
			body["displayName"] = u.displayName
		}
		if u.email != "" {
			body["emails"] = []any{
				// The first value sorts in another order than the primary
				// one, so a sort that ignores primary shows.
				map[string]any{"value": fmt.Sprintf("home-%c@example.com", 'z'-i), "type": "home"},
				map[string]any{"value": u.email, "type": "work", "primary": true},
			}
		}
		r := call(t, http.MethodPost, "/Users", body)
		expectStatus(t, r, http.StatusCreated)
		ids[u.suffix], _ = r.JSON["id"].(string)
	}
	only := filterQuery(`userName ew "` + guid + `"`)

	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"userName ascending", "&sortBy=userName", []string{"a", "b", "c", "d"}},
		{"userName descending", "&sortBy=userName&sortOrder=descending", []string{"d", "c", "b", "a"}},
		{"displayName ignores case", "&sortBy=displayName", []string{"a", "b", "c", "d"}},
		{"missing value first descending", "&sortBy=displayName&sortOrder=descending", []string{"d", "c", "b", "a"}},
		{"emails by primary value", "&sortBy=emails", []string{"d", "c", "a", "b"}},
		{"page of sorted results", "&sortBy=userName&startIndex=2&count=2", []string{"b", "c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/Users"+only+tc.query, nil)
			expectStatus(t, r, http.StatusOK)
			var got []string
			for i := range len(tc.want) {
				got = append(got, fmt.Sprint(field(r.JSON, "Resources", i, "id")))
			}
			for i, suffix := range tc.want {
				if got[i] != ids[suffix] {
					t.Fatalf("position %d holds %s, want user %q (%s); ids %v", i+1, got[i], suffix, ids[suffix], ids)
				}
			}
			if r.JSON["totalResults"] != float64(4) {
				t.Errorf("totalResults = %v, want 4", r.JSON["totalResults"])
			}
		})
	}

	t.Run("search body sorts too", func(t *testing.T) {
		r := call(t, http.MethodPost, "/Users/.search", map[string]any{
			"schemas":   []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
			"filter":    `userName ew "` + guid + `"`,
			"sortBy":    "userName",
			"sortOrder": "descending",
			"count":     1,
		})
		expectStatus(t, r, http.StatusOK)
		if field(r.JSON, "Resources", 0, "id") != ids["d"] {
			t.Errorf("first result = %v, want user d", field(r.JSON, "Resources", 0, "id"))
		}
	})

	for name, query := range map[string]string{
		"unknown sortBy":    "&sortBy=shoeSize",
		"complex sortBy":    "&sortBy=name",
		"invalid sortOrder": "&sortBy=userName&sortOrder=sideways",
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, http.MethodGet, "/Users"+only+query, nil)
			expectError(t, r, http.StatusBadRequest, "invalidValue")
		})
	}
}
