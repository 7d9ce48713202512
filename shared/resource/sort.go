package resource

import (
	"container/heap"
	"encoding/json"
	"strings"
	"time"

	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// sorter orders resources by one attribute as RFC 7644 section 3.4.2.3
// describes. A multi-valued attribute sorts by its primary value, else by
// its first one. Strings compare without regard to case unless the
// attribute is case-exact. Resources without a value come last in
// ascending order and first in descending order. Ties keep creation order.
type sorter struct {
	target     schema.Target
	rt         *schema.ResourceType
	descending bool
}

// parseSort reads the sortBy and sortOrder parameters. It returns nil when
// sortBy is empty, and a 400 invalidValue error for an attribute the
// resource type lacks, a complex attribute without a sub-attribute to sort
// by, or a sortOrder other than ascending or descending.
func (s *Service) parseSort(sortBy, sortOrder string) (*sorter, error) {
	sortBy = strings.TrimSpace(sortBy)
	sortOrder = strings.TrimSpace(sortOrder)
	if sortBy == "" {
		if sortOrder != "" && !validOrder(sortOrder) {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, `sortOrder must be "ascending" or "descending", got %q`, sortOrder)
		}
		return nil, nil
	}
	if sortOrder != "" && !validOrder(sortOrder) {
		return nil, scimerr.BadRequest(scimerr.InvalidValue, `sortOrder must be "ascending" or "descending", got %q`, sortOrder)
	}

	target, ok := s.Type.Resolve(sortBy)
	if !ok {
		return nil, scimerr.BadRequest(scimerr.InvalidValue, "sortBy %q names no attribute of %s", sortBy, s.Type.Name)
	}
	if name := target.Attr.Name; !target.IsExtension(s.Type) &&
		((name == membersAttr && s.HoldsMembers()) || (name == groupsAttr && s.listsGroups())) {
		return nil, scimerr.BadRequest(scimerr.InvalidValue, "sortBy %q is not supported: %s are stored apart from the resources", sortBy, name)
	}
	if target.Sub == nil && target.Attr.Type == schema.TypeComplex {
		// A multi-valued complex attribute such as emails sorts by the
		// value sub-attribute of its primary value.
		value := target.Attr.Sub("value")
		if !target.Attr.MultiValued || value == nil {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, "sortBy %q is a complex attribute; name one of its sub-attributes, such as %s.%s",
				sortBy, target.Attr.Name, target.Attr.SubAttributes[0].Name)
		}
		target.Sub = value
	}
	return &sorter{target: target, rt: s.Type, descending: strings.EqualFold(sortOrder, "descending")}, nil
}

func validOrder(order string) bool {
	return strings.EqualFold(order, "ascending") || strings.EqualFold(order, "descending")
}

// less reports whether a sorts before b.
func (o *sorter) less(a, b Resource) bool {
	va, vb := o.key(a), o.key(b)
	switch {
	case va == nil && vb == nil:
		return createdBefore(a, b)
	case va == nil:
		// A missing value is last in ascending and first in descending order.
		return o.descending
	case vb == nil:
		return !o.descending
	}
	c := o.compare(va, vb)
	if c == 0 {
		return createdBefore(a, b)
	}
	if o.descending {
		return c > 0
	}
	return c < 0
}

// key returns the value a resource sorts by, or nil when it has none.
func (o *sorter) key(r Resource) any {
	container := r.Doc
	if o.target.IsExtension(o.rt) {
		container, _ = r.Doc[o.target.Schema.ID].(map[string]any)
	}
	value := container[o.target.Attr.Name]
	if list, ok := value.([]any); ok {
		value = primaryOrFirst(list)
	}
	if o.target.Sub != nil {
		object, _ := value.(map[string]any)
		value = object[o.target.Sub.Name]
	}
	return value
}

func primaryOrFirst(list []any) any {
	for _, item := range list {
		if object, ok := item.(map[string]any); ok {
			if primary, _ := object["primary"].(bool); primary {
				return item
			}
		}
	}
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// compare orders two values of the sort attribute by its type.
func (o *sorter) compare(a, b any) int {
	attr := o.target.Attr
	if o.target.Sub != nil {
		attr = o.target.Sub
	}
	switch attr.Type {
	case schema.TypeBoolean:
		ab, _ := a.(bool)
		bb, _ := b.(bool)
		return boolCompare(ab, bb)
	case schema.TypeInteger, schema.TypeDecimal:
		af, aok := number(a)
		bf, bok := number(b)
		if aok && bok {
			return floatCompare(af, bf)
		}
	case schema.TypeDateTime:
		at, aerr := time.Parse(time.RFC3339Nano, text(a))
		bt, berr := time.Parse(time.RFC3339Nano, text(b))
		if aerr == nil && berr == nil {
			return at.Compare(bt)
		}
	}
	as, bs := text(a), text(b)
	if !attr.CaseExact {
		as, bs = foldKey(as), foldKey(bs)
	}
	return strings.Compare(as, bs)
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	}
	return ""
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func floatCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// foldKey folds a string to one letter case for comparisons that ignore
// case.
func foldKey(s string) string {
	return strings.ToLower(strings.ToUpper(s))
}

// topK keeps the first k resources in sort order seen so far, so that a
// sorted scan holds at most k resources whatever the directory size.
type topK struct {
	less  func(a, b Resource) bool
	limit int
	items []Resource
}

func (h *topK) Len() int { return len(h.items) }

// Less puts the resource that sorts last at the root, so that it is the one
// dropped when a better one arrives.
func (h *topK) Less(i, j int) bool { return h.less(h.items[j], h.items[i]) }
func (h *topK) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *topK) Push(x any)         { h.items = append(h.items, x.(Resource)) }
func (h *topK) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// offer adds r when it sorts among the first limit resources.
func (h *topK) offer(r Resource) {
	if h.limit <= 0 {
		return
	}
	if len(h.items) < h.limit {
		heap.Push(h, r)
		return
	}
	if h.less(r, h.items[0]) {
		h.items[0] = r
		heap.Fix(h, 0)
	}
}

// sorted returns the kept resources in sort order.
func (h *topK) sorted() []Resource {
	out := make([]Resource, len(h.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(Resource)
	}
	return out
}

// place stores value in doc where key reads it, so that a resource built
// from a cursor sorts exactly where the cursor's resource did.
func (o *sorter) place(doc map[string]any, value any) {
	if value == nil {
		return
	}
	container := doc
	if o.target.IsExtension(o.rt) {
		container = map[string]any{}
		doc[o.target.Schema.ID] = container
	}
	name := o.target.Attr.Name
	switch {
	case o.target.Sub != nil && o.target.Attr.MultiValued:
		container[name] = []any{map[string]any{o.target.Sub.Name: value}}
	case o.target.Sub != nil:
		// Merge, because the object may hold other values already, such
		// as meta.created, which breaks ties.
		object, _ := container[name].(map[string]any)
		if object == nil {
			object = map[string]any{}
			container[name] = object
		}
		object[o.target.Sub.Name] = value
	case o.target.Attr.MultiValued:
		container[name] = []any{value}
	default:
		container[name] = value
	}
}
