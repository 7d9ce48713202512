// Package function is the scim-users-replace function. It only wires the
// shared packages together: the operation itself lives in shared/scimhttp.
package function

import (
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
)

// serve holds the process's dependencies, built on the first request.
var serve = scimhttp.Function(route.UsersReplace, scimhttp.ReplaceResource("User"))

// Handle serves PUT /Users/{id}: it replaces a user's attributes.
func Handle(req handler.Request) (handler.Response, error) {
	return serve(req)
}
