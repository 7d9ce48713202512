// Package schema holds the SCIM schemas that this server serves (RFC 7643):
// attribute definitions with their characteristics, resource types, the
// validation and normalization of client input, and the rendering of
// resources and discovery documents.
package schema

import "strings"

// Attribute data types from RFC 7643 section 2.3.
const (
	TypeString    = "string"
	TypeBoolean   = "boolean"
	TypeDecimal   = "decimal"
	TypeInteger   = "integer"
	TypeDateTime  = "dateTime"
	TypeReference = "reference"
	TypeBinary    = "binary"
	TypeComplex   = "complex"
)

// Mutability values from RFC 7643 section 7.
const (
	ReadOnly  = "readOnly"
	ReadWrite = "readWrite"
	Immutable = "immutable"
	WriteOnly = "writeOnly"
)

// Returned values from RFC 7643 section 7.
const (
	ReturnedAlways  = "always"
	ReturnedNever   = "never"
	ReturnedDefault = "default"
	ReturnedRequest = "request"
)

// Attribute is the definition of one attribute or sub-attribute, with the
// characteristics of RFC 7643 section 2.2. Unset fields take the defaults
// that section gives: readWrite, returned by default, not unique, not case
// exact.
type Attribute struct {
	Name            string
	Type            string
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	Mutability      string
	Returned        string
	Uniqueness      string
	CanonicalValues []string
	ReferenceTypes  []string
	SubAttributes   []*Attribute
}

// Sub returns the sub-attribute with the given name, compared without regard
// to letter case, or nil when the attribute has none of that name.
func (a *Attribute) Sub(name string) *Attribute {
	return find(a.SubAttributes, name)
}

// EffectiveMutability returns the attribute's mutability, readWrite when unset.
func (a *Attribute) EffectiveMutability() string {
	if a.Mutability == "" {
		return ReadWrite
	}
	return a.Mutability
}

// EffectiveReturned returns when the attribute is returned, "default" when unset.
func (a *Attribute) EffectiveReturned() string {
	if a.Returned == "" {
		return ReturnedDefault
	}
	return a.Returned
}

// Schema is a SCIM schema: a URN and its attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attr returns the top-level attribute with the given name, compared without
// regard to letter case, or nil.
func (s *Schema) Attr(name string) *Attribute {
	return find(s.Attributes, name)
}

// Extension is a schema extension that a resource type allows.
type Extension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is a SCIM resource type (RFC 7643 section 6): its endpoint,
// core schema and schema extensions.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Schema      *Schema
	Extensions  []Extension
}

// Target is the attribute that a path names within a resource type: the
// schema that defines it, the attribute, and optionally one of its
// sub-attributes. Schema is the core schema for common and core attributes.
type Target struct {
	Schema *Schema
	Attr   *Attribute
	Sub    *Attribute
}

// IsExtension reports whether the target lives in a schema extension, whose
// attributes are stored under the extension's URN.
func (t Target) IsExtension(rt *ResourceType) bool {
	return t.Schema != nil && t.Schema != rt.Schema && t.Schema != common
}

// Extension returns the extension schema with the given URN, compared
// without regard to letter case, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, ext := range rt.Extensions {
		if strings.EqualFold(ext.Schema.ID, urn) {
			return ext.Schema
		}
	}
	return nil
}

// Resolve finds the attribute that a path such as "userName",
// "name.familyName", "meta.created" or a fully qualified
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
// names. A path without a URN names a core or common attribute, or else the
// attribute of that name in the one extension that defines it, as in the
// "manager" path that older Entra ID requests send. It reports false when
// the path names no attribute of this resource type.
func (rt *ResourceType) Resolve(path string) (Target, bool) {
	owner, rest := rt.splitURN(path)
	qualified := owner != nil
	if !qualified {
		if strings.HasPrefix(strings.ToLower(path), "urn:") {
			return Target{}, false
		}
		owner = rt.Schema
	}

	name, subName, hasSub := strings.Cut(rest, ".")
	attr := owner.Attr(name)
	if attr == nil && owner == rt.Schema {
		attr = common.Attr(name)
		if attr != nil {
			owner = common
		}
	}
	if attr == nil && !qualified {
		// RFC 7644 section 3.10 only recommends (SHOULD) that clients
		// qualify extension attributes with their URN, so an unqualified
		// name is allowed.
		owner, attr = rt.extensionAttr(name)
	}
	if attr == nil {
		return Target{}, false
	}

	target := Target{Schema: owner, Attr: attr}
	if hasSub {
		target.Sub = attr.Sub(subName)
		if target.Sub == nil {
			return Target{}, false
		}
	}
	return target, true
}

// SchemaByURN returns the core schema or an extension schema of this resource
// type with the given URN, compared without regard to letter case, or nil.
func (rt *ResourceType) SchemaByURN(urn string) *Schema {
	if strings.EqualFold(rt.Schema.ID, urn) {
		return rt.Schema
	}
	return rt.Extension(urn)
}

// extensionAttr returns the extension attribute with the given name and its
// schema, or nils when no extension or more than one defines it.
func (rt *ResourceType) extensionAttr(name string) (*Schema, *Attribute) {
	var owner *Schema
	var attr *Attribute
	for _, ext := range rt.Extensions {
		found := ext.Schema.Attr(name)
		if found == nil {
			continue
		}
		if attr != nil {
			return nil, nil
		}
		owner, attr = ext.Schema, found
	}
	return owner, attr
}

// splitURN splits a fully qualified attribute path into its schema and the
// attribute part. It returns a nil schema and the whole path when the path
// does not start with the URN of a schema of this resource type.
func (rt *ResourceType) splitURN(path string) (*Schema, string) {
	lower := strings.ToLower(path)
	candidates := []*Schema{rt.Schema}
	for _, ext := range rt.Extensions {
		candidates = append(candidates, ext.Schema)
	}

	var best *Schema
	for _, s := range candidates {
		prefix := strings.ToLower(s.ID) + ":"
		if strings.HasPrefix(lower, prefix) && (best == nil || len(s.ID) > len(best.ID)) {
			best = s
		}
	}
	if best == nil {
		return nil, path
	}
	return best, path[len(best.ID)+1:]
}

func find(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}
