// Package function is the scim-groups-list function. It only wires the
// shared packages together: the operation itself lives in shared/scimhttp.
package function

import (
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimhttp"
)

// serve holds the process's dependencies, built on the first request.
var serve = scimhttp.Function(route.GroupsList, scimhttp.ListResources("Group"))

// Handle serves GET /Groups and POST /Groups/.search: it returns a page of
// the groups that match a filter.
func Handle(req handler.Request) (handler.Response, error) {
	return serve(req)
}
