package resource

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/scimfaas/scimfaas/shared/filter"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/store"
)

// scanBatch is how many records a filter that no index serves reads from
// the store at a time, which bounds the memory of a scan.
const scanBatch = 500

// Query is a list request (RFC 7644 section 3.4.2) after parameter parsing.
type Query struct {
	// Filter is the filter expression, "" for none.
	Filter string
	// StartIndex is the 1-based index of the first result.
	StartIndex int
	// Count is the page size; negative means the server's maximum.
	Count int
	// SortBy is the attribute path to sort by, "" for creation order.
	SortBy string
	// SortOrder is "ascending" (the default) or "descending".
	SortOrder string
	// Cursored selects cursor paging (RFC 9865) instead of startIndex:
	// Cursor is "" for the first page, then a NextCursor or PreviousCursor
	// of an earlier page of the same query.
	Cursored bool
	Cursor   string
}

// Page is one page of a list response.
type Page struct {
	TotalResults int
	StartIndex   int
	Resources    []Resource
	// NextCursor and PreviousCursor are set on cursor pages that have a
	// next or a previous page.
	NextCursor, PreviousCursor string
}

// List returns the resources that match the query's filter, in creation
// order, one page at a time. An eq filter on an indexed attribute, on id,
// or an "and" that contains one is served from the index. Other filters
// scan the store in batches. A filter that matches nothing yields an empty
// page, never an error. An invalid filter is a 400 invalidFilter error.
//
// NOTE: the results of an indexed filter are sorted by meta.created, which
// has millisecond precision and comes from the clock of the writing
// process, and then by id. Resources created in the same millisecond, or by
// processes whose clocks differ, may therefore come in another order than
// the store's creation order. The sort is deterministic, so paging still
// lists each resource once while no resource is created or deleted.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	count := q.Count
	if count < 0 || count > s.MaxResults {
		count = s.MaxResults
	}
	start := max(q.StartIndex, 1)
	page := Page{StartIndex: start}
	order, err := s.parseSort(q.SortBy, q.SortOrder)
	if err != nil {
		return Page{}, err
	}
	if q.Cursored {
		return s.listCursor(ctx, q, order, count)
	}
	if strings.TrimSpace(q.Filter) == "" && order != nil {
		// Sorting needs every resource, so it reads them as a scan does.
		return s.listByScan(ctx, nil, order, start, count)
	}

	if strings.TrimSpace(q.Filter) == "" {
		total, err := s.Store.Count(ctx, s.Type.Name)
		if err != nil {
			return Page{}, err
		}
		records, err := s.Store.Page(ctx, s.Type.Name, int64(start-1), int64(count))
		if err != nil {
			return Page{}, err
		}
		page.TotalResults = int(total)
		page.Resources, err = s.resources(records)
		return page, err
	}

	m, ids, indexed, err := s.prepareFilter(ctx, q.Filter)
	if err != nil {
		return Page{}, err
	}
	if indexed {
		return s.listCandidates(ctx, m, order, ids, start, count)
	}
	return s.listByScan(ctx, m, order, start, count)
}

// prepareFilter parses and validates a filter, and returns its matcher
// and, when an index serves it, the candidate ids. An empty filter returns
// a nil matcher, which matches everything.
func (s *Service) prepareFilter(ctx context.Context, input string) (m *matcher, ids []string, indexed bool, err error) {
	if strings.TrimSpace(input) == "" {
		return nil, nil, false, nil
	}
	expr, err := filter.Parse(input)
	if err != nil {
		return nil, nil, false, err
	}
	if err := filter.Validate(expr, s.Type); err != nil {
		return nil, nil, false, err
	}
	m = &matcher{expr: expr}
	if m.memberIDs, m.groups, err = s.relationTerms(expr); err != nil {
		return nil, nil, false, err
	}
	ids, indexed, err = s.candidates(ctx, expr)
	if err != nil {
		return nil, nil, false, err
	}
	return m, ids, indexed, nil
}

// matcher evaluates a filter on batches of resources, filling first what
// the filter reads of group membership.
type matcher struct {
	expr      filter.Expr
	memberIDs []string
	groups    bool
}

