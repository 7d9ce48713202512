package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The values that RFC 7643 sections 2.2, 2.3 and 7 allow for the attribute
// characteristics of a Schema resource.
var (
	attributeTypes = []string{TypeString, TypeBoolean, TypeDecimal, TypeInteger, TypeDateTime, TypeReference, TypeBinary, TypeComplex}
	mutabilities   = []string{ReadOnly, ReadWrite, Immutable, WriteOnly}
	returnedValues = []string{ReturnedAlways, ReturnedNever, ReturnedDefault, ReturnedRequest}
)

// decodeExtension decodes and validates one Schema object of an extension
// schema file. It returns the schema whenever its id is a valid URN, so
// that the caller can find duplicate ids, together with every problem found.
func decodeExtension(item json.RawMessage, number int) (CustomExtension, []error) {
	var (
		id, name, description, resourceType string
		attributes                          []json.RawMessage
	)
	where := fmt.Sprintf("schema %d", number)
	memberProblems, isObject := decodeMembers(item, map[string]any{
		"id":           &id,
		"name":         &name,
		"description":  &description,
		"resourceType": &resourceType,
		"attributes":   &attributes,
		"schemas":      new(json.RawMessage),
		"meta":         new(json.RawMessage),
	})
	if !isObject {
		return CustomExtension{}, []error{fmt.Errorf("%s is not a JSON object", where)}
	}

	var problems []error
	validID := false
	switch err := checkExtensionURN(id); {
	case memberProblems["id"] != "":
		// The member problems below report it.
	case id == "":
		problems = append(problems, fmt.Errorf("%s: missing \"id\", the URN of the extension schema", where))
	case err != nil:
		problems = append(problems, fmt.Errorf("%s: %w", where, err))
	default:
		validID = true
		where = fmt.Sprintf("schema %d (%s)", number, id)
	}

	problems = append(problems, prefixAll(where, memberProblems)...)

	typeID, err := extendedTypeID(resourceType)
	if err != nil && memberProblems["resourceType"] == "" {
		problems = append(problems, fmt.Errorf("%s: %w", where, err))
	}

	if len(attributes) == 0 && memberProblems["attributes"] == "" {
		problems = append(problems, fmt.Errorf("%s: \"attributes\" is missing or empty; an extension schema needs at least one attribute", where))
	}
	attrs, attrProblems := decodeAttributes(attributes, where, nil)
	problems = append(problems, attrProblems...)

	if !validID {
		return CustomExtension{}, problems
	}
	return CustomExtension{
		ResourceType: typeID,
		Schema:       &Schema{ID: id, Name: name, Description: description, Attributes: attrs},
	}, problems
}

// checkExtensionURN returns an error unless id is a URN of RFC 8141's form
// "urn:" NID ":" NSS that no schema of this server uses. The NSS may hold
// only the characters that filter and PATCH paths accept in a URN.
func checkExtensionURN(id string) error {
	if len(id) < len("urn:") || !strings.EqualFold(id[:len("urn:")], "urn:") {
		return fmt.Errorf("id %q is not a URN: it must start with \"urn:\", as in urn:ietf:params:scim:schemas:extension:acme:2.0:User", id)
	}
	nid, nss, found := strings.Cut(id[len("urn:"):], ":")
	if !found || !isNamespaceID(nid) || nss == "" {
		return fmt.Errorf("id %q is not a URN: it must be \"urn:\", a namespace of 2 to 32 letters, digits and hyphens, \":\" and a non-empty name", id)
	}
	for _, c := range nss {
		if !isURNChar(c) {
			return fmt.Errorf("id %q contains %q, which a URN in an attribute path may not contain; use letters, digits and -._~:%%!$&'*+,;=@/", id, c)
		}
	}
	for _, reserved := range reservedURNs {
		if strings.EqualFold(id, reserved) {
			return fmt.Errorf("id %q is the URN of a schema or message that this server defines; an extension needs a URN of its own", id)
		}
	}
	return nil
}

