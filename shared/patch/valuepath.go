package patch

import (
	"github.com/scimfaas/scimfaas/shared/filter"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// applyValuePath handles paths that select elements of a multi-valued
// attribute, such as emails[type eq "work"].value or members[value eq "x"].
func applyValuePath(rt *schema.ResourceType, doc map[string]any, op Operation, target schema.Target, path filter.Path) error {
	attr := target.Attr
	if !attr.MultiValued || attr.Type != schema.TypeComplex {
		return scimerr.BadRequest(scimerr.InvalidPath, "%q is not a multi-valued complex attribute, so a value filter cannot select its values", attr.Name)
	}
	var sub *schema.Attribute
	if path.SubAttr != "" {
		sub = attr.Sub(path.SubAttr)
		if sub == nil {
			return scimerr.BadRequest(scimerr.InvalidPath, "%q has no sub-attribute %q", attr.Name, path.SubAttr)
		}
		if sub.EffectiveMutability() == schema.ReadOnly {
			return scimerr.BadRequest(scimerr.Mutability, "attribute %q is read-only", attr.Name+"."+sub.Name)
		}
	}

	existing, _ := lookup(containerOf(rt, doc, target), attr.Name).([]any)
	elements := make([]any, 0, len(existing))
	for _, item := range existing {
		elements = append(elements, item)
	}
	matched := matchingIndexes(attr, elements, path.Filter)

	if op.Op == "remove" {
		elements = removeSelected(elements, matched, sub)
		return rt.Set(doc, target, anyOrNil(elements))
	}

	if sub != nil {
		value, err := schema.NormalizeValue(sub, op.Value)
		if err != nil {
			return err
		}
		if len(matched) == 0 {
			// Entra ID and its validator expect add and replace on
			// emails[type eq "work"].value to create the element.
			element, err := elementFromFilter(attr, path.Filter)
			if err != nil {
				return err
			}
			if value == nil {
				return nil
			}
			element[sub.Name] = value
			elements = append(elements, element)
			matched = []int{len(elements) - 1}
		}
		for _, i := range matched {
			element := elements[i].(map[string]any)
			switch {
			case value != nil:
				element[sub.Name] = value
			case sub.Name == "value":
				// A value without its "value", such as an email with no
				// address, is meaningless, so clearing it drops the value.
				clear(element)
			default:
				delete(element, sub.Name)
			}
		}
		preferPrimary(elements, matched)
		elements = dropEmpty(elements)
		return rt.Set(doc, target, anyOrNil(elements))
	}

	value, err := schema.NormalizeElement(attr, op.Value)
	if err != nil {
		return err
	}
	object, _ := value.(map[string]any)
	if object == nil {
		// An absent value adds nothing. On replace it removes the selected
		// values, as null and "" remove an attribute elsewhere.
		if op.Op == "replace" {
			elements = removeSelected(elements, matched, nil)
			return rt.Set(doc, target, anyOrNil(elements))
		}
		return nil
	}
	if len(matched) == 0 {
		if op.Op == "replace" {
			return scimerr.BadRequest(scimerr.NoTarget, "no value of %q matches the filter", attr.Name)
		}
		element, err := elementFromFilter(attr, path.Filter)
		if err != nil {
			return err
		}
		for k, v := range object {
			element[k] = v
		}
		elements = append(elements, element)
		preferPrimary(elements, []int{len(elements) - 1})
		return rt.Set(doc, target, anyOrNil(elements))
	}
	for _, i := range matched {
		// Each selected value gets its own copy, because a later operation
		// or the primary rule may change one of them.
		elements[i] = copyMap(object)
	}
	preferPrimary(elements, matched)
	return rt.Set(doc, target, anyOrNil(elements))
}

// preferPrimary keeps at most one primary value. When a selected element
// claims primary, every other element loses it, so that the value this
// operation marks as primary wins over the old one.
func preferPrimary(elements []any, selected []int) {
	chosen := make(map[int]bool, len(selected))
	claimed := false
	for _, i := range selected {
		chosen[i] = true
		if element, ok := elements[i].(map[string]any); ok && element["primary"] == true {
			claimed = true
		}
	}
	if claimed {
		for i, item := range elements {
			if element, ok := item.(map[string]any); ok && !chosen[i] {
				delete(element, "primary")
			}
		}
	}
	schema.EnforceSinglePrimary(elements)
}

func matchingIndexes(attr *schema.Attribute, elements []any, expr filter.Expr) []int {
	var matched []int
	for i, item := range elements {
		element, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if expr == nil || filter.MatchesElement(expr, attr, element) {
			matched = append(matched, i)
		}
	}
	return matched
}

// removeSelected removes the selected elements, or only their sub-attribute
// when sub is set, dropping elements left empty. Removing the "value"
// sub-attribute removes the whole element, because the rest of it describes
// a value that is gone.
func removeSelected(elements []any, selected []int, sub *schema.Attribute) []any {
	chosen := make(map[int]bool, len(selected))
	for _, i := range selected {
		chosen[i] = true
	}
	kept := make([]any, 0, len(elements))
	for i, item := range elements {
		if !chosen[i] {
			kept = append(kept, item)
			continue
		}
		if sub != nil && sub.Name != "value" {
			element := copyMap(item.(map[string]any))
			delete(element, sub.Name)
			if len(element) > 0 {
				kept = append(kept, element)
			}
		}
	}
	return kept
}

// elementFromFilter builds a new element from the equality comparisons of a
// value filter, so that emails[type eq "work"] creates {"type": "work"} and
// roles[primary eq "True"] creates {"primary": true}. Filters of any other
// shape cannot describe a new element and yield a noTarget error.
func elementFromFilter(attr *schema.Attribute, expr filter.Expr) (map[string]any, error) {
	element := map[string]any{}
	if !collectEqualities(attr, expr, element) {
		return nil, scimerr.BadRequest(scimerr.NoTarget,
			"no value of %q matches the filter, and only a filter of eq comparisons joined by and can describe a new value", attr.Name)
	}
	normalized, err := schema.NormalizeElement(attr, element)
	if err != nil {
		return nil, err
	}
	object, _ := normalized.(map[string]any)
	if object == nil {
		object = map[string]any{}
	}
	return object, nil
}

func collectEqualities(attr *schema.Attribute, expr filter.Expr, into map[string]any) bool {
	switch e := expr.(type) {
	case *filter.Compare:
		if e.Op != "eq" || e.Path.Sub != "" || e.Path.URN != "" {
			return false
		}
		sub := attr.Sub(e.Path.Name)
		if sub == nil {
			return false
		}
		into[sub.Name] = e.Value
		return true
	case *filter.Logical:
		return e.Op == "and" && collectEqualities(attr, e.Left, into) && collectEqualities(attr, e.Right, into)
	}
	return false
}

func dropEmpty(elements []any) []any {
	kept := elements[:0]
	for _, item := range elements {
		if object, ok := item.(map[string]any); ok && len(object) == 0 {
			continue
		}
		kept = append(kept, item)
	}
	return kept
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// deepCopy copies a decoded JSON value, so that changes to the copy never
// reach the original.
func deepCopy(value any) any {
	switch v := value.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = deepCopy(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = deepCopy(item)
		}
		return out
	}
	return value
}