// match returns the resources of batch that match, without the membership
// values it filled.
func (s *Service) match(ctx context.Context, m *matcher, batch []Resource) ([]Resource, error) {
	if m == nil {
		return batch, nil
	}
	if err := s.withRelations(ctx, batch, m.memberIDs, m.groups); err != nil {
		return nil, err
	}
	matches := batch[:0]
	for _, r := range batch {
		r.Doc["schemas"] = s.Type.SchemaURNs(r.Doc)
		ok := filter.Matches(m.expr, s.Type, r.Doc)
		delete(r.Doc, "schemas")
		clearRelations(r)
		if ok {
			matches = append(matches, r)
		}
	}
	return matches, nil
}

// listCandidates evaluates the whole filter on the records an index found,
// because the index covers only part of it. It reads them in batches and
// keeps only the first start-1+count matches in order, so that a large
// candidate set, such as the members of a big group, needs bounded memory.
func (s *Service) listCandidates(ctx context.Context, m *matcher, order *sorter, ids []string, start, count int) (Page, error) {
	page := Page{StartIndex: start}
	kept := &topK{less: createdBefore, limit: start - 1 + count}
	if order != nil {
		kept.less = order.less
	}
	err := s.eachMatch(ctx, m, ids, true, func(r Resource) {
		page.TotalResults++
		kept.offer(r)
	})
	if err != nil {
		return Page{}, err
	}
	sorted := kept.sorted()
	if start-1 < len(sorted) {
		page.Resources = sorted[start-1:]
	}
	return page, nil
}

// listByScan reads every resource in batches and keeps only what the page
// needs: the page itself in creation order, or with order the first
// start-1+count resources in sort order. A nil matcher matches everything.
func (s *Service) listByScan(ctx context.Context, m *matcher, order *sorter, start, count int) (Page, error) {
	page := Page{StartIndex: start}
	kept := &topK{limit: start - 1 + count}
	if order != nil {
		kept.less = order.less
	}
	err := s.eachMatch(ctx, m, nil, false, func(r Resource) {
		page.TotalResults++
		if order != nil {
			kept.offer(r)
			return
		}
		if page.TotalResults >= start && len(page.Resources) < count {
			page.Resources = append(page.Resources, r)
		}
	})
	if err != nil || order == nil {
		return page, err
	}
	// NOTE: a sorted page holds start-1+count resources in memory, so a
	// deep page costs more than a shallow one.
	sorted := kept.sorted()
	if start-1 < len(sorted) {
		page.Resources = sorted[start-1:]
	}
	return page, nil
}

// eachMatch calls visit with every resource that m matches, in the order
// read: the records of ids when indexed is true, else every record of the
// type in creation order. It reads scanBatch records at a time, so its
// memory does not grow with the number of records. A nil m matches all.
func (s *Service) eachMatch(ctx context.Context, m *matcher, ids []string, indexed bool, visit func(Resource)) error {
	handle := func(records []store.Record) (bool, error) {
		batch, err := s.resources(records)
		if err != nil {
			return false, err
		}
		matches, err := s.match(ctx, m, batch)
		if err != nil {
			return false, err
		}
		for _, r := range matches {
			visit(r)
		}
		return true, nil
	}
	if !indexed {
		return s.Store.Scan(ctx, s.Type.Name, scanBatch, handle)
	}
	for from := 0; from < len(ids); from += scanBatch {
		records, err := s.Store.GetMany(ctx, s.Type.Name, ids[from:min(len(ids), from+scanBatch)])
		if err != nil {
			return err
		}
		if _, err := handle(records); err != nil {
			return err
		}
	}
	return nil
}

// candidates returns the ids that an index finds for expr, and whether an
// index could serve it. Every resource that matches expr is among the ids,
// but some ids may not match.
func (s *Service) candidates(ctx context.Context, expr filter.Expr) ([]string, bool, error) {
	switch e := expr.(type) {
	case *filter.Compare:
		return s.compareCandidates(ctx, e)
	case *filter.Logical:
		return s.logicalCandidates(ctx, e)
	case *filter.ValuePath:
		// emails[type eq "work" and value eq "x"] holds only for a
		// resource whose emails include x, so the emails.value index
		// serves it as it serves emails.value eq "x".
		if value, ok := valueEquality(e.Filter); ok {
			path := e.Path
			path.Sub = "value"
			return s.compareCandidates(ctx, &filter.Compare{Path: path, Op: filter.OpEq, Value: value})
		}
	}
	return nil, false, nil
}