// isNamespaceID reports whether s is a namespace identifier of RFC 8141
// section 2: 2 to 32 letters, digits and inner hyphens.
func isNamespaceID(s string) bool {
	if len(s) < 2 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

func isURNChar(c rune) bool {
	return isASCIILetter(c) || isASCIIDigit(c) || strings.ContainsRune("-._~:%!$&'*+,;=@/", c)
}

// extendedTypeID returns the id of the served resource type that the
// "resourceType" member names, compared without regard to letter case.
func extendedTypeID(name string) (string, error) {
	var ids []string
	for _, rt := range extensibleTypes {
		if strings.EqualFold(rt.ID, name) {
			return rt.ID, nil
		}
		ids = append(ids, fmt.Sprintf("%q", rt.ID))
	}
	if name == "" {
		return "", fmt.Errorf("missing \"resourceType\", the resource type that the schema extends: one of %s", strings.Join(ids, ", "))
	}
	return "", fmt.Errorf("resourceType %q is not a resource type this server serves: use one of %s", name, strings.Join(ids, ", "))
}

// decodeAttributes decodes the attribute definitions of a schema, or the
// sub-attribute definitions of parent when parent is not nil.
func decodeAttributes(items []json.RawMessage, where string, parent *Attribute) ([]*Attribute, []error) {
	var (
		attrs    []*Attribute
		problems []error
		seen     = map[string]bool{}
	)
	for i, item := range items {
		attr, errs := decodeAttribute(item, where, parent, i+1)
		problems = append(problems, errs...)
		if attr == nil || attr.Name == "" {
			continue
		}
		key := strings.ToLower(attr.Name)
		if seen[key] {
			problems = append(problems, fmt.Errorf("%s: %s is defined twice; names are compared without regard to letter case", where, attributeLabel(parent, attr.Name, i+1)))
			continue
		}
		seen[key] = true
		attrs = append(attrs, attr)
	}
	return attrs, problems
}

// decodeAttribute decodes and validates one attribute definition. number
// is its position among its siblings, used in messages when it has no
// valid name.
func decodeAttribute(item json.RawMessage, where string, parent *Attribute, number int) (*Attribute, []error) {
	attr := &Attribute{}
	var subAttributes []json.RawMessage
	label := attributeLabel(parent, "", number)
	memberProblems, isObject := decodeMembers(item, map[string]any{
		"name":            &attr.Name,
		"type":            &attr.Type,
		"multiValued":     &attr.MultiValued,
		"description":     &attr.Description,
		"required":        &attr.Required,
		"caseExact":       &attr.CaseExact,
		"mutability":      &attr.Mutability,
		"returned":        &attr.Returned,
		"uniqueness":      &attr.Uniqueness,
		"canonicalValues": &attr.CanonicalValues,
		"referenceTypes":  &attr.ReferenceTypes,
		"subAttributes":   &subAttributes,
	})
	if !isObject {
		return nil, []error{fmt.Errorf("%s: %s is not a JSON object", where, label)}
	}

	var problems []error
	switch {
	case memberProblems["name"] != "":
		// The member problems below report it.
	case attr.Name == "":
		problems = append(problems, fmt.Errorf("%s: %s has no \"name\"", where, label))
	case !isAttributeName(attr.Name):
		problems = append(problems, fmt.Errorf("%s: %s has the invalid name %q; a name starts with a letter and contains only letters, digits, \"-\" and \"_\"", where, label, attr.Name))
		attr.Name = ""
	default:
		label = attributeLabel(parent, attr.Name, number)
	}
	problems = append(problems, prefixAll(where+": "+label, memberProblems)...)

	if attr.Type == "" && memberProblems["type"] == "" {
		problems = append(problems, fmt.Errorf("%s: %s has no \"type\"; use one of %s", where, label, strings.Join(attributeTypes, ", ")))
	}
	for _, problem := range attributeProblems(attr, parent, len(subAttributes) > 0) {
		problems = append(problems, fmt.Errorf("%s: %s %s", where, label, problem))
	}

	if attr.Type == TypeComplex && parent == nil {
		subs, subProblems := decodeAttributes(subAttributes, where, attr)
		attr.SubAttributes = subs
		problems = append(problems, subProblems...)
	}
	return attr, problems
}

// attributeProblems returns what is wrong with the characteristics of attr,
// each as a phrase that follows the attribute's label. parent is nil for a
// top-level attribute.
func attributeProblems(attr, parent *Attribute, hasSubAttributes bool) []string {
	var problems []string
	if attr.Type != "" && !slices.Contains(attributeTypes, attr.Type) {
		problems = append(problems, fmt.Sprintf("has the invalid type %q; use one of %s", attr.Type, strings.Join(attributeTypes, ", ")))
	}

	if attr.Type == TypeComplex && parent != nil {
		problems = append(problems, "is complex, but a sub-attribute may not be complex (RFC 7643 section 2.3.8)")
	}
	if attr.MultiValued && parent != nil {
		problems = append(problems, "is multi-valued, which this server does not support for sub-attributes")
	}
	if attr.Mutability == Immutable && parent != nil {
		problems = append(problems, "is immutable, which this server enforces only for top-level attributes")
	}
	if attr.Type == TypeComplex && parent == nil && !hasSubAttributes {
		problems = append(problems, "is complex but has no \"subAttributes\"")
	}
	if attr.Type != TypeComplex && hasSubAttributes {
		problems = append(problems, fmt.Sprintf("has \"subAttributes\", which only a complex attribute may have, but its type is %q", attr.Type))
	}

	if attr.Mutability != "" && !slices.Contains(mutabilities, attr.Mutability) {
		problems = append(problems, fmt.Sprintf("has the invalid mutability %q; use one of %s", attr.Mutability, strings.Join(mutabilities, ", ")))
	}
	if attr.Required && (attr.Mutability == ReadOnly || attr.Mutability == WriteOnly) {
		problems = append(problems, fmt.Sprintf("is required and %s, but this server never stores a client's value of a %s attribute, so every write would fail", attr.Mutability, attr.Mutability))
	}
	if attr.Returned != "" && !slices.Contains(returnedValues, attr.Returned) {
		problems = append(problems, fmt.Sprintf("has the invalid returned %q; use one of %s", attr.Returned, strings.Join(returnedValues, ", ")))
	}

	switch attr.Uniqueness {
	case "", "none":
	case "server", "global":
		problems = append(problems, fmt.Sprintf("has uniqueness %q, which this server cannot enforce for extension attributes; use \"none\"", attr.Uniqueness))
	default:
		problems = append(problems, fmt.Sprintf("has the invalid uniqueness %q; use \"none\"", attr.Uniqueness))
	}

	if len(attr.CanonicalValues) > 0 && attr.Type == TypeComplex {
		problems = append(problems, "has \"canonicalValues\", but a complex attribute has none; put them on a sub-attribute")
	}
	if len(attr.ReferenceTypes) > 0 && attr.Type != TypeReference {
		problems = append(problems, fmt.Sprintf("has \"referenceTypes\", which only a reference attribute may have, but its type is %q", attr.Type))
	}
	return problems
}

// attributeLabel names an attribute in messages: by its path when name is
// known, else by its position.
func attributeLabel(parent *Attribute, name string, number int) string {
	switch {
	case parent == nil && name != "":
		return fmt.Sprintf("attribute %q", name)
	case parent == nil:
		return fmt.Sprintf("attribute %d", number)
	case name != "":
		return fmt.Sprintf("sub-attribute %q", parent.Name+"."+name)
	}
	return fmt.Sprintf("sub-attribute %d of %q", number, parent.Name)
}

// isAttributeName reports whether s is an ATTRNAME of RFC 7643 section 2.1:
// a letter followed by letters, digits, "-" and "_".
func isAttributeName(s string) bool {
	if s == "" || !isASCIILetter(rune(s[0])) {
		return false
	}
	for _, c := range s {
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isASCIILetter(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isASCIIDigit(c rune) bool {
	return c >= '0' && c <= '9'
}

// decodeMembers decodes the JSON object item into the destinations that
// fields maps member names to, matched exactly. It returns a problem for
// each member that fields lacks and for each member of the wrong JSON type,
// keyed by member name. It reports false when item is not a JSON object.
func decodeMembers(item json.RawMessage, fields map[string]any) (map[string]string, bool) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(item, &members); err != nil || members == nil {
		return nil, false
	}

	problems := map[string]string{}
	for key, raw := range members {
		destination, known := fields[key]
		if !known {
			problems[key] = fmt.Sprintf("unknown member %q; the members are %s", key, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			continue
		}
		if err := json.Unmarshal(raw, destination); err != nil {
			problems[key] = fmt.Sprintf("%q must be %s", key, expectedJSON(destination))
		}
	}
	return problems, true
}

// prefixAll returns the problems of decodeMembers as errors that start with
// where, in member name order.
func prefixAll(where string, problems map[string]string) []error {
	var out []error
	for _, key := range slices.Sorted(maps.Keys(problems)) {
		out = append(out, fmt.Errorf("%s: %s", where, problems[key]))
	}
	return out
}

// expectedJSON describes the JSON value that a destination of decodeMembers
// takes.
func expectedJSON(destination any) string {
	switch destination.(type) {
	case *string:
		return "a string"
	case *bool:
		return "true or false"
	case *[]string:
		return "an array of strings"
	case *[]json.RawMessage:
		return "an array of objects"
	}
	return "valid JSON"
}
