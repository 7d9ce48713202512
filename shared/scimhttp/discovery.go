package scimhttp

import (
	"context"
	"net/http"
	"strings"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Discovery serves /ServiceProviderConfig, /ResourceTypes and /Schemas
// (RFC 7644 section 4), each also by id, with /schemaDiscovery as an alias
// of /Schemas. Requests that no route matches reach it too and get the
// routing error.
func Discovery(ctx context.Context, app *App, req Request) (Response, error) {
	segments := strings.Split(strings.Trim(req.Path, "/"), "/")
	endpoint := strings.ToLower(segments[0])
	id := req.ID
	base := app.Config.BaseURL

	// RFC 7644 section 4 calls for 403 when a filter is sent to these
	// endpoints, which do not support filtering.
	if param(req.Query, "filter") != "" {
		return Response{}, scimerr.New(http.StatusForbidden, "", "filtering is not supported on %s", req.Path)
	}

	switch endpoint {
	case "serviceproviderconfig":
		return ok(schema.ServiceProviderConfigDocument(schema.ServerOptions{MaxResults: app.Config.MaxResults}, base)), nil

	case "resourcetypes":
		if id != "" {
			rt := app.Registry.ResourceType(id)
			if rt == nil {
				return Response{}, scimerr.NotFound("no resource type %q", id)
			}
			return ok(schema.ResourceTypeDocument(rt, base)), nil
		}
		var docs []any
		for _, rt := range app.Registry.Types {
			docs = append(docs, schema.ResourceTypeDocument(rt, base))
		}
		return ok(listResponse(docs)), nil

	case "schemas", "schemadiscovery":
		if id != "" {
			s := app.Registry.Schema(id)
			if s == nil {
				return Response{}, scimerr.NotFound("no schema %q", id)
			}
			return ok(schema.SchemaDocument(s, base)), nil
		}
		var docs []any
		for _, s := range app.Registry.Schemas() {
			docs = append(docs, schema.SchemaDocument(s, base))
		}
		return ok(listResponse(docs)), nil
	}
	return Response{}, scimerr.NotFound("no SCIM endpoint at %s", req.Path)
}

func ok(body any) Response {
	return Response{Status: http.StatusOK, Body: body}
}

func listResponse(resources []any) map[string]any {
	if resources == nil {
		resources = []any{}
	}
	return map[string]any{
		"schemas":      []string{schema.ListResponseURN},
		"totalResults": len(resources),
		"startIndex":   1,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	}
}
