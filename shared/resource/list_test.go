package resource_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// userNames returns the userName of each resource of a page, in order.
func userNames(page resource.Page) []string {
	names := make([]string, 0, len(page.Resources))
	for _, r := range page.Resources {
		name, _ := r.Doc["userName"].(string)
		names = append(names, name)
	}
	return names
}

// steppingClock returns a clock for Service.Now that moves one second ahead
// on every call, so that each resource gets its own meta.created.
func steppingClock() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func TestList(t *testing.T) {
	svc := newService(t)
	svc.Now = steppingClock()
	ctx := testContext(t)

	// Users u01 to u12 in creation order. Even numbers share the externalId
	// "even", and users 3, 6 and 9 have an "x" in their displayName.
	var all []string
	for i := 1; i <= 12; i++ {
		name := fmt.Sprintf("u%02d@example.com", i)
		extra := map[string]any{"externalId": "odd", "displayName": fmt.Sprintf("User %d", i)}
		if i%2 == 0 {
			extra["externalId"] = "even"
		}
		if i%3 == 0 {
			extra["displayName"] = fmt.Sprintf("Xavier %d", i)
		}
		create(t, ctx, svc, name, extra)
		all = append(all, name)
	}

	tests := []struct {
		name      string
		query     resource.Query
		wantTotal int
		wantNames []string
	}{
		{"no filter whole list", resource.Query{StartIndex: 1, Count: -1}, 12, all},
		{"no filter first page", resource.Query{StartIndex: 1, Count: 5}, 12, all[0:5]},
		{"no filter middle page", resource.Query{StartIndex: 6, Count: 5}, 12, all[5:10]},
		{"no filter last page", resource.Query{StartIndex: 11, Count: 5}, 12, all[10:12]},
		{"no filter past end", resource.Query{StartIndex: 20, Count: 5}, 12, []string{}},
		{"no filter count zero", resource.Query{StartIndex: 1, Count: 0}, 12, []string{}},
		{"start below one", resource.Query{StartIndex: 0, Count: 2}, 12, all[0:2]},

		{"userName found by index", resource.Query{Filter: `userName eq "u05@example.com"`, StartIndex: 1, Count: -1}, 1, []string{"u05@example.com"}},
		{"userName any case", resource.Query{Filter: `userName eq "U05@EXAMPLE.com"`, StartIndex: 1, Count: -1}, 1, []string{"u05@example.com"}},
		{"userName no match", resource.Query{Filter: `userName eq "nobody@example.com"`, StartIndex: 1, Count: -1}, 0, []string{}},
		{"externalId found by index", resource.Query{Filter: `externalId eq "even"`, StartIndex: 1, Count: -1}, 6,
			[]string{all[1], all[3], all[5], all[7], all[9], all[11]}},
		{"externalId case exact", resource.Query{Filter: `externalId eq "EVEN"`, StartIndex: 1, Count: -1}, 0, []string{}},
		{"externalId index paged", resource.Query{Filter: `externalId eq "even"`, StartIndex: 3, Count: 2}, 6,
			[]string{all[5], all[7]}},
		{"index and scan part", resource.Query{Filter: `externalId eq "even" and displayName co "x"`, StartIndex: 1, Count: -1}, 2,
			[]string{all[5], all[11]}},
		{"or of two lookups", resource.Query{Filter: `userName eq "u01@example.com" or userName eq "u03@example.com"`, StartIndex: 1, Count: -1}, 2,
			[]string{all[0], all[2]}},
		{"or matching same user", resource.Query{Filter: `userName eq "u02@example.com" or externalId eq "even"`, StartIndex: 1, Count: -1}, 6,
			[]string{all[1], all[3], all[5], all[7], all[9], all[11]}},

		{"contains filter scans store", resource.Query{Filter: `displayName co "x"`, StartIndex: 1, Count: -1}, 4,
			[]string{all[2], all[5], all[8], all[11]}},
		{"scan filter paged", resource.Query{Filter: `displayName co "x"`, StartIndex: 2, Count: 2}, 4,
			[]string{all[5], all[8]}},
		{"scan filter count zero", resource.Query{Filter: `displayName co "x"`, StartIndex: 1, Count: 0}, 4, []string{}},
		{"scan no match", resource.Query{Filter: `displayName eq "Nobody"`, StartIndex: 1, Count: -1}, 0, []string{}},

		{"unknown attribute matches nothing", resource.Query{Filter: `unknownAttribute eq "x"`, StartIndex: 1, Count: -1}, 0, []string{}},
		{"unknown attribute present", resource.Query{Filter: `unknownAttribute pr`, StartIndex: 1, Count: -1}, 0, []string{}},
		{"id lookup unknown", resource.Query{Filter: `id eq "no-such-id"`, StartIndex: 1, Count: -1}, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := svc.List(ctx, tt.query)
			if err != nil {
				t.Fatalf("List(%+v) failed: %v", tt.query, err)
			}
			if page.TotalResults != tt.wantTotal {
				t.Errorf("totalResults = %d, want %d", page.TotalResults, tt.wantTotal)
			}
			if got := userNames(page); !slices.Equal(got, tt.wantNames) {
				t.Errorf("userNames = %v, want %v", got, tt.wantNames)
			}
			if want := max(tt.query.StartIndex, 1); page.StartIndex != want {
				t.Errorf("startIndex = %d, want %d", page.StartIndex, want)
			}
		})
	}
}