// valueEquality finds a comparison value eq "x" among the and-joined terms
// of a value filter.
func valueEquality(expr filter.Expr) (string, bool) {
	switch e := expr.(type) {
	case *filter.Compare:
		value, isString := e.Value.(string)
		if e.Op == filter.OpEq && isString && e.Path.URN == "" && e.Path.Sub == "" && strings.EqualFold(e.Path.Name, "value") {
			return value, true
		}
	case *filter.Logical:
		if e.Op != filter.OpAnd {
			return "", false
		}
		if value, ok := valueEquality(e.Left); ok {
			return value, true
		}
		return valueEquality(e.Right)
	}
	return "", false
}

func (s *Service) logicalCandidates(ctx context.Context, e *filter.Logical) ([]string, bool, error) {
	left, leftOK, err := s.candidates(ctx, e.Left)
	if err != nil {
		return nil, false, err
	}
	if e.Op == "and" && leftOK {
		return left, true, nil
	}
	right, rightOK, err := s.candidates(ctx, e.Right)
	if err != nil {
		return nil, false, err
	}
	if e.Op == "and" {
		return right, rightOK, nil
	}
	if !leftOK || !rightOK {
		return nil, false, nil
	}
	// A resource that both sides find must be listed once.
	return union(left, right), true, nil
}

// union returns the ids of a followed by those of b that a lacks.
func union(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, id := range slices.Concat(a, b) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) compareCandidates(ctx context.Context, c *filter.Compare) ([]string, bool, error) {
	if c.Path.URN == "" && c.Path.Sub == "" && strings.EqualFold(c.Path.Name, "schemas") {
		// schemas is no attribute of a schema, but every resource has it.
		return nil, false, nil
	}
	target, ok := s.Type.Resolve(c.Path.String())
	if !ok {
		// An unknown attribute has no value, so only ne could match.
		return nil, c.Op != "ne", nil
	}
	value, isString := c.Value.(string)
	if c.Op != "eq" || !isString {
		return nil, false, nil
	}

	if target.Attr.Name == "id" && target.Sub == nil && !target.IsExtension(s.Type) {
		return []string{value}, true, nil
	}
	if ids, ok, err := s.relationCandidates(ctx, target, value); ok || err != nil {
		return ids, ok, err
	}
	for _, index := range s.Indexes {
		indexed, ok := s.Type.Resolve(index.Attribute)
		if !ok || indexed != target {
			continue
		}
		key := indexKey(target, value)
		if index.Unique {
			id, err := s.Store.LookupUnique(ctx, s.Type.Name, index.Attribute, key)
			if err != nil {
				if isNotFound(err) {
					return nil, true, nil
				}
				return nil, false, err
			}
			return []string{id}, true, nil
		}
		ids, err := s.Store.LookupIndex(ctx, s.Type.Name, index.Attribute, key)
		return ids, err == nil, err
	}
	return nil, false, nil
}

func (s *Service) resources(records []store.Record) ([]Resource, error) {
	out := make([]Resource, 0, len(records))
	for _, rec := range records {
		r, err := s.resource(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// stringValues returns the string values of the attribute that target names
// in doc: one for a single-valued attribute, each value's for a
// multi-valued one.
func stringValues(rt *schema.ResourceType, target schema.Target, doc map[string]any) []string {
	container := doc
	if target.IsExtension(rt) {
		container, _ = doc[target.Schema.ID].(map[string]any)
	}
	value := container[target.Attr.Name]
	var items []any
	if list, ok := value.([]any); ok {
		items = list
	} else if value != nil {
		items = []any{value}
	}

	var out []string
	for _, item := range items {
		if target.Sub != nil {
			object, _ := item.(map[string]any)
			item = object[target.Sub.Name]
		}
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// indexKey returns the key under which an index keeps value: folded to one
// letter case unless the attribute is case-exact, so that lookups match
// without regard to case as RFC 7643 section 2.2 requires for caseExact false.
func indexKey(target schema.Target, value string) string {
	attr := target.Attr
	if target.Sub != nil {
		attr = target.Sub
	}
	if attr.CaseExact {
		return value
	}
	return foldKey(value)
}

func createdBefore(a, b Resource) bool {
	ca, cb := created(a), created(b)
	if ca != cb {
		return ca < cb
	}
	return a.ID < b.ID
}

func created(r Resource) string {
	meta, _ := r.Doc["meta"].(map[string]any)
	value, _ := meta["created"].(string)
	return value
}

func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound)
}
