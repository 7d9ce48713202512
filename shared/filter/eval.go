package filter

import (
	"slices"
	"strings"

	"github.com/scimfaas/scimfaas/shared/schema"
)

// maxEvalDepth bounds the recursion of Matches and Validate. Every Expr that
// Parse returns is far shallower, so only a hand-built tree (or a cyclic
// one) can reach it.
const maxEvalDepth = MaxLength

// schemasAttr defines the "schemas" attribute that every resource carries.
// The schema package does not define it as an attribute, but RFC 7644 gives
// schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" as
// an example filter.
var schemasAttr = &schema.Attribute{Name: "schemas", Type: schema.TypeReference, MultiValued: true}

// Matches reports whether doc, a resource of type rt, matches e.
//
// doc is decoded JSON, as json.Decoder.UseNumber produces it. Core and
// common attributes are top-level keys and extension attributes sit under
// the key of the extension URN. Keys are looked up exactly first and then
// without regard to letter case.
//
// Comparisons follow the attribute definition. Strings compare without
// regard to case unless the attribute is caseExact, dateTimes compare as
// instants, numbers compare numerically, and booleans support only eq and
// ne. A multi-valued attribute matches when any of its values matches, so
// emails.type ne "work" matches a resource with one work and one home
// address. A comparison on a complex attribute without a sub-attribute, such
// as emails co "example.com", compares the "value" sub-attribute.
//
// An attribute that is absent, null, or unknown to rt is missing. On a
// missing attribute "ne" and "eq null" match, and every other comparison
// does not. A literal of the wrong type for the attribute never matches.
// Matches returns false when rt is nil.
func Matches(e Expr, rt *schema.ResourceType, doc map[string]any) bool {
	if rt == nil || rt.Schema == nil {
		return false
	}
	return evaluate(e, resourceScope{rt: rt, doc: doc}, 0)
}

// MatchesElement reports whether elem, one element of the multi-valued
// complex attribute attr, matches e. The attribute paths of e name
// sub-attributes of attr, as in the filter of emails[type eq "work"], and a
// path with a URN or a "." never matches. The rules of Matches apply.
// MatchesElement returns false when attr is nil.
func MatchesElement(e Expr, attr *schema.Attribute, elem map[string]any) bool {
	if attr == nil {
		return false
	}
	return evaluate(e, elementScope{parent: attr, elem: elem}, 0)
}

// scope resolves the attribute paths of a filter to definitions and values.
type scope interface {
	// resolve returns the definition of the attribute that p names, the
	// definition of its sub-attribute (nil when p has none) and the value of
	// the attribute (nil when absent). It reports false when p names no
	// known attribute.
	resolve(p AttrPath) (attr, sub *schema.Attribute, value any, ok bool)
	// describe returns p as the user would name it in an error message.
	describe(p AttrPath) string
}

// resourceScope resolves paths against a whole resource.
type resourceScope struct {
	rt  *schema.ResourceType
	doc map[string]any
}

func (s resourceScope) resolve(p AttrPath) (*schema.Attribute, *schema.Attribute, any, bool) {
	target, ok := s.rt.Resolve(p.String())
	if !ok {
		if p.URN == "" && p.Sub == "" && strings.EqualFold(p.Name, schemasAttr.Name) {
			value, _ := lookupKey(s.doc, schemasAttr.Name)
			return schemasAttr, nil, value, true
		}
		return nil, nil, nil, false
	}

	container := s.doc
	if target.IsExtension(s.rt) {
		extension, _ := lookupKey(s.doc, target.Schema.ID)
		container, _ = extension.(map[string]any)
	}
	value, _ := lookupKey(container, target.Attr.Name)
	return target.Attr, target.Sub, value, true
}

func (s resourceScope) describe(p AttrPath) string {
	return p.String()
}

// elementScope resolves paths against one element of a multi-valued complex
// attribute.
type elementScope struct {
	parent *schema.Attribute
	elem   map[string]any
}

func (s elementScope) resolve(p AttrPath) (*schema.Attribute, *schema.Attribute, any, bool) {
	if p.URN != "" || p.Sub != "" {
		return nil, nil, nil, false
	}
	attr := s.parent.Sub(p.Name)
	if attr == nil {
		return nil, nil, nil, false
	}
	value, _ := lookupKey(s.elem, attr.Name)
	return attr, nil, value, true
}

func (s elementScope) describe(p AttrPath) string {
	return s.parent.Name + "." + p.String()
}

