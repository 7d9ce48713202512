// Package function is the scim-groups-get function. It only wires the
// shared packages together: the operation itself lives in shared/scimhttp.
package function

import (
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
)

// serve holds the process's dependencies, built on the first request.
var serve = scimhttp.Function(route.GroupsGet, scimhttp.GetResource("Group"))

// Handle serves GET /Groups/{id}: it returns one group.
func Handle(req handler.Request) (handler.Response, error) {
	return serve(req)
}