func TestListByID(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	user := create(t, ctx, svc, "byid@example.com", nil)
	create(t, ctx, svc, "other@example.com", nil)

	page, err := svc.List(ctx, resource.Query{Filter: fmt.Sprintf("id eq %q", user.ID), StartIndex: 1, Count: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := userNames(page); !slices.Equal(got, []string{"byid@example.com"}) {
		t.Errorf("userNames = %v, want [byid@example.com]", got)
	}
}

func TestListCapsCount(t *testing.T) {
	svc := newService(t)
	svc.MaxResults = 3
	ctx := testContext(t)
	for i := range 5 {
		create(t, ctx, svc, fmt.Sprintf("cap%d@example.com", i), map[string]any{"externalId": "same", "displayName": "x"})
	}

	tests := []struct {
		name   string
		filter string
	}{
		{"list without filter", ""},
		{"filter answered by index", `externalId eq "same"`},
		{"filter answered by scan", `displayName co "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, count := range []int{-1, 10} {
				page, err := svc.List(ctx, resource.Query{Filter: tt.filter, StartIndex: 1, Count: count})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Resources) != 3 {
					t.Errorf("count %d: got %d resources, want 3", count, len(page.Resources))
				}
				if page.TotalResults != 5 {
					t.Errorf("count %d: totalResults = %d, want 5", count, page.TotalResults)
				}
			}
		})
	}
}

func TestListInvalidFilter(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)

	tests := []struct {
		name   string
		filter string
	}{
		{"comparison without value", `userName eq`},
		{"unknown comparison operator", `userName is "a"`},
		{"group without closing parenthesis", `(userName eq "a"`},
		{"contains on boolean", `active co "t"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.List(ctx, resource.Query{Filter: tt.filter, StartIndex: 1, Count: -1})
			checkSCIMError(t, err, http.StatusBadRequest, scimerr.InvalidFilter)
		})
	}
}

// TestListSameCreatedTimePaging creates users with one meta.created time and
// checks that paging through an indexed filter returns each user once.
func TestListSameCreatedTimePaging(t *testing.T) {
	svc := newService(t)
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc.Now = func() time.Time { return fixed }
	ctx := testContext(t)

	var want []string
	for i := range 9 {
		name := fmt.Sprintf("tie%d@example.com", i)
		create(t, ctx, svc, name, map[string]any{"externalId": "tie"})
		want = append(want, name)
	}

	var got []string
	for start := 1; start <= 9; start += 4 {
		page, err := svc.List(ctx, resource.Query{Filter: `externalId eq "tie"`, StartIndex: start, Count: 4})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, userNames(page)...)
	}

	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("pages hold %v, want each of %v once", got, want)
	}
}
