package resource

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"strings"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Cursor paging (RFC 9865). A cursor keeps no state on the server. It
// encodes the place of the last resource of a page in the query's order,
// so the next page starts after that resource even when resources are
// created or deleted in between. Index paging cannot promise that. Cursors
// never expire.

// cursorPosition is the decoded content of a cursor.
type cursorPosition struct {
	// Query is a hash of the filter and sort parameters, which a cursor
	// must be used with unchanged.
	Query uint32 `json:"q"`
	// Kind is "s" for creation order, "k" for the order of sort key,
	// meta.created and id.
	Kind string `json:"o"`
	// Start marks the place before the first resource.
	Start bool `json:"b,omitempty"`
	// Seq is the creation sequence of the last resource of a page.
	Seq int64 `json:"s,omitempty"`
	// Key, Created and ID are the sort value, meta.created and id of the
	// last resource of a page. A nil Key is a missing value.
	Key     any    `json:"k,omitempty"`
	Created string `json:"c,omitempty"`
	ID      string `json:"i,omitempty"`
}

func (p cursorPosition) encode() string {
	encoded, err := json.Marshal(p)
	if err != nil {
		// A position holds only strings, numbers and booleans taken from
		// decoded JSON, which always encode.
		panic("encode cursor position: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(encoded)
}

func invalidCursor(detail string) error {
	return scimerr.BadRequest(scimerr.InvalidCursor,
		"%s; send an empty cursor for the first page and then the nextCursor or previousCursor of a response to the same query", detail)
}

// decodeCursor reads a cursor of the query with hash query, or the start
// position for an empty cursor.
func decodeCursor(cursor string, query uint32, kind string) (cursorPosition, error) {
	if strings.TrimSpace(cursor) == "" {
		return cursorPosition{Query: query, Kind: kind, Start: true}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return cursorPosition{}, invalidCursor("the cursor is not one this server issued")
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var p cursorPosition
	if err := decoder.Decode(&p); err != nil || (p.Kind != "s" && p.Kind != "k") {
		return cursorPosition{}, invalidCursor("the cursor is not one this server issued")
	}
	if p.Query != query || p.Kind != kind {
		return cursorPosition{}, invalidCursor("the cursor belongs to a query with another filter or sort order")
	}
	return p, nil
}

// queryHash identifies the parameters that decide a query's results and
// their order.
func queryHash(resourceType string, q Query) uint32 {
	h := fnv.New32a()
	for _, part := range []string{resourceType, strings.TrimSpace(q.Filter), strings.ToLower(strings.TrimSpace(q.SortBy)), strings.ToLower(strings.TrimSpace(q.SortOrder))} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return h.Sum32()
}

// ordering is the total order of a cursor-paged query.
type ordering struct {
	// bySequence orders by creation sequence; otherwise sort (nil for
	// none), then meta.created, then id.
	bySequence bool
	sort       *sorter
}

func (o ordering) kind() string {
	if o.bySequence {
		return "s"
	}
	return "k"
}

func (o ordering) less(a, b Resource) bool {
	switch {
	case o.bySequence:
		return a.Sequence < b.Sequence
	case o.sort != nil:
		return o.sort.less(a, b)
	}
	return createdBefore(a, b)
}

func (o ordering) position(r Resource, query uint32) cursorPosition {
	p := cursorPosition{Query: query, Kind: o.kind()}
	if o.bySequence {
		p.Seq = r.Sequence
		return p
	}
	p.Created, p.ID = created(r), r.ID
	if o.sort != nil {
		p.Key = o.sort.key(r)
	}
	return p
}

// pivot returns a resource that sits exactly at position p in this order.
func (o ordering) pivot(p cursorPosition) Resource {
	if o.bySequence {
		return Resource{Sequence: p.Seq}
	}
	doc := map[string]any{"meta": map[string]any{"created": p.Created}}
	if o.sort != nil {
		o.sort.place(doc, p.Key)
	}
	return Resource{ID: p.ID, Doc: doc}
}

// window collects, from resources offered in any order, the count+1 that
// follow a position and the count+1 that precede it, so that a cursor page
// needs memory for twice its size whatever the number of matches.
type window struct {
	order ordering
	pos   cursorPosition
	pivot Resource
	count int
	after *topK
	upTo  *topK
	total int
}

func newWindow(order ordering, pos cursorPosition, count int) *window {
	return &window{
		order: order, pos: pos, pivot: order.pivot(pos), count: count,
		after: &topK{less: order.less, limit: count + 1},
		upTo:  &topK{less: func(a, b Resource) bool { return order.less(b, a) }, limit: count + 1},
	}
}

func (w *window) offer(r Resource) {
	w.total++
	if w.pos.Start || w.order.less(w.pivot, r) {
		w.after.offer(r)
		return
	}
	w.upTo.offer(r)
}

func (w *window) page() Page {
	page := Page{TotalResults: w.total}
	next := w.after.sorted()
	page.Resources = next[:min(len(next), w.count)]
	if len(next) > w.count && w.count > 0 {
		page.NextCursor = w.order.position(next[w.count-1], w.pos.Query).encode()
	}
	if !w.pos.Start {
		// upTo holds the resources before the page, nearest first.
		before := w.upTo.sorted()
		previous := cursorPosition{Query: w.pos.Query, Kind: w.order.kind(), Start: true}
		if len(before) > w.count {
			previous = w.order.position(before[w.count], w.pos.Query)
		}
		page.PreviousCursor = previous.encode()
	}
	return page
}

// listCursor serves a cursor-paged list. A query without filter or sort
// reads only its page from the creation order. Other queries read every
// match, as index paging does, but keep only the page and its neighbours.
func (s *Service) listCursor(ctx context.Context, q Query, order *sorter, count int) (Page, error) {
	if q.Count == 0 {
		return Page{}, scimerr.BadRequest(scimerr.InvalidCount, "count must be at least 1 with a cursor; a count above %d returns %d resources", s.MaxResults, s.MaxResults)
	}
	query := queryHash(s.Type.Name, q)

	m, ids, indexed, err := s.prepareFilter(ctx, q.Filter)
	if err != nil {
		return Page{}, err
	}
	ord := ordering{bySequence: !indexed && order == nil, sort: order}
	pos, err := decodeCursor(q.Cursor, query, ord.kind())
	if err != nil {
		return Page{}, err
	}
	if m == nil && order == nil {
		return s.cursorBySequence(ctx, pos, count)
	}

	w := newWindow(ord, pos, count)
	if err := s.eachMatch(ctx, m, ids, indexed, w.offer); err != nil {
		return Page{}, err
	}
	return w.page(), nil
}

// cursorBySequence pages through every resource in creation order, reading
// only the page itself: its cost does not grow with the directory.
func (s *Service) cursorBySequence(ctx context.Context, pos cursorPosition, count int) (Page, error) {
	total, err := s.Store.Count(ctx, s.Type.Name)
	if err != nil {
		return Page{}, err
	}

	// The next cursor comes from the creation order, not from the records
	// read, so a resource deleted during the read cannot end the walk early.
	records, next, err := s.Store.After(ctx, s.Type.Name, pos.Seq, int64(count))
	if err != nil {
		return Page{}, err
	}
	resources, err := s.resources(records)
	if err != nil {
		return Page{}, err
	}
	page := Page{TotalResults: int(total), Resources: resources}
	if next > 0 {
		page.NextCursor = cursorPosition{Query: pos.Query, Kind: "s", Seq: next}.encode()
	}

	if !pos.Start {
		sequences, err := s.Store.SequencesUpTo(ctx, s.Type.Name, pos.Seq, int64(count)+1)
		if err != nil {
			return Page{}, err
		}
		previous := cursorPosition{Query: pos.Query, Kind: "s", Start: true}
		if len(sequences) > count {
			previous = cursorPosition{Query: pos.Query, Kind: "s", Seq: sequences[count]}
		}
		page.PreviousCursor = previous.encode()
	}
	return page, nil
}