func evaluate(e Expr, sc scope, depth int) bool {
	if depth > maxEvalDepth {
		return false
	}
	switch e := e.(type) {
	case *Logical:
		if e == nil {
			return false
		}
		switch e.Op {
		case OpAnd:
			return evaluate(e.Left, sc, depth+1) && evaluate(e.Right, sc, depth+1)
		case OpOr:
			return evaluate(e.Left, sc, depth+1) || evaluate(e.Right, sc, depth+1)
		}
		return false
	case *Not:
		if e == nil {
			return false
		}
		return !evaluate(e.X, sc, depth+1)
	case *Compare:
		if e == nil {
			return false
		}
		return evaluateCompare(e, sc)
	case *ValuePath:
		if e == nil {
			return false
		}
		return evaluateValuePath(e, sc, depth)
	}
	return false
}

func evaluateCompare(c *Compare, sc scope) bool {
	// An unknown attribute is missing rather than an error, so that a probe
	// on an attribute this server lacks, such as the one that Entra ID's
	// Test Connection sends, gets an empty list.
	attr, sub, value, known := sc.resolve(c.Path)
	present := false
	switch {
	case known && sub != nil:
		present = slices.ContainsFunc(subValues(value, sub), func(v any) bool { return isPresent(v, 0) })
	case known:
		present = isPresent(value, 0)
	}

	if c.Op == OpPr {
		return present
	}
	if c.Value == nil {
		// RFC 7644 leaves comparisons with null undefined, so "eq null" is
		// read as a test for absence and "ne null" as one for presence.
		switch c.Op {
		case OpEq:
			return !present
		case OpNe:
			return present
		}
		return false
	}
	if !known {
		return c.Op == OpNe
	}

	def, values := comparableValues(attr, sub, value)
	if len(values) == 0 {
		return c.Op == OpNe
	}
	for _, v := range values {
		if compareValue(def, c.Op, v, c.Value) {
			return true
		}
	}
	return false
}

func evaluateValuePath(v *ValuePath, sc scope, depth int) bool {
	attr, sub, value, ok := sc.resolve(v.Path)
	if !ok || sub != nil {
		return false
	}
	for _, elem := range flatten(value) {
		m, ok := elem.(map[string]any)
		if ok && evaluate(v.Filter, elementScope{parent: attr, elem: m}, depth+1) {
			return true
		}
	}
	return false
}

// comparableValues returns the definition and the non-null values that a
// comparison on attr, or on its sub-attribute sub, compares against. A
// complex attribute without sub compares its "value" sub-attribute, and
// has no comparable values when it has no such sub-attribute.
func comparableValues(attr, sub *schema.Attribute, value any) (*schema.Attribute, []any) {
	if sub == nil && attr.Type == schema.TypeComplex {
		sub = attr.Sub("value")
		if sub == nil {
			return nil, nil
		}
	}
	if sub == nil {
		return attr, flatten(value)
	}
	return sub, subValues(value, sub)
}

// subValues returns the non-null values of sub in value, which is one
// complex value or an array of them.
func subValues(value any, sub *schema.Attribute) []any {
	var values []any
	for _, elem := range flatten(value) {
		m, ok := elem.(map[string]any)
		if !ok {
			continue
		}
		v, _ := lookupKey(m, sub.Name)
		values = append(values, flatten(v)...)
	}
	return values
}

// flatten returns the non-null elements of value when it is an array, and
// value alone otherwise.
func flatten(value any) []any {
	switch value := value.(type) {
	case nil:
		return nil
	case []any:
		values := make([]any, 0, len(value))
		for _, v := range value {
			if v != nil {
				values = append(values, v)
			}
		}
		return values
	}
	return []any{value}
}

// isPresent reports whether value counts as present for "pr": it is not
// null, an empty string, or an array or object without any present value.
func isPresent(value any, depth int) bool {
	const maxDepth = 32
	if depth > maxDepth {
		// Something this deeply nested is not empty.
		return true
	}
	switch value := value.(type) {
	case nil:
		return false
	case string:
		return value != ""
	case []any:
		return slices.ContainsFunc(value, func(v any) bool { return isPresent(v, depth+1) })
	case map[string]any:
		for _, v := range value {
			if isPresent(v, depth+1) {
				return true
			}
		}
		return false
	}
	return true
}

// lookupKey returns m[key], or when m has no such key, the value of the key
// that equals key without regard to letter case. When several keys qualify
// it takes the smallest, so that the result does not depend on map order.
func lookupKey(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	found := ""
	ok := false
	for k := range m {
		if strings.EqualFold(k, key) && (!ok || k < found) {
			found, ok = k, true
		}
	}
	if !ok {
		return nil, false
	}
	return m[found], true
}
