package resource

import (
	"errors"
	"net/http"
	"strings"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// ErrNotModified means a read's If-None-Match names the current version,
// so the client's copy is fresh (RFC 7644 section 3.14).
var ErrNotModified = errors.New("resource not modified")

// Conditions are the If-Match and If-None-Match header values of a request,
// "" when absent. Each is "*" or a comma-separated list of entity tags.
type Conditions struct {
	IfMatch     string
	IfNoneMatch string
}

// Check evaluates the conditions against the current entity tag, as RFC
// 7232 section 3 and RFC 7644 section 3.14 describe. An If-Match that names
// another version is a 412. An If-None-Match that names the current one is
// ErrNotModified for a read and a 412 for a write. Tags compare
// without their weak prefix, because every version tag here is weak.
func (c Conditions) Check(etag string, read bool) error {
	if c.IfMatch != "" && !listMatches(c.IfMatch, etag) {
		return scimerr.New(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s; read the resource again", c.IfMatch, etag)
	}
	if c.IfNoneMatch != "" && listMatches(c.IfNoneMatch, etag) {
		if read {
			return ErrNotModified
		}
		return scimerr.New(http.StatusPreconditionFailed, "", "If-None-Match %s matches the current version", c.IfNoneMatch)
	}
	return nil
}

func listMatches(list, etag string) bool {
	for _, tag := range strings.Split(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || opaque(tag) == opaque(etag) {
			return true
		}
	}
	return false
}

func opaque(tag string) string {
	return strings.TrimPrefix(strings.TrimSpace(tag), "W/")
}
