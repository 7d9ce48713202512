package scimhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimfaas/scimfaas/shared/resource"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// CreateResource returns the operation for POST to a resource endpoint
// (RFC 7644 section 3.3): 201 with the resource, Location and ETag.
func CreateResource(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, projection, err := app.service(resourceType, req)
		if err != nil {
			return Response{}, err
		}
		created, err := svc.Create(ctx, req.Body)
		if err != nil {
			return Response{}, err
		}
		return writeResponse(ctx, http.StatusCreated, svc, created, projection)
	}
}

// GetResource returns the operation for GET of one resource (RFC 7644
// section 3.4.1).
func GetResource(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, projection, err := app.service(resourceType, req)
		if err != nil {
			return Response{}, err
		}
		found, err := svc.Get(ctx, req.ID)
		if err != nil {
			return Response{}, err
		}
		err = conditions(req).Check(found.ETag(), true)
		if errors.Is(err, resource.ErrNotModified) {
			header := http.Header{}
			header.Set("ETag", found.ETag())
			return Response{Status: http.StatusNotModified, Header: header}, nil
		}
		if err != nil {
			return Response{}, err
		}
		if err := svc.Expand(ctx, []resource.Resource{found}, projection); err != nil {
			return Response{}, err
		}
		return resourceResponse(http.StatusOK, svc, found, projection), nil
	}
}

// ReplaceResource returns the operation for PUT (RFC 7644 section 3.5.1).
func ReplaceResource(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, projection, err := app.service(resourceType, req)
		if err != nil {
			return Response{}, err
		}
		replaced, err := svc.Replace(ctx, req.ID, req.Body, conditions(req))
		if err != nil {
			return Response{}, err
		}
		return writeResponse(ctx, http.StatusOK, svc, replaced, projection)
	}
}

// PatchResource returns the operation for PATCH (RFC 7644 section 3.5.2):
// 200 with the resource, which the Microsoft SCIM validator requires for
// users. A group PATCH returns 204 with the ETag unless the request has an
// attributes or excludedAttributes parameter, because the full group
// contains every member and costs as much as the group is large. Entra ID
// expects 204 there. It also returns 204 when the requested members exceed
// the response limit.
func PatchResource(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, projection, err := app.service(resourceType, req)
		if err != nil {
			return Response{}, err
		}
		patched, err := svc.Patch(ctx, req.ID, req.Body, conditions(req))
		if err != nil {
			return Response{}, err
		}
		if svc.HoldsMembers() && param(req.Query, "attributes") == "" && param(req.Query, "excludedAttributes") == "" {
			return withoutBody(http.StatusNoContent, patched), nil
		}
		return writeResponse(ctx, http.StatusOK, svc, patched, projection)
	}
}

// DeleteResource returns the operation for DELETE (RFC 7644 section 3.6):
// 204 without a body.
func DeleteResource(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, _, err := app.service(resourceType, req)
		if err != nil {
			return Response{}, err
		}
		if err := svc.Delete(ctx, req.ID, conditions(req)); err != nil {
			return Response{}, err
		}
		return Response{Status: http.StatusNoContent}, nil
	}
}

// ListResources returns the operation for GET on a resource endpoint with
// query parameters (RFC 7644 section 3.4.2) and for POST to its /.search
// with a SearchRequest body (section 3.4.3).
func ListResources(resourceType string) Operation {
	return func(ctx context.Context, app *App, req Request) (Response, error) {
		svc, ok := app.Services[resourceType]
		if !ok {
			return Response{}, scimerr.NotFound("resource type %s is not served", resourceType)
		}

		params, err := listParams(req)
		if err != nil {
			return Response{}, err
		}
		query, projection, err := params.parse(svc.Type)
		if err != nil {
			return Response{}, err
		}

		page, err := svc.List(ctx, query)
		if err != nil {
			return Response{}, err
		}
		if err := svc.Expand(ctx, page.Resources, projection); err != nil {
			return Response{}, err
		}
		resources := make([]any, 0, len(page.Resources))
		for _, r := range page.Resources {
			resources = append(resources, svc.Type.Render(r.Doc, projection))
		}
		body := map[string]any{
			"schemas":      []string{schema.ListResponseURN},
			"totalResults": page.TotalResults,
			"itemsPerPage": len(resources),
			"Resources":    resources,
		}
		if query.Cursored {
			// RFC 9865 pages carry cursors instead of startIndex.
			if page.NextCursor != "" {
				body["nextCursor"] = page.NextCursor
			}
			if page.PreviousCursor != "" {
				body["previousCursor"] = page.PreviousCursor
			}
		} else {
			body["startIndex"] = page.StartIndex
		}
		return Response{Status: http.StatusOK, Body: body}, nil
	}
}

