package patch

import (
	"slices"
	"strconv"
	"strings"

	"github.com/scimfaas/scimfaas/shared/filter"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// MemberRef is a member that a request names: its id and, when the client
// sent one, its resource type.
type MemberRef struct {
	ID   string
	Type string
}

// MemberDelta is the net effect of a request on a multi-valued member
// attribute, computed without reading the current members, so that its
// cost follows the number of members the request names.
type MemberDelta struct {
	// Replace means the request sets the whole member list: every current
	// member that Add does not list leaves.
	Replace bool
	// Add lists the members present after the request, in request order.
	Add []MemberRef
	// Remove lists the ids that leave, when Replace is false.
	Remove []string
	// Verify lists members that an add or replace names but that a later
	// operation removes again. They must still exist, because applying the
	// operations one after another would fail on them.
	Verify []MemberRef
}

// Empty reports whether the delta changes nothing.
func (d MemberDelta) Empty() bool {
	return !d.Replace && len(d.Add) == 0 && len(d.Remove) == 0
}

// memberState folds operations in order into a final state per id.
type memberState struct {
	replace bool
	order   []string
	present map[string]bool
	types   map[string]string
	// named lists every member that an add or replace names, once.
	named []MemberRef
}

func (m *memberState) set(ref MemberRef, present bool) {
	if present && !slices.Contains(m.named, ref) {
		m.named = append(m.named, ref)
	}
	if _, seen := m.present[ref.ID]; !seen {
		m.order = append(m.order, ref.ID)
	}
	m.present[ref.ID] = present
	if present && ref.Type != "" {
		m.types[ref.ID] = ref.Type
	}
}

func (m *memberState) clear() {
	m.replace = true
	m.order = nil
	m.present = map[string]bool{}
}

func (m *memberState) delta() MemberDelta {
	d := MemberDelta{Replace: m.replace}
	for _, id := range m.order {
		if m.present[id] {
			d.Add = append(d.Add, MemberRef{ID: id, Type: m.types[id]})
		} else if !m.replace {
			d.Remove = append(d.Remove, id)
		}
	}
	for _, ref := range m.named {
		added := m.present[ref.ID] && (ref.Type == "" || ref.Type == m.types[ref.ID])
		if !added {
			d.Verify = append(d.Verify, ref)
		}
	}
	return d
}

// SplitMembers separates the operations on the multi-valued complex
// attribute named attr (such as a group's "members") from the others, and
// folds them into one MemberDelta, so that a member change never rewrites
// the whole member list. It handles the forms clients send: add with a
// list of {"value"}, replace of the whole list, remove with a value list
// (which removes only those members), remove of members[value eq "id"],
// and no-path add or replace whose value holds attr. The other operations
// are returned in order for Apply; no-path values lose their attr member.
//
// Filters on attr in a path must compare value with eq, because other
// filters would need every current member. Changing a sub-attribute of a
// member is a 400 mutability error: members are added and removed whole.
func SplitMembers(rt *schema.ResourceType, ops []Operation, attr string) ([]Operation, MemberDelta, error) {
	state := &memberState{present: map[string]bool{}, types: map[string]string{}}
	var rest []Operation
	for i, op := range ops {
		handled, remaining, err := splitOne(rt, op, attr, state)
		if err != nil {
			if scimErr := scimerr.As(err); scimErr != nil {
				scimErr.Detail = "operation " + strconv.Itoa(i+1) + " (" + op.Op + "): " + scimErr.Detail
			}
			return nil, MemberDelta{}, err
		}
		if !handled {
			rest = append(rest, op)
		} else if remaining != nil {
			rest = append(rest, *remaining)
		}
	}
	return rest, state.delta(), nil
}

// splitOne folds op into state when it targets attr. It returns the part
// of a no-path operation that does not, if any.
func splitOne(rt *schema.ResourceType, op Operation, attr string, state *memberState) (bool, *Operation, error) {
	if op.Path == "" {
		object, ok := op.Value.(map[string]any)
		if !ok {
			return false, nil, nil
		}
		keys := memberKeys(rt, object, attr)
		if len(keys) == 0 {
			return false, nil, nil
		}
		for _, key := range keys {
			if err := setMembers(op.Op, object[key], state); err != nil {
				return true, nil, err
			}
		}
		rest := make(map[string]any, len(object))
		for k, v := range object {
			if !slices.Contains(keys, k) {
				rest[k] = v
			}
		}
		if len(rest) == 0 {
			return true, nil, nil
		}
		return true, &Operation{Op: op.Op, Value: rest}, nil
	}

	path, err := filter.ParsePath(op.Path)
	if err != nil {
		return false, nil, err
	}
	target, ok := rt.Resolve(path.Attr.String())
	if !ok || !strings.EqualFold(target.Attr.Name, attr) || target.IsExtension(rt) {
		return false, nil, nil
	}
	if target.Sub != nil || path.SubAttr != "" {
		return true, nil, scimerr.BadRequest(scimerr.Mutability, "%s are added and removed whole; their sub-attributes cannot be changed", attr)
	}

	if path.Filter != nil {
		ids, ok := valueEqualities(path.Filter)
		if !ok {
			return true, nil, scimerr.BadRequest(scimerr.InvalidFilter, `a %s filter in a path must compare value with eq, such as %s[value eq "id"]`, attr, attr)
		}
		if op.Op != "remove" {
			return true, nil, scimerr.BadRequest(scimerr.InvalidPath, "%s with a filter can only be removed; add the new member with path %q", op.Op, attr)
		}
		for _, id := range ids {
			state.set(MemberRef{ID: id}, false)
		}
		return true, nil, nil
	}

	if op.Op == "remove" && op.Value == nil {
		// RFC 7644 section 3.5.2.2: remove without a filter or value
		// removes every value. An empty value list removes nothing.
		state.clear()
		return true, nil, nil
	}
	return true, nil, setMembers(op.Op, op.Value, state)
}

// setMembers applies an add, replace or remove whose value is a member
// list (or one member object).
func setMembers(opName string, value any, state *memberState) error {
	refs, err := memberRefs(value)
	if err != nil {
		return err
	}
	switch opName {
	case "replace":
		state.clear()
		for _, ref := range refs {
			state.set(ref, true)
		}
	case "add":
		for _, ref := range refs {
			state.set(ref, true)
		}
	case "remove":
		for _, ref := range refs {
			state.set(ref, false)
		}
	}
	return nil
}

// memberKeys returns, sorted, the keys of a no-path value that name the
// member attribute, plain or fully qualified, in any letter case. A value
// may spell it more than once, and each spelling counts.
func memberKeys(rt *schema.ResourceType, object map[string]any, attr string) []string {
	var keys []string
	for key := range object {
		target, ok := rt.Resolve(key)
		if ok && target.Sub == nil && !target.IsExtension(rt) && strings.EqualFold(target.Attr.Name, attr) {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// memberRefs reads a member list: an array of objects with a string
// "value", or one such object. null or an empty array is an empty list.
func memberRefs(value any) ([]MemberRef, error) {
	var items []any
	switch v := value.(type) {
	case nil:
		return nil, nil
	case []any:
		items = v
	case map[string]any:
		items = []any{v}
	default:
		return nil, scimerr.BadRequest(scimerr.InvalidValue, `members must be an array of objects such as {"value":"id"}`)
	}

	refs := make([]MemberRef, 0, len(items))
	for i, item := range items {
		object, ok := item.(map[string]any)
		if !ok {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, `member %d must be an object such as {"value":"id"}`, i+1)
		}
		var ref MemberRef
		for key, v := range object {
			switch strings.ToLower(key) {
			case "value":
				ref.ID, _ = v.(string)
			case "type":
				text, _ := v.(string)
				ref.Type = canonicalType(text)
				if text != "" && ref.Type == "" {
					return nil, scimerr.BadRequest(scimerr.InvalidValue, `member %d has type %q; use "User" or "Group"`, i+1, text)
				}
			}
		}
		if strings.TrimSpace(ref.ID) == "" {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, `member %d needs a non-empty string "value" holding the member's id`, i+1)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// MemberRefs reads the member list of a POST or PUT body; see memberRefs.
func MemberRefs(value any) ([]MemberRef, error) {
	return memberRefs(value)
}

func canonicalType(text string) string {
	for _, name := range []string{"User", "Group"} {
		if strings.EqualFold(text, name) {
			return name
		}
	}
	return ""
}

// valueEqualities returns the ids of a filter that selects members by id:
// value eq "x", or several such terms joined by or.
func valueEqualities(expr filter.Expr) ([]string, bool) {
	switch e := expr.(type) {
	case *filter.Compare:
		value, isString := e.Value.(string)
		if e.Op == filter.OpEq && isString && e.Path.URN == "" && e.Path.Sub == "" && strings.EqualFold(e.Path.Name, "value") {
			return []string{value}, true
		}
	case *filter.Logical:
		if e.Op != filter.OpOr {
			return nil, false
		}
		left, ok := valueEqualities(e.Left)
		if !ok {
			return nil, false
		}
		right, ok := valueEqualities(e.Right)
		if !ok {
			return nil, false
		}
		return append(left, right...), true
	}
	return nil, false
}
