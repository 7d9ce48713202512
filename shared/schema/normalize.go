package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Normalize validates a resource sent by a client and returns it in the
// stored form. It applies these rules:
//
//   - Attribute names match without regard to letter case and come back in
//     their schema spelling. Extension attributes move under their schema URN,
//     whether they arrive inside the URN object or as fully qualified keys.
//   - Null, "" and empty arrays and objects count as absent and are dropped.
//   - Booleans may arrive as the strings "true" and "false" in any letter case
//     and are stored as JSON booleans.
//   - readOnly attributes (id, meta, groups) and writeOnly ones (password) are
//     dropped, as are attributes that no schema of the resource type defines
//     and "schemas", which is derived on output.
//   - A single-valued complex attribute with a "value" sub-attribute accepts a
//     bare string or a one-element array (the manager forms Entra ID sends).
//   - At most one element of a multi-valued attribute keeps primary true: the
//     last one that claims it.
//   - A string attribute with canonicalValues, such as the type of an email,
//     takes only those values, in any letter case, and stores their spelling.
//
// Any other type mismatch is a 400 invalidValue error that names the attribute.
func (rt *ResourceType) Normalize(input map[string]any) (map[string]any, error) {
	out := make(map[string]any)
	for key, value := range input {
		if strings.EqualFold(key, "schemas") {
			if err := checkSchemas(value); err != nil {
				return nil, err
			}
			continue
		}

		if ext := rt.Extension(key); ext != nil {
			if err := rt.normalizeExtension(out, ext, value); err != nil {
				return nil, err
			}
			continue
		}

		target, ok := rt.Resolve(key)
		if !ok || target.Sub != nil {
			// NOTE: unknown attributes are ignored rather than rejected,
			// because Entra ID and Okta send attributes that no schema of
			// this server defines.
			continue
		}
		if err := rt.Set(out, target, value); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckRequired returns a 400 invalidValue error when doc lacks an attribute
// that the core schema marks as required, or carries an extension but lacks
// one of the extension's required attributes or sub-attributes.
func (rt *ResourceType) CheckRequired(doc map[string]any) error {
	for _, attr := range rt.Schema.Attributes {
		if attr.Required && doc[attr.Name] == nil {
			return scimerr.BadRequest(scimerr.InvalidValue, "attribute %q is required", attr.Name)
		}
	}
	return rt.checkExtensionsRequired(doc)
}

// Set normalizes value for the top-level attribute that target names and
// stores it in doc, or removes the attribute when the value is absent. It
// ignores readOnly and writeOnly attributes. A target with a sub-attribute
// sets only that sub-attribute of a single-valued complex attribute.
func (rt *ResourceType) Set(doc map[string]any, target Target, value any) error {
	attr := target.Attr
	if !writable(attr) || (target.Sub != nil && !writable(target.Sub)) {
		return nil
	}

	container := doc
	if target.IsExtension(rt) {
		container = ensureMap(doc, target.Schema.ID)
	}

	if target.Sub != nil {
		if attr.MultiValued {
			return scimerr.BadRequest(scimerr.InvalidPath,
				"%s.%s selects a sub-attribute of a multi-valued attribute; use a value filter such as %s[type eq \"work\"].%s",
				attr.Name, target.Sub.Name, attr.Name, target.Sub.Name)
		}
		normalized, err := normalizeValue(target.Sub, value, attr.Name+"."+target.Sub.Name)
		if err != nil {
			return err
		}
		parent, _ := container[attr.Name].(map[string]any)
		if parent == nil {
			parent = make(map[string]any)
		}
		setOrDelete(parent, target.Sub.Name, normalized)
		setOrDelete(container, attr.Name, nonEmpty(parent))
		dropEmptyExtension(doc, rt, target)
		return nil
	}

	normalized, err := normalizeValue(attr, value, attr.Name)
	if err != nil {
		return err
	}
	setOrDelete(container, attr.Name, normalized)
	dropEmptyExtension(doc, rt, target)
	return nil
}

// NormalizeValue validates value against attr as Normalize would and returns
// the stored form, or nil when the value counts as absent. For a
// multi-valued attribute, value may be one element or an array of them.
func NormalizeValue(attr *Attribute, value any) (any, error) {
	return normalizeValue(attr, value, attr.Name)
}

// NormalizeElement validates one element of a multi-valued attribute and
// returns its stored form, or nil when it counts as absent.
func NormalizeElement(attr *Attribute, value any) (any, error) {
	return normalizeSingle(attr, value, attr.Name)
}

// EnforceSinglePrimary clears primary on every element of values but the
// last one that claims it, because RFC 7643 section 2.4 allows primary true
// on one value at most.
func EnforceSinglePrimary(values []any) {
	seen := false
	for i := len(values) - 1; i >= 0; i-- {
		elem, ok := values[i].(map[string]any)
		if !ok {
			continue
		}
		if primary, _ := elem["primary"].(bool); primary {
			if seen {
				delete(elem, "primary")
			}
			seen = true
		}
	}
}

func (rt *ResourceType) normalizeExtension(out map[string]any, ext *Schema, value any) error {
	if value == nil {
		return nil
	}
	object, ok := value.(map[string]any)
	if !ok {
		return scimerr.BadRequest(scimerr.InvalidValue, "extension %s must be a JSON object, got %s", ext.ID, describe(value))
	}
	for key, sub := range object {
		attr := ext.Attr(key)
		if attr == nil {
			continue
		}
		if err := rt.Set(out, Target{Schema: ext, Attr: attr}, sub); err != nil {
			return err
		}
	}
	return nil
}

func checkSchemas(value any) error {
	list, ok := value.([]any)
	if !ok && value != nil {
		return scimerr.BadRequest(scimerr.InvalidValue, `"schemas" must be an array of schema URIs, got %s`, describe(value))
	}
	for _, item := range list {
		if _, ok := item.(string); !ok {
			return scimerr.BadRequest(scimerr.InvalidValue, `"schemas" must contain only strings, got %s`, describe(item))
		}
	}
	return nil
}

func writable(attr *Attribute) bool {
	m := attr.EffectiveMutability()
	return m != ReadOnly && m != WriteOnly
}

func normalizeValue(attr *Attribute, value any, path string) (any, error) {
	if value == nil {
		return nil, nil
	}
	if !attr.MultiValued {
		if list, ok := value.([]any); ok {
			switch {
			case len(list) == 0:
				return nil, nil
			case len(list) == 1 && attr.Type == TypeComplex:
				value = list[0]
			}
		}
		return normalizeSingle(attr, value, path)
	}

	list, ok := value.([]any)
	if !ok {
		list = []any{value}
	}
	out := make([]any, 0, len(list))
	for _, item := range list {
		elem, err := normalizeSingle(attr, item, path)
		if err != nil {
			return nil, err
		}
		if elem != nil {
			out = append(out, elem)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	EnforceSinglePrimary(out)
	return out, nil
}

func normalizeSingle(attr *Attribute, value any, path string) (any, error) {
	switch value.(type) {
	case nil:
		return nil, nil
	case []any:
		return nil, scimerr.BadRequest(scimerr.InvalidValue, "attribute %q takes a single value, got an array", path)
	}

	switch attr.Type {
	case TypeString, TypeReference, TypeBinary:
		s, ok := value.(string)
		if !ok {
			return nil, typeError(path, "a string", value)
		}
		if s == "" {
			return nil, nil
		}
		return canonical(attr, s, path)

	case TypeBoolean:
		return parseBoolean(value, path)

	case TypeDecimal, TypeInteger:
		return parseNumber(attr, value, path)

	case TypeDateTime:
		s, ok := value.(string)
		if !ok {
			return nil, typeError(path, "a dateTime string", value)
		}
		if s == "" {
			return nil, nil
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, "attribute %q must be an RFC 3339 dateTime such as 2024-05-01T12:00:00Z, got %q", path, s)
		}
		return s, nil

	case TypeComplex:
		return normalizeComplex(attr, value, path)
	}
	return nil, scimerr.BadRequest(scimerr.InvalidValue, "attribute %q has an unsupported type %q", path, attr.Type)
}

func normalizeComplex(attr *Attribute, value any, path string) (any, error) {
	object, ok := value.(map[string]any)
	if !ok {
		s, isString := value.(string)
		switch {
		case isString && s == "":
			return nil, nil
		case isString && attr.Sub("value") != nil:
			object = map[string]any{"value": s}
		default:
			return nil, typeError(path, "a JSON object", value)
		}
	}

	out := make(map[string]any, len(object))
	for key, subValue := range object {
		sub := attr.Sub(key)
		if sub == nil || !writable(sub) {
			continue
		}
		normalized, err := normalizeSingle(sub, subValue, path+"."+sub.Name)
		if err != nil {
			return nil, err
		}
		setOrDelete(out, sub.Name, normalized)
	}
	return nonEmpty(out), nil
}

func parseBoolean(value any, path string) (any, error) {
	switch v := value.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "":
			return nil, nil
		}
	}
	return nil, typeError(path, "a boolean", value)
}

func parseNumber(attr *Attribute, value any, path string) (any, error) {
	n, ok := value.(json.Number)
	if !ok {
		if f, isFloat := value.(float64); isFloat {
			n = json.Number(fmt.Sprint(f))
		} else {
			return nil, typeError(path, "a number", value)
		}
	}
	if attr.Type == TypeInteger {
		if _, err := n.Int64(); err != nil {
			return nil, typeError(path, "an integer", value)
		}
		return n, nil
	}
	if _, err := n.Float64(); err != nil {
		return nil, typeError(path, "a decimal number", value)
	}
	return n, nil
}

func typeError(path, expected string, value any) error {
	return scimerr.BadRequest(scimerr.InvalidValue, "attribute %q must be %s, got %s", path, expected, describe(value))
}

// describe names the JSON type of value for error details without echoing
// long values back.
func describe(value any) string {
	switch v := value.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 40 {
			return "a string"
		}
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	case json.Number, float64:
		return fmt.Sprintf("the number %v", v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of type %T", value)
}

func setOrDelete(m map[string]any, key string, value any) {
	if value == nil {
		delete(m, key)
		return
	}
	m[key] = value
}

// nonEmpty returns m, or nil when m has no keys, so that an empty object
// counts as absent.
func nonEmpty(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

func ensureMap(doc map[string]any, key string) map[string]any {
	m, ok := doc[key].(map[string]any)
	if !ok {
		m = make(map[string]any)
		doc[key] = m
	}
	return m
}

func dropEmptyExtension(doc map[string]any, rt *ResourceType, target Target) {
	if !target.IsExtension(rt) {
		return
	}
	if m, ok := doc[target.Schema.ID].(map[string]any); ok && len(m) == 0 {
		delete(doc, target.Schema.ID)
	}
}

// canonical checks a string against the attribute's canonicalValues, when
// it has any, and returns the value in its canonical spelling: "Work"
// becomes "work". Values outside the list are a 400 invalidValue error.
func canonical(attr *Attribute, value, path string) (any, error) {
	if len(attr.CanonicalValues) == 0 {
		return value, nil
	}
	for _, allowed := range attr.CanonicalValues {
		if strings.EqualFold(allowed, value) {
			return allowed, nil
		}
	}
	return nil, scimerr.BadRequest(scimerr.InvalidValue, "attribute %q must be one of %s, got %q",
		path, strings.Join(attr.CanonicalValues, ", "), value)
}
