// Package route holds the route table that maps each SCIM method and path to
// the function that serves it, and carries the request path to the handler
// through the request context. The local server, the tests and the
// deployment files all use this one table.
package route

import (
	"context"
	"net/http"
	"strings"
)

// Function names, as deployed on OpenFaaS and Lambda.
const (
	UsersCreate  = "scim-users-create"
	UsersGet     = "scim-users-get"
	UsersList    = "scim-users-list"
	UsersReplace = "scim-users-replace"
	UsersPatch   = "scim-users-patch"
	UsersDelete  = "scim-users-delete"

	GroupsCreate  = "scim-groups-create"
	GroupsGet     = "scim-groups-get"
	GroupsList    = "scim-groups-list"
	GroupsReplace = "scim-groups-replace"
	GroupsPatch   = "scim-groups-patch"
	GroupsDelete  = "scim-groups-delete"

	Discovery = "scim-discovery"
)

// Route maps a method and a path pattern, relative to the SCIM base path, to
// a function. A pattern segment "{id}" matches any one segment.
type Route struct {
	Method   string
	Pattern  string
	Function string
}

// Table returns every route, most specific first. Discovery also serves
// every request that no route matches, so that it can reject it with a SCIM
// error.
func Table() []Route {
	return []Route{
		{http.MethodPost, "/Users", UsersCreate},
		{http.MethodGet, "/Users", UsersList},
		{http.MethodPost, "/Users/.search", UsersList},
		{http.MethodGet, "/Users/{id}", UsersGet},
		{http.MethodPut, "/Users/{id}", UsersReplace},
		{http.MethodPatch, "/Users/{id}", UsersPatch},
		{http.MethodDelete, "/Users/{id}", UsersDelete},
		{http.MethodPost, "/Groups", GroupsCreate},
		{http.MethodGet, "/Groups", GroupsList},
		{http.MethodPost, "/Groups/.search", GroupsList},
		{http.MethodGet, "/Groups/{id}", GroupsGet},
		{http.MethodPut, "/Groups/{id}", GroupsReplace},
		{http.MethodPatch, "/Groups/{id}", GroupsPatch},
		{http.MethodDelete, "/Groups/{id}", GroupsDelete},
		{http.MethodGet, "/ServiceProviderConfig", Discovery},
		{http.MethodGet, "/ResourceTypes", Discovery},
		{http.MethodGet, "/ResourceTypes/{id}", Discovery},
		{http.MethodGet, "/Schemas", Discovery},
		{http.MethodGet, "/Schemas/{id}", Discovery},
		{http.MethodGet, "/schemaDiscovery", Discovery},
		{http.MethodGet, "/schemaDiscovery/{id}", Discovery},
	}
}

// Functions returns the names of all functions in the table, each once, in
// table order.
func Functions() []string {
	var names []string
	seen := map[string]bool{}
	for _, r := range Table() {
		if !seen[r.Function] {
			seen[r.Function] = true
			names = append(names, r.Function)
		}
	}
	return names
}

// Match finds the route for a method and a path relative to the SCIM base
// path. Literal segments match without regard to letter case, because some
// clients send /users. It returns the value of the "{id}" segment, if any.
// When no route matches, ok is false and pathKnown reports whether some
// route has the path with another method.
func Match(method, relativePath string) (r Route, id string, ok bool, pathKnown bool) {
	segments := split(relativePath)
	for _, candidate := range Table() {
		value, matched := matchPattern(candidate.Pattern, segments)
		if !matched {
			continue
		}
		if candidate.Method == method {
			return candidate, value, true, true
		}
		pathKnown = true
	}
	return Route{}, "", false, pathKnown
}

// Relative strips basePath from path when path starts with it, so that a
// function reached through the OpenFaaS gateway without the base path still
// finds its route.
func Relative(basePath, path string) string {
	if basePath != "" && len(path) >= len(basePath) && strings.EqualFold(path[:len(basePath)], basePath) {
		rest := path[len(basePath):]
		if rest == "" || rest[0] == '/' {
			return rest
		}
	}
	return path
}

func split(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func matchPattern(pattern string, segments []string) (string, bool) {
	parts := split(pattern)
	if len(parts) != len(segments) {
		return "", false
	}
	id := ""
	for i, part := range parts {
		switch {
		case part == "{id}":
			// ".search" is an action, never an id.
			if segments[i] == "" || strings.EqualFold(segments[i], ".search") {
				return "", false
			}
			id = segments[i]
		case !strings.EqualFold(part, segments[i]):
			return "", false
		}
	}
	return id, true
}

type pathKey struct{}

// WithPath returns a context that carries the request's URL path. The entry
// point sets it from the HTTP request, because handler.Request has no path,
// and a client cannot forge a context value the way it can a header.
func WithPath(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, pathKey{}, path)
}

// Path returns the URL path stored by WithPath, or "" when there is none.
func Path(ctx context.Context) string {
	path, _ := ctx.Value(pathKey{}).(string)
	return path
}
