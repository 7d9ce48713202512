// Package scimerr defines the SCIM protocol error that every shared package
// returns when a request cannot be served, and the error types of RFC 7644
// section 3.12.
package scimerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Error types from RFC 7644 section 3.12, sent as "scimType".
const (
	InvalidFilter = "invalidFilter"
	TooMany       = "tooMany"
	Uniqueness    = "uniqueness"
	Mutability    = "mutability"
	InvalidSyntax = "invalidSyntax"
	InvalidPath   = "invalidPath"
	NoTarget      = "noTarget"
	InvalidValue  = "invalidValue"
	InvalidVers   = "invalidVers"
	Sensitive     = "sensitive"
)

// Error types that RFC 9865 adds for cursor paging.
const (
	InvalidCursor = "invalidCursor"
	InvalidCount  = "invalidCount"
)

// Error is a SCIM error that a client may see: an HTTP status, an optional
// scimType and a detail written for the client. Its text never contains
// internal causes such as Redis errors.
type Error struct {
	Status int
	Type   string
	Detail string
}

// Error returns the status, type and detail in one line.
func (e *Error) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("scim %d: %s", e.Status, e.Detail)
	}
	return fmt.Sprintf("scim %d %s: %s", e.Status, e.Type, e.Detail)
}

// New returns an Error with the given status, scimType and formatted detail.
func New(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400 Error with the given scimType.
func BadRequest(scimType, format string, args ...any) *Error {
	return New(http.StatusBadRequest, scimType, format, args...)
}

// NotFound returns a 404 Error without a scimType.
func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "", format, args...)
}

// Conflict returns a 409 Error with scimType uniqueness.
func Conflict(format string, args ...any) *Error {
	return New(http.StatusConflict, Uniqueness, format, args...)
}

// As returns the Error in err's chain, or nil when there is none.
func As(err error) *Error {
	var scimErr *Error
	if errors.As(err, &scimErr) {
		return scimErr
	}
	return nil
}

// Body returns the error as a SCIM Error message (RFC 7644 section 3.12),
// with the status as a string and scimType only when set.
func (e *Error) Body() []byte {
	doc := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  strconv.Itoa(e.Status),
		"detail":  e.Detail,
	}
	if e.Type != "" {
		doc["scimType"] = e.Type
	}
	body, err := json.Marshal(doc)
	if err != nil {
		// A map of strings always marshals, so this is unreachable.
		return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500"}`)
	}
	return body
}
