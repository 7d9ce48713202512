package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// MaxExtensionsFileSize is the largest extension schema file, in bytes, that
// LoadExtensions reads. It keeps a wrong path, such as a device file, from
// filling memory. One attribute definition takes about 200 bytes.
const MaxExtensionsFileSize = 1 << 20

// CustomExtension is an extension schema that an administrator defined in a
// configuration file, with the id of the resource type that it extends.
type CustomExtension struct {
	// ResourceType is the id of the extended resource type, such as "User",
	// in the spelling of that resource type.
	ResourceType string
	Schema       *Schema
}

// extensibleTypes are the resource types that a custom extension may
// extend: the ones this server serves.
var extensibleTypes = []*ResourceType{UserType}

// reservedURNs are the URNs of the schemas and messages that this server
// defines itself, which no custom extension may take.
var reservedURNs = []string{
	UserURN, EnterpriseUserURN, GroupURN, SchemaURN, ResourceTypeURN,
	ServiceConfigURN, ListResponseURN, PatchOpURN, SearchRequestURN, ErrorURN,
}

// LoadExtensions reads custom extension schemas from r and validates them.
//
// The input is a JSON array of Schema resources as RFC 7643 section 7
// defines them, each with one more member, "resourceType", the id of the
// resource type it extends ("User"). Each schema has an "id" (a URN), an
// optional "name" and "description", and "attributes". Each attribute has a
// "name" and a "type" and may have "multiValued", "description",
// "required", "caseExact", "mutability", "returned", "uniqueness",
// "canonicalValues", "referenceTypes" and, for type complex,
// "subAttributes". The members "schemas" and "meta" are accepted and
// ignored, so that a Schema resource copied from a /Schemas response loads
// once "resourceType" is added. Any other member is an error.
//
// A required attribute is required on the resources that carry the
// extension, and a required sub-attribute in every value of its complex
// attribute (see CheckRequired). Uniqueness must be "none", because the
// server indexes only userName and externalId and could not enforce it.
//
// The error lists every problem found, each naming the schema and, where
// one is at fault, the attribute.
func LoadExtensions(r io.Reader) ([]CustomExtension, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxExtensionsFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read extension schemas: %w", err)
	}
	if len(data) > MaxExtensionsFileSize {
		return nil, fmt.Errorf("extension schemas are larger than %d bytes", MaxExtensionsFileSize)
	}

	var items []json.RawMessage
	if err := decodeStrict(data, &items); err != nil {
		return nil, fmt.Errorf("extension schemas must be a JSON array of Schema objects: %w", err)
	}
	if items == nil {
		return nil, errors.New("extension schemas must be a JSON array of Schema objects: got null")
	}

	var (
		out      []CustomExtension
		problems []error
		seen     = map[string]int{}
	)
	for i, item := range items {
		ext, errs := decodeExtension(item, i+1)
		problems = append(problems, errs...)
		if ext.Schema == nil {
			continue
		}

		key := strings.ToLower(ext.Schema.ID)
		if first, dup := seen[key]; dup {
			problems = append(problems, fmt.Errorf("schema %d (%s): id is already used by schema %d", i+1, ext.Schema.ID, first))
			continue
		}
		seen[key] = i + 1
		out = append(out, ext)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return out, nil
}

// WithExtensions returns a copy of rt whose extensions are rt's followed by
// exts, none of them required on a resource. It leaves rt unchanged and
// shares the schemas with it.
//
// It returns an error when an extension repeats the URN of a schema of the
// copy, when one URN is another followed by ":" and more, or when two
// extensions define the same attribute name. Each of these would let a
// path such as "costCode" or "URN:costCode" name two attributes.
func (rt *ResourceType) WithExtensions(exts ...*Schema) (*ResourceType, error) {
	out := *rt
	out.Extensions = slices.Clone(rt.Extensions)

	for _, ext := range exts {
		if ext == nil {
			return nil, errors.New("extension schema is nil")
		}
		if err := out.checkNewExtension(ext); err != nil {
			return nil, err
		}
		out.Extensions = append(out.Extensions, Extension{Schema: ext})
	}
	return &out, nil
}

func (rt *ResourceType) checkNewExtension(ext *Schema) error {
	existing := []*Schema{rt.Schema}
	for _, other := range rt.Extensions {
		existing = append(existing, other.Schema)
	}

	newURN := strings.ToLower(ext.ID)
	for _, other := range existing {
		otherURN := strings.ToLower(other.ID)
		switch {
		case newURN == otherURN:
			return fmt.Errorf("extension %s: resource type %s already has a schema with this URN", ext.ID, rt.ID)
		case strings.HasPrefix(newURN, otherURN+":"), strings.HasPrefix(otherURN, newURN+":"):
			return fmt.Errorf("extension %s: one of its URN and the URN %s of resource type %s starts with the other followed by \":\", so an attribute path could name either schema; choose a URN that does not start with another schema's URN", ext.ID, other.ID, rt.ID)
		}
	}

	for _, other := range rt.Extensions {
		for _, attr := range ext.Attributes {
			if other.Schema.Attr(attr.Name) != nil {
				return fmt.Errorf("extension %s: attribute %q is also defined by extension %s, so the path %q would name two attributes; choose another name", ext.ID, attr.Name, other.Schema.ID, attr.Name)
			}
		}
	}
	return nil
}

// checkExtensionsRequired returns a 400 invalidValue error when doc
// carries an extension but lacks one of its required attributes, or holds
// a complex extension value that lacks a required sub-attribute. An
// extension without a value in doc requires nothing, because extensions
// are optional on this server.
func (rt *ResourceType) checkExtensionsRequired(doc map[string]any) error {
	for _, ext := range rt.Extensions {
		object, _ := doc[ext.Schema.ID].(map[string]any)
		if len(object) == 0 {
			continue
		}
		for _, attr := range ext.Schema.Attributes {
			value := object[attr.Name]
			if attr.Required && value == nil {
				return scimerr.BadRequest(scimerr.InvalidValue, "attribute %q of extension %s is required", attr.Name, ext.Schema.ID)
			}
			if err := checkRequiredSubAttributes(ext.Schema, attr, value); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkRequiredSubAttributes(owner *Schema, attr *Attribute, value any) error {
	if attr.Type != TypeComplex || value == nil {
		return nil
	}
	values, isList := value.([]any)
	if !isList {
		values = []any{value}
	}
	for _, item := range values {
		object, _ := item.(map[string]any)
		for _, sub := range attr.SubAttributes {
			if sub.Required && object[sub.Name] == nil {
				return scimerr.BadRequest(scimerr.InvalidValue, "sub-attribute %q of extension %s is required in every %s value", attr.Name+"."+sub.Name, owner.ID, attr.Name)
			}
		}
	}
	return nil
}

// decodeStrict decodes data, which must be exactly one JSON value, into v.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("the input is empty")
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	if err := decoder.Decode(v); err != nil {
		return describeJSONError(err)
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data follows the JSON value")
	}
	return nil
}

func describeJSONError(err error) error {
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("invalid JSON at byte %d: %w", syntaxErr.Offset, err)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("got a JSON %s", typeErr.Value)
	}
	return err
}