// service returns the service of a resource type and the projection that
// the request's attributes and excludedAttributes parameters ask for.
func (a *App) service(resourceType string, req Request) (*resource.Service, schema.Projection, error) {
	svc, ok := a.Services[resourceType]
	if !ok {
		return nil, schema.Projection{}, scimerr.NotFound("resource type %s is not served", resourceType)
	}
	projection, err := svc.Type.ParseProjection(param(req.Query, "attributes"), param(req.Query, "excludedAttributes"))
	return svc, projection, err
}

// conditions returns the request's If-Match and If-None-Match headers.
func conditions(req Request) resource.Conditions {
	return resource.Conditions{
		IfMatch:     strings.Join(req.Header.Values("If-Match"), ","),
		IfNoneMatch: strings.Join(req.Header.Values("If-None-Match"), ","),
	}
}

// writeResponse returns the response to a write that stored r: status with
// the resource, or, when its members exceed the response limit, no body.
// The write is stored, so an error would mislead the client, and a body
// without members would read as an empty group. A created resource then
// gets 201 with Location and ETag, which RFC 7644 section 3.3 allows, and
// any other write gets 204 with ETag.
func writeResponse(ctx context.Context, status int, svc *resource.Service, r resource.Resource, projection schema.Projection) (Response, error) {
	err := svc.Expand(ctx, []resource.Resource{r}, projection)
	if scimErr := scimerr.As(err); scimErr != nil && scimErr.Type == scimerr.TooMany {
		if status != http.StatusCreated {
			status = http.StatusNoContent
		}
		return withoutBody(status, r), nil
	}
	if err != nil {
		return Response{}, err
	}
	return resourceResponse(status, svc, r, projection), nil
}

// withoutBody returns a response with the resource's ETag, and its Location
// for 201, but no body.
func withoutBody(status int, r resource.Resource) Response {
	header := http.Header{}
	header.Set("ETag", r.ETag())
	if status == http.StatusCreated {
		header.Set("Location", r.Location())
	}
	return Response{Status: status, Header: header}
}

func resourceResponse(status int, svc *resource.Service, r resource.Resource, projection schema.Projection) Response {
	header := http.Header{}
	header.Set("ETag", r.ETag())
	if status == http.StatusCreated {
		header.Set("Location", r.Location())
	}
	return Response{Status: status, Body: svc.Type.Render(r.Doc, projection), Header: header}
}

// listParameters are the list parameters from a query string or a
// SearchRequest body, before validation.
type listParameters struct {
	filter, startIndex, count, attributes, excluded string
	sortBy, sortOrder                               string
	// cursor is the RFC 9865 cursor. hasCursor is true when the request
	// has a cursor parameter, even an empty one, which selects cursor
	// paging.
	cursor    string
	hasCursor bool
}

func listParams(req Request) (listParameters, error) {
	if req.Method != http.MethodPost {
		return listParameters{
			filter:     param(req.Query, "filter"),
			startIndex: param(req.Query, "startIndex"),
			count:      param(req.Query, "count"),
			attributes: param(req.Query, "attributes"),
			excluded:   param(req.Query, "excludedAttributes"),
			sortBy:     param(req.Query, "sortBy"),
			sortOrder:  param(req.Query, "sortOrder"),
			cursor:     param(req.Query, "cursor"),
			hasCursor:  hasParam(req.Query, "cursor"),
		}, nil
	}
	return searchParams(req.Body)
}

