// Package function is the scim-users-patch function. It only wires the
// shared packages together: the operation itself lives in shared/scimhttp.
package function

import (
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
)

// serve holds the process's dependencies, built on the first request.
var serve = scimhttp.Function(route.UsersPatch, scimhttp.PatchResource("User"))

// Handle serves PATCH /Users/{id}: it applies a PatchOp request to a user.
func Handle(req handler.Request) (handler.Response, error) {
	return serve(req)
}
