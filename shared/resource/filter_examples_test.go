package resource_test

import (
	"slices"
	"testing"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
)

// TestRFCFilterExamples runs every filter example of RFC 7644 section
// 3.4.2.2 through the service against users stored in Redis.
func TestRFCFilterExamples(t *testing.T) {
	svc := newService(t)
	ctx := testContext(t)
	create(t, ctx, svc, "bjensen", map[string]any{
		"schemas":                []string{schema.UserURN, schema.EnterpriseUserURN},
		"name":                   map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
		"title":                  "Tour Guide",
		"userType":               "Employee",
		"emails":                 []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
		"ims":                    []any{map[string]any{"value": "bjensen@foo.com", "type": "xmpp"}},
		schema.EnterpriseUserURN: map[string]any{"employeeNumber": "701984"},
	})
	create(t, ctx, svc, "jsmith", map[string]any{
		"name":     map[string]any{"familyName": "O'Malley"},
		"userType": "Intern",
		"emails":   []any{map[string]any{"value": "jsmith@example.org", "type": "work"}},
	})
	create(t, ctx, svc, "john", map[string]any{"userType": "Contractor"})
	create(t, ctx, svc, "nobody", nil)
	everyone := []string{"bjensen", "john", "jsmith", "nobody"}

	// Every user was modified after 2011, so the lastModified examples
	// split the users into all or none.
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{`userName Eq "john"`, []string{"john"}},
		{`Username eq "john"`, []string{"john"}},
		{`userName eq "bjensen"`, []string{"bjensen"}},
		{`name.familyName co "O'Malley"`, []string{"jsmith"}},
		{`userName sw "J"`, []string{"john", "jsmith"}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, []string{"john", "jsmith"}},
		{`title pr`, []string{"bjensen"}},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, everyone},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, everyone},
		{`meta.lastModified lt "2011-05-13T04:42:34Z"`, nil},
		{`meta.lastModified le "2011-05-13T04:42:34Z"`, nil},
		{`title pr and userType eq "Employee"`, []string{"bjensen"}},
		{`title pr or userType eq "Intern"`, []string{"bjensen", "jsmith"}},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, []string{"bjensen"}},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, []string{"bjensen"}},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, []string{"john", "nobody"}},
		{`userType eq "Employee" and (emails.type eq "work")`, []string{"bjensen"}},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, []string{"bjensen"}},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, []string{"bjensen"}},
		{`meta.resourceType eq "User" and meta.created pr`, everyone},
	} {
		page, err := svc.List(ctx, resource.Query{Filter: tt.filter, StartIndex: 1, Count: -1})
		if err != nil {
			t.Errorf("filter %s: %v", tt.filter, err)
			continue
		}
		got := userNames(page)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("filter %s = %v, want %v", tt.filter, got, tt.want)
		}
	}
}