// searchParams reads a SearchRequest body (RFC 7644 section 3.4.3).
func searchParams(body []byte) (listParameters, error) {
	raw, err := schema.DecodeObject(body)
	if err != nil {
		return listParameters{}, err
	}
	var p listParameters
	for key, value := range raw {
		switch strings.ToLower(key) {
		case "filter":
			if p.filter, err = stringMember(key, value); err != nil {
				return p, err
			}
		case "startindex":
			p.startIndex = numberText(value)
		case "count":
			p.count = numberText(value)
		case "attributes":
			if p.attributes, err = listMember(key, value); err != nil {
				return p, err
			}
		case "excludedattributes":
			if p.excluded, err = listMember(key, value); err != nil {
				return p, err
			}
		case "sortby":
			if p.sortBy, err = stringMember(key, value); err != nil {
				return p, err
			}
		case "sortorder":
			if p.sortOrder, err = stringMember(key, value); err != nil {
				return p, err
			}
		case "cursor":
			if p.cursor, err = stringMember(key, value); err != nil {
				return p, err
			}
			p.hasCursor = true
		}
	}
	return p, nil
}

func (p listParameters) parse(rt *schema.ResourceType) (resource.Query, schema.Projection, error) {
	q := resource.Query{Filter: p.filter, StartIndex: 1, Count: -1, SortBy: p.sortBy, SortOrder: p.sortOrder,
		Cursored: p.hasCursor, Cursor: p.cursor}
	if p.hasCursor && p.startIndex != "" {
		return q, schema.Projection{}, scimerr.BadRequest(scimerr.InvalidValue, "use either startIndex or cursor, not both")
	}
	if p.startIndex != "" {
		n, err := strconv.Atoi(strings.TrimSpace(p.startIndex))
		if err != nil {
			return q, schema.Projection{}, scimerr.BadRequest(scimerr.InvalidValue, "startIndex must be an integer, got %q", p.startIndex)
		}
		// RFC 7644 section 3.4.2.4 reads a startIndex below 1 as 1.
		q.StartIndex = max(n, 1)
	}
	if p.count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(p.count))
		if err != nil {
			return q, schema.Projection{}, scimerr.BadRequest(scimerr.InvalidValue, "count must be an integer, got %q", p.count)
		}
		// A negative count is read as 0, which returns only totalResults.
		q.Count = max(n, 0)
	}
	projection, err := rt.ParseProjection(p.attributes, p.excluded)
	return q, projection, err
}

// hasParam reports whether the query names a parameter, even with an empty
// value, matching its name without regard to letter case.
func hasParam(query map[string][]string, name string) bool {
	for key := range query {
		if strings.EqualFold(key, name) {
			return true
		}
	}
	return false
}

// param returns a query parameter, matching its name without regard to
// letter case.
func param(query map[string][]string, name string) string {
	if values, ok := query[name]; ok && len(values) > 0 {
		return values[0]
	}
	for key, values := range query {
		if strings.EqualFold(key, name) && len(values) > 0 {
			return values[0]
		}
	}
	return ""
}

func stringMember(name string, value any) (string, error) {
	if value == nil {
		return "", nil
	}
	s, ok := value.(string)
	if !ok {
		return "", scimerr.BadRequest(scimerr.InvalidValue, "%s must be a string", name)
	}
	return s, nil
}

func listMember(name string, value any) (string, error) {
	switch v := value.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []any:
		parts := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return "", scimerr.BadRequest(scimerr.InvalidValue, "%s must be an array of attribute names", name)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	}
	return "", scimerr.BadRequest(scimerr.InvalidValue, "%s must be an array of attribute names", name)
}

// numberText returns a SearchRequest number member as text for the same
// parsing as a query parameter; other JSON types yield text that fails it.
func numberText(value any) string {
	switch v := value.(type) {
	case nil:
		return ""
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return "a non-number"
}
