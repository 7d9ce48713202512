package resource_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

func TestConditionsCheck(t *testing.T) {
	const current = `W/"3"`
	cases := []struct {
		name string
		cond resource.Conditions
		read bool
		want int // 0: no error, 304: ErrNotModified, else a SCIM status
	}{
		{"no conditions", resource.Conditions{}, false, 0},
		{"if-match current", resource.Conditions{IfMatch: `W/"3"`}, false, 0},
		{"if-match strong form", resource.Conditions{IfMatch: `"3"`}, false, 0},
		{"if-match in list", resource.Conditions{IfMatch: `W/"1", W/"3"`}, false, 0},
		{"if-match wildcard", resource.Conditions{IfMatch: "*"}, false, 0},
		{"if-match stale", resource.Conditions{IfMatch: `W/"2"`}, false, http.StatusPreconditionFailed},
		{"if-match stale on read", resource.Conditions{IfMatch: `W/"2"`}, true, http.StatusPreconditionFailed},
		{"if-none-match current read", resource.Conditions{IfNoneMatch: `W/"3"`}, true, http.StatusNotModified},
		{"if-none-match wildcard read", resource.Conditions{IfNoneMatch: "*"}, true, http.StatusNotModified},
		{"if-none-match current write", resource.Conditions{IfNoneMatch: `W/"3"`}, false, http.StatusPreconditionFailed},
		{"if-none-match stale read", resource.Conditions{IfNoneMatch: `W/"2"`}, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cond.Check(current, tc.read)
			switch {
			case tc.want == 0:
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
			case tc.want == http.StatusNotModified:
				if !errors.Is(err, resource.ErrNotModified) {
					t.Errorf("err = %v, want ErrNotModified", err)
				}
			default:
				scimErr := scimerr.As(err)
				if scimErr == nil || scimErr.Status != tc.want {
					t.Errorf("err = %v, want a SCIM %d", err, tc.want)
				}
			}
		})
	}
}
