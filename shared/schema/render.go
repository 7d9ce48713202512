package schema

import (
	"strings"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Projection selects the attributes of a response, from the "attributes" and
// "excludedAttributes" parameters of RFC 7644 section 3.4.2.5. The zero
// Projection returns every attribute whose "returned" is always or default.
type Projection struct {
	include map[string]bool
	exclude map[string]bool
}

// ParseProjection reads comma-separated attribute paths for the attributes
// and excludedAttributes parameters. Paths may be fully qualified and may
// name sub-attributes. Giving both parameters is a 400 invalidSyntax error.
// Paths that name no attribute of the resource type are ignored.
func (rt *ResourceType) ParseProjection(attributes, excluded string) (Projection, error) {
	attributes = strings.TrimSpace(attributes)
	excluded = strings.TrimSpace(excluded)
	if attributes != "" && excluded != "" {
		return Projection{}, scimerr.BadRequest(scimerr.InvalidSyntax, "use either attributes or excludedAttributes, not both")
	}

	var p Projection
	if attributes != "" {
		p.include = rt.projectionKeys(attributes)
	}
	if excluded != "" {
		p.exclude = rt.projectionKeys(excluded)
	}
	return p, nil
}

func (rt *ResourceType) projectionKeys(list string) map[string]bool {
	keys := make(map[string]bool)
	for _, path := range strings.Split(list, ",") {
		target, ok := rt.Resolve(strings.TrimSpace(path))
		if !ok {
			continue
		}
		key := projectionKey(target.Schema, target.Attr, nil)
		if target.Sub != nil {
			keys[projectionKey(target.Schema, target.Attr, target.Sub)] = true
			// The parent is kept with only the listed sub-attributes.
			keys[key+">"] = true
			continue
		}
		keys[key] = true
	}
	return keys
}

func projectionKey(s *Schema, attr, sub *Attribute) string {
	key := strings.ToLower(s.ID + ":" + attr.Name)
	if sub != nil {
		key += "." + strings.ToLower(sub.Name)
	}
	return key
}

// Render returns the resource as a client sees it: "schemas" listing the
// core schema and each extension present, attributes in their schema
// spelling, "returned" rules applied, then the projection. It does not
// modify doc.
func (rt *ResourceType) Render(doc map[string]any, p Projection) map[string]any {
	out := map[string]any{}
	schemas := []any{rt.Schema.ID}

	for key, value := range doc {
		if ext := rt.Extension(key); ext != nil {
			object, ok := value.(map[string]any)
			if !ok {
				continue
			}
			rendered := renderAttributes(ext, ext.Attributes, object, p)
			if len(rendered) > 0 {
				out[ext.ID] = rendered
				schemas = append(schemas, ext.ID)
			}
			continue
		}

		owner := rt.Schema
		attr := rt.Schema.Attr(key)
		if attr == nil {
			owner = common
			attr = common.Attr(key)
		}
		if attr == nil {
			continue
		}
		if rendered, ok := renderAttribute(owner, attr, value, p); ok {
			out[attr.Name] = rendered
		}
	}

	out["schemas"] = schemas
	return out
}

func renderAttributes(owner *Schema, attrs []*Attribute, object map[string]any, p Projection) map[string]any {
	out := map[string]any{}
	for key, value := range object {
		attr := find(attrs, key)
		if attr == nil {
			continue
		}
		if rendered, ok := renderAttribute(owner, attr, value, p); ok {
			out[attr.Name] = rendered
		}
	}
	return out
}

// renderAttribute applies the returned characteristic and the projection to
// one top-level attribute, filtering sub-attributes of complex values.
func renderAttribute(owner *Schema, attr *Attribute, value any, p Projection) (any, bool) {
	key := projectionKey(owner, attr, nil)
	switch attr.EffectiveReturned() {
	case ReturnedNever:
		return nil, false
	case ReturnedAlways:
		return value, true
	case ReturnedRequest:
		if !p.include[key] {
			return nil, false
		}
	}

	if p.exclude[key] {
		return nil, false
	}
	if p.include != nil && !p.include[key] {
		if !p.include[key+">"] {
			return nil, false
		}
		return nonEmptyValue(selectSubAttributes(owner, attr, value, p.include, true))
	}
	if p.exclude != nil && attr.Type == TypeComplex {
		return nonEmptyValue(selectSubAttributes(owner, attr, value, p.exclude, false))
	}
	return value, true
}

// nonEmptyValue reports false for an empty object or array, which a
// projection leaves when the selected sub-attributes have no value, so that
// the attribute is omitted instead of returned empty.
func nonEmptyValue(value any) (any, bool) {
	switch v := value.(type) {
	case map[string]any:
		return v, len(v) > 0
	case []any:
		return v, len(v) > 0
	}
	return value, true
}

// Elements is implemented by a multi-valued complex value that a service
// keeps in a compact form instead of []any. Render returns it unchanged and
// calls Elements only when a projection selects sub-attributes.
type Elements interface {
	Elements() []any
}

// selectSubAttributes keeps (keep true) or drops (keep false) the
// sub-attributes whose keys are in the set, for one complex value or each
// element of a multi-valued one.
func selectSubAttributes(owner *Schema, attr *Attribute, value any, set map[string]bool, keep bool) any {
	if list, ok := value.(Elements); ok {
		value = list.Elements()
	}
	filter := func(object map[string]any) map[string]any {
		out := map[string]any{}
		for key, subValue := range object {
			sub := attr.Sub(key)
			if sub == nil {
				continue
			}
			listed := set[projectionKey(owner, attr, sub)]
			if listed == keep || sub.EffectiveReturned() == ReturnedAlways {
				out[key] = subValue
			}
		}
		return out
	}

	switch v := value.(type) {
	case map[string]any:
		return filter(v)
	case []any:
		out := make([]any, 0, len(v))
		for _, item := range v {
			object, ok := item.(map[string]any)
			if !ok {
				continue
			}
			if selected := filter(object); len(selected) > 0 {
				out = append(out, selected)
			}
		}
		return out
	}
	return value
}

// Returns reports whether a response with projection p holds the top-level
// core attribute name, following the same rules as Render. Services use it
// to skip reading values that the response would drop.
func (rt *ResourceType) Returns(p Projection, name string) bool {
	attr := rt.Schema.Attr(name)
	if attr == nil {
		return false
	}
	key := projectionKey(rt.Schema, attr, nil)
	switch attr.EffectiveReturned() {
	case ReturnedNever:
		return false
	case ReturnedAlways:
		return true
	case ReturnedRequest:
		return p.include[key] || p.include[key+">"]
	}
	if p.exclude[key] {
		return false
	}
	if p.include != nil {
		return p.include[key] || p.include[key+">"]
	}
	return true
}

// SchemaURNs returns the value of "schemas" for a stored resource: the core
// schema URN and the URN of each extension that has attributes in doc. The
// store does not keep "schemas", so filters on it read this value.
func (rt *ResourceType) SchemaURNs(doc map[string]any) []any {
	urns := []any{rt.Schema.ID}
	for _, ext := range rt.Extensions {
		if object, ok := doc[ext.Schema.ID].(map[string]any); ok && len(object) > 0 {
			urns = append(urns, ext.Schema.ID)
		}
	}
	return urns
}
