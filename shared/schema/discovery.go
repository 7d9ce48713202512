package schema

import "strings"

// ServerOptions are the capabilities that the ServiceProviderConfig
// document advertises.
type ServerOptions struct {
	// MaxResults is the largest page a list request returns.
	MaxResults int
}

// Registry is the set of resource types that a server serves, in the order
// discovery lists them.
type Registry struct {
	Types []*ResourceType
}

// Schemas returns every distinct schema of the registry's resource types,
// core schemas first.
func (r *Registry) Schemas() []*Schema {
	var out []*Schema
	seen := map[string]bool{}
	add := func(s *Schema) {
		if !seen[s.ID] {
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	for _, rt := range r.Types {
		add(rt.Schema)
	}
	for _, rt := range r.Types {
		for _, ext := range rt.Extensions {
			add(ext.Schema)
		}
	}
	return out
}

// Schema returns the schema with the given URN, compared without regard to
// letter case, or nil.
func (r *Registry) Schema(urn string) *Schema {
	for _, s := range r.Schemas() {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// ResourceType returns the resource type with the given id, compared without
// regard to letter case, or nil.
func (r *Registry) ResourceType(id string) *ResourceType {
	for _, rt := range r.Types {
		if strings.EqualFold(rt.ID, id) {
			return rt
		}
	}
	return nil
}

// SchemaDocument renders s as a Schema resource (RFC 7643 section 7).
// baseURL is the public SCIM base URL used for meta.location.
func SchemaDocument(s *Schema, baseURL string) map[string]any {
	return map[string]any{
		"schemas":     []any{SchemaURN},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attributeDocuments(s.Attributes),
		"meta": map[string]any{
			"resourceType": "Schema",
			"location":     baseURL + "/Schemas/" + s.ID,
		},
	}
}

func attributeDocuments(attrs []*Attribute) []any {
	out := make([]any, 0, len(attrs))
	for _, a := range attrs {
		doc := map[string]any{
			"name":        a.Name,
			"type":        a.Type,
			"multiValued": a.MultiValued,
			"required":    a.Required,
			"caseExact":   a.CaseExact,
			"mutability":  a.EffectiveMutability(),
			"returned":    a.EffectiveReturned(),
			"uniqueness":  "none",
		}
		if a.Uniqueness != "" {
			doc["uniqueness"] = a.Uniqueness
		}
		if a.Description != "" {
			doc["description"] = a.Description
		}
		if len(a.CanonicalValues) > 0 {
			doc["canonicalValues"] = a.CanonicalValues
		}
		if len(a.ReferenceTypes) > 0 {
			doc["referenceTypes"] = a.ReferenceTypes
		}
		if len(a.SubAttributes) > 0 {
			doc["subAttributes"] = attributeDocuments(a.SubAttributes)
		}
		out = append(out, doc)
	}
	return out
}

// ResourceTypeDocument renders rt as a ResourceType resource (RFC 7643
// section 6).
func ResourceTypeDocument(rt *ResourceType, baseURL string) map[string]any {
	extensions := make([]any, 0, len(rt.Extensions))
	for _, ext := range rt.Extensions {
		extensions = append(extensions, map[string]any{"schema": ext.Schema.ID, "required": ext.Required})
	}
	return map[string]any{
		"schemas":          []any{ResourceTypeURN},
		"id":               rt.ID,
		"name":             rt.Name,
		"endpoint":         rt.Endpoint,
		"description":      rt.Description,
		"schema":           rt.Schema.ID,
		"schemaExtensions": extensions,
		"meta": map[string]any{
			"resourceType": "ResourceType",
			"location":     baseURL + "/ResourceTypes/" + rt.ID,
		},
	}
}

// ServiceProviderConfigDocument renders the ServiceProviderConfig resource
// (RFC 7643 section 5) for the features this server implements.
func ServiceProviderConfigDocument(opts ServerOptions, baseURL string) map[string]any {
	unsupported := map[string]any{"supported": false}
	return map[string]any{
		"schemas":          []any{ServiceConfigURN},
		"documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": opts.MaxResults},
		"changePassword":   unsupported,
		"sort":             map[string]any{"supported": true},
		// RFC 9865: cursors are stateless, so they never expire and no
		// cursorTimeout is advertised. Index paging stays the default for
		// clients that know only RFC 7644.
		"pagination": map[string]any{
			"cursor":                  true,
			"index":                   true,
			"defaultPaginationMethod": "index",
			"defaultPageSize":         opts.MaxResults,
			"maxPageSize":             opts.MaxResults,
		},
		"etag": map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "Bearer token",
			"description": "A secret bearer token in the Authorization header, as the Secret Token of Entra ID provisioning.",
			"primary":     true,
		}},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     baseURL + "/ServiceProviderConfig",
		},
	}
}
