package resource_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/scimfaas/scimfaas/shared/resource"
)

// walk follows nextCursor from the first page to the last and returns the
// userNames in page order, checking totalResults on every page.
func walk(t *testing.T, svc *resource.Service, q resource.Query, total int) ([]string, []resource.Page) {
	t.Helper()
	ctx := testContext(t)
	q.Cursored, q.Cursor = true, ""
	var names []string
	var pages []resource.Page
	for range 50 {
		page, err := svc.List(ctx, q)
		if err != nil {
			t.Fatalf("page after cursor %q: %v", q.Cursor, err)
		}
		if page.TotalResults != total {
			t.Errorf("totalResults = %d, want %d", page.TotalResults, total)
		}
		pages = append(pages, page)
		names = append(names, userNames(page)...)
		if page.NextCursor == "" {
			return names, pages
		}
		q.Cursor = page.NextCursor
	}
	t.Fatal("more than 50 pages")
	return nil, nil
}

func TestCursorPaging(t *testing.T) {
	svc := newService(t)
	svc.Now = steppingClock()
	ctx := testContext(t)

	// Users u01 to u25 in creation order; multiples of 3 have an "x" in
	// displayName, even ones share externalId "even".
	var all, xs, evens []string
	for i := 1; i <= 25; i++ {
		name := fmt.Sprintf("u%02d@example.com", i)
		extra := map[string]any{"externalId": "odd", "displayName": fmt.Sprintf("User %d", i)}
		if i%2 == 0 {
			extra["externalId"] = "even"
			evens = append(evens, name)
		}
		if i%3 == 0 {
			extra["displayName"] = fmt.Sprintf("Xavier %d", i)
			xs = append(xs, name)
		}
		create(t, ctx, svc, name, extra)
		all = append(all, name)
	}
	descending := slices.Clone(all)
	slices.Reverse(descending)

	for _, tt := range []struct {
		name  string
		query resource.Query
		want  []string
	}{
		{"creation order", resource.Query{Count: 10}, all},
		{"scan filter", resource.Query{Filter: `displayName co "x"`, Count: 3}, xs},
		{"indexed filter", resource.Query{Filter: `externalId eq "even"`, Count: 5}, evens},
		{"sorted", resource.Query{SortBy: "userName", SortOrder: "descending", Count: 7}, descending},
		{"sorted and filtered", resource.Query{Filter: `externalId eq "even"`, SortBy: "userName", Count: 4}, evens},
	} {
		t.Run(tt.name, func(t *testing.T) {
			names, pages := walk(t, svc, tt.query, len(tt.want))
			if !slices.Equal(names, tt.want) {
				t.Fatalf("pages = %v, want %v", names, tt.want)
			}
			if pages[0].PreviousCursor != "" {
				t.Errorf("the first page has a previousCursor")
			}
			// previousCursor of every later page leads back to the page
			// before it.
			for i := 1; i < len(pages); i++ {
				q := tt.query
				q.Cursored, q.Cursor = true, pages[i].PreviousCursor
				back, err := svc.List(ctx, q)
				if err != nil {
					t.Fatalf("previous of page %d: %v", i+1, err)
				}
				if !slices.Equal(userNames(back), userNames(pages[i-1])) {
					t.Errorf("previous of page %d = %v, want %v", i+1, userNames(back), userNames(pages[i-1]))
				}
			}
		})
	}

	t.Run("stable while the directory changes", func(t *testing.T) {
		first, err := svc.List(ctx, resource.Query{Cursored: true, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		// A user on the first page is deleted and a new one created; with
		// index paging the next page would skip u11.
		if err := svc.Delete(ctx, first.Resources[0].ID, resource.Conditions{}); err != nil {
			t.Fatal(err)
		}
		create(t, ctx, svc, "u26@example.com", nil)
		second, err := svc.List(ctx, resource.Query{Cursored: true, Cursor: first.NextCursor, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := userNames(second); !slices.Equal(got, all[10:20]) {
			t.Errorf("second page = %v, want %v", got, all[10:20])
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := svc.List(ctx, resource.Query{Cursored: true, Cursor: "not*base64", Count: 10})
		checkSCIMError(t, err, http.StatusBadRequest, "invalidCursor")
		_, err = svc.List(ctx, resource.Query{Cursored: true, Cursor: "e30", Count: 10})
		checkSCIMError(t, err, http.StatusBadRequest, "invalidCursor")

		page, err := svc.List(ctx, resource.Query{Cursored: true, Count: 2, Filter: `displayName co "x"`})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.List(ctx, resource.Query{Cursored: true, Cursor: page.NextCursor, Count: 2, Filter: `displayName co "y"`})
		checkSCIMError(t, err, http.StatusBadRequest, "invalidCursor")

		_, err = svc.List(ctx, resource.Query{Cursored: true, Count: 0})
		checkSCIMError(t, err, http.StatusBadRequest, "invalidCount")
	})
}

// TestCursorPagingWithTiesAndMissingValues walks cursor pages sorted by an
// attribute that many users share or lack, and compares them with one
// index-paged list of the same query.
func TestCursorPagingWithTiesAndMissingValues(t *testing.T) {
	svc := newService(t)
	svc.Now = steppingClock()
	ctx := testContext(t)
	for i := 1; i <= 17; i++ {
		extra := map[string]any{}
		switch i % 4 {
		case 1:
			extra["title"] = "Guide"
		case 2:
			extra["title"] = "guide"
		case 3:
			extra["title"] = fmt.Sprintf("Title %d", i%3)
		}
		if i%5 == 0 {
			extra["active"] = true
		}
		create(t, ctx, svc, fmt.Sprintf("tie%02d@example.com", i), extra)
	}

	for _, q := range []resource.Query{
		{SortBy: "title", Count: 2},
		{SortBy: "title", SortOrder: "descending", Count: 3},
		{SortBy: "active", Count: 4},
		{SortBy: "meta.created", SortOrder: "descending", Count: 5},
		{Filter: `userName sw "tie"`, SortBy: "title", Count: 2},
		{Filter: `title eq "guide" or active eq true`, SortBy: "title", SortOrder: "descending", Count: 2},
	} {
		full, err := svc.List(ctx, resource.Query{Filter: q.Filter, SortBy: q.SortBy, SortOrder: q.SortOrder, StartIndex: 1, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		want := userNames(full)
		got, pages := walk(t, svc, q, len(want))
		if !slices.Equal(got, want) {
			t.Errorf("%+v: cursor pages = %v, want %v", q, got, want)
		}
		for i := 1; i < len(pages); i++ {
			back := q
			back.Cursored, back.Cursor = true, pages[i].PreviousCursor
			page, err := svc.List(ctx, back)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(userNames(page), userNames(pages[i-1])) {
				t.Errorf("%+v: previous of page %d = %v, want %v", q, i+1, userNames(page), userNames(pages[i-1]))
			}
		}
	}
}

// TestCursorPagingSortedByMetaTies sorts by meta attributes that many users
// share: users that join one group get the same lastModified, and every
// user has the same resourceType.
func TestCursorPagingSortedByMetaTies(t *testing.T) {
	ctx := testContext(t)
	users := newService(t)
	users.Now = steppingClock()
	groups := newGroupService(users)
	groups.Now = users.Now
	var members []any
	var want []string
	for i := 1; i <= 5; i++ {
		name := fmt.Sprintf("meta%d@example.com", i)
		members = append(members, map[string]any{"value": create(t, ctx, users, name, nil).ID})
		want = append(want, name)
	}
	if _, err := groups.Create(ctx, []byte(fmt.Sprintf(`{"displayName":"All","members":%s}`, mustJSON(t, members)))); err != nil {
		t.Fatal(err)
	}
	for _, sortBy := range []string{"meta.lastModified", "meta.resourceType"} {
		got, _ := walk(t, users, resource.Query{SortBy: sortBy, Count: 2}, len(want))
		if !slices.Equal(got, want) {
			t.Errorf("sortBy=%s: cursor pages = %v, want %v in creation order", sortBy, got, want)
		}
	}
}
