// Package function is the scim-groups-create function. It only wires the
// shared packages together: the operation itself lives in shared/scimhttp.
package function

import (
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
)

// serve holds the process's dependencies, built on the first request.
var serve = scimhttp.Function(route.GroupsCreate, scimhttp.CreateResource("Group"))

// Handle serves POST /Groups: it creates a group and returns 201 with it.
func Handle(req handler.Request) (handler.Response, error) {
	return serve(req)
}
