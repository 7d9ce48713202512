package resource

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/scimfaas/scimfaas/shared/patch"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
	"github.com/scimfaas/scimfaas/shared/store"
)

// Store is the part of the store that the service uses.
type Store interface {
	Create(ctx context.Context, resourceType string, rec store.Record) error
	Update(ctx context.Context, resourceType string, old, rec store.Record, dataChanged bool) (int64, error)
	Delete(ctx context.Context, resourceType string, old store.Record, modified string) error
	Get(ctx context.Context, resourceType, id string) (store.Record, error)
	GetMany(ctx context.Context, resourceType string, ids []string) ([]store.Record, error)
	LookupUnique(ctx context.Context, resourceType, index, key string) (string, error)
	LookupIndex(ctx context.Context, resourceType, index, key string) ([]string, error)
	Count(ctx context.Context, resourceType string) (int64, error)
	Page(ctx context.Context, resourceType string, offset, limit int64) ([]store.Record, error)
	After(ctx context.Context, resourceType string, sequence, limit int64) ([]store.Record, int64, error)
	SequencesUpTo(ctx context.Context, resourceType string, sequence, limit int64) ([]int64, error)
	Scan(ctx context.Context, resourceType string, batch int64, visit func([]store.Record) (bool, error)) error
	MemberCount(ctx context.Context, groupID string) (int64, error)
	Members(ctx context.Context, groupID string, limit int64) ([]store.Member, error)
	MembersAmong(ctx context.Context, groupIDs, ids []string) (map[string][]store.Member, error)
	GroupsOf(ctx context.Context, ids []string) (map[string][]store.Member, error)
	GroupIDsOf(ctx context.Context, id string) ([]string, error)
}

var _ Store = (*store.Redis)(nil)

// Index declares an attribute that the store indexes, so that an eq filter
// on it is served without a scan. Unique indexes also enforce uniqueness.
type Index struct {
	// Attribute is the attribute path, such as "userName".
	Attribute string
	// Unique makes the store reject a second resource with the same key.
	Unique bool
}

// UserIndexes returns the indexes of the User resource type: the unique,
// case-insensitive userName, and the lookups that Entra ID and Okta make on
// every provisioning cycle, by externalId and by email address.
//
// NOTE: an index holds only resources written since it was added, so adding
// one to a store with existing users needs those users rewritten first.
func UserIndexes() []Index {
	return []Index{
		{Attribute: "userName", Unique: true},
		{Attribute: "externalId"},
		{Attribute: "emails.value"},
	}
}

// maxWriteAttempts bounds the read-modify-write retries of an update that
// races with other writes to the same resource. Each lost race means that
// another write succeeded, and waitBeforeRetry spreads the retries out.
// TestPatchConcurrentKeepsAll checks that 20 concurrent PATCH requests to
// one user all succeed.
const maxWriteAttempts = 32

// Service serves the SCIM operations of one resource type.
type Service struct {
	Type    *schema.ResourceType
	Store   Store
	Indexes []Index
	// BaseURL is the public SCIM base URL, without a trailing slash.
	BaseURL string
	// MaxResults caps the count of a list request.
	MaxResults int
	// MaxMembers caps the members one response holds; 0 means
	// DefaultMaxMembers.
	MaxMembers int64
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Resource is a stored resource as the service returns it.
type Resource struct {
	ID      string
	Version int64
	Doc     map[string]any
	// Sequence is the resource's place in creation order, or 0 when the
	// read that returned the resource did not fetch it.
	Sequence int64
}

// ETag returns the entity tag of this version of the resource.
func (r Resource) ETag() string {
	return `W/"` + strconv.FormatInt(r.Version, 10) + `"`
}

// Location returns meta.location, the resource's public URL.
func (r Resource) Location() string {
	meta, _ := r.Doc["meta"].(map[string]any)
	location, _ := meta["location"].(string)
	return location
}

// Create validates a resource sent with POST, stores it with a new id and
// returns it. A taken unique attribute is a 409 uniqueness error.
func (s *Service) Create(ctx context.Context, body []byte) (Resource, error) {
	raw, err := schema.DecodeObject(body)
	if err != nil {
		return Resource{}, err
	}
	doc, err := s.normalize(raw)
	if err != nil {
		return Resource{}, err
	}

	id := newID()
	members, err := s.takeMembers(raw, doc, id)
	if err != nil {
		return Resource{}, err
	}
	now := s.timestamp()
	doc["id"] = id
	doc["meta"] = map[string]any{
		"resourceType": s.Type.Name,
		"created":      now,
		"lastModified": now,
		"location":     s.location(id),
		"version":      versionTag(1),
	}

	rec, err := s.record(id, doc)
	if err != nil {
		return Resource{}, err
	}
	rec.Members = members
	if err := s.Store.Create(ctx, s.Type.Name, rec); err != nil {
		return Resource{}, s.writeError(err, doc)
	}
	return Resource{ID: id, Version: 1, Doc: doc}, nil
}

// Get returns the resource with the given id, or a 404 error.
func (s *Service) Get(ctx context.Context, id string) (Resource, error) {
	rec, err := s.Store.Get(ctx, s.Type.Name, id)
	if err != nil {
		return Resource{}, s.readError(err, id)
	}
	return s.resource(rec)
}

// Replace replaces every writable attribute of the resource with those of
// a PUT body (RFC 7644 section 3.5.1): attributes left out are cleared,
// read-only ones such as id, meta.created and groups are kept. A body whose
// id differs from the resource's is a 400 mutability error. A group's
// members are replaced only when the body names members, even as an empty
// list: RFC 7644 lets a server read an omitted attribute as not asserted,
// and a client that read the group with excludedAttributes=members must
// not empty it by writing it back.
func (s *Service) Replace(ctx context.Context, id string, body []byte, cond Conditions) (Resource, error) {
	raw, err := schema.DecodeObject(body)
	if err != nil {
		return Resource{}, err
	}
	if err := checkBodyID(raw, id); err != nil {
		return Resource{}, err
	}
	replacement, err := s.normalize(raw)
	if err != nil {
		return Resource{}, err
	}
	members, err := s.takeMembers(raw, replacement, id)
	if err != nil {
		return Resource{}, err
	}

	return s.update(ctx, id, cond, members, func(current map[string]any) (map[string]any, error) {
		next := map[string]any{}
		for key, value := range replacement {
			next[key] = value
		}
		for _, attr := range s.Type.Schema.Attributes {
			if attr.EffectiveMutability() == schema.ReadOnly && current[attr.Name] != nil {
				next[attr.Name] = current[attr.Name]
			}
		}
		next["id"] = current["id"]
		next["meta"] = current["meta"]
		return next, nil
	})
}

// Patch applies a PatchOp body (RFC 7644 section 3.5.2) to the resource.
// Either every operation applies or none does. A request that changes
// nothing leaves the version as it is. Operations on a group's members
// become one member change whose cost follows the number of members named,
// not the size of the group.
func (s *Service) Patch(ctx context.Context, id string, body []byte, cond Conditions) (Resource, error) {
	ops, err := patch.Parse(body)
	if err != nil {
		return Resource{}, err
	}
	var members *store.MemberChange
	if s.HoldsMembers() {
		var delta patch.MemberDelta
		ops, delta, err = patch.SplitMembers(s.Type, ops, membersAttr)
		if err != nil {
			return Resource{}, err
		}
		if !delta.Empty() {
			if members, err = s.memberChange(delta, id); err != nil {
				return Resource{}, err
			}
		}
	}
	return s.update(ctx, id, cond, members, func(current map[string]any) (map[string]any, error) {
		if len(ops) == 0 {
			return current, nil
		}
		return patch.Apply(s.Type, current, ops)
	})
}

// Delete removes the resource, or returns a 404 error. cond is checked
// against the version that is deleted.
func (s *Service) Delete(ctx context.Context, id string, cond Conditions) error {
	for attempt := 0; attempt < maxWriteAttempts; attempt++ {
		rec, err := s.Store.Get(ctx, s.Type.Name, id)
		if err != nil {
			return s.readError(err, id)
		}
		if err := cond.Check(versionTag(rec.Version), false); err != nil {
			return err
		}
		err = s.Store.Delete(ctx, s.Type.Name, rec, s.timestamp())
		if errors.Is(err, store.ErrVersionMismatch) {
			if err := waitBeforeRetry(ctx, attempt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("delete %s %s: %w", s.Type.Name, id, err)
		}
		return nil
	}
	return busy(id)
}

// update runs a read-modify-write of the resource, retrying when another
// write gets in between. change returns the new document built from the
// current one, which it must not modify, because the two are compared to
// skip writes that change nothing. members, if not nil, is written in the
// same atomic step. cond is checked against the version that change
// reads, and the store rejects the write if that version is no longer
// current.
func (s *Service) update(ctx context.Context, id string, cond Conditions, members *store.MemberChange, change func(map[string]any) (map[string]any, error)) (Resource, error) {
	for attempt := 0; attempt < maxWriteAttempts; attempt++ {
		rec, err := s.Store.Get(ctx, s.Type.Name, id)
		if err != nil {
			return Resource{}, s.readError(err, id)
		}
		current, err := s.resource(rec)
		if err != nil {
			return Resource{}, err
		}
		if err := cond.Check(current.ETag(), false); err != nil {
			return Resource{}, err
		}

		next, err := change(current.Doc)
		if err != nil {
			return Resource{}, err
		}
		if err := s.Type.CheckImmutable(current.Doc, next); err != nil {
			return Resource{}, err
		}
		dataChanged := !reflect.DeepEqual(next, current.Doc)
		if !dataChanged && members == nil {
			return current, nil
		}

		version := rec.Version + 1
		meta, _ := next["meta"].(map[string]any)
		meta = copyMeta(meta)
		meta["lastModified"] = s.timestamp()
		meta["version"] = versionTag(version)
		meta["location"] = s.location(id)
		next["meta"] = meta
		next["id"] = id

		newRec, err := s.record(id, next)
		if err != nil {
			return Resource{}, err
		}
		newRec.Members = members
		stored, err := s.Store.Update(ctx, s.Type.Name, rec, newRec, dataChanged)
		if errors.Is(err, store.ErrVersionMismatch) {
			if err := waitBeforeRetry(ctx, attempt); err != nil {
				return Resource{}, err
			}
			continue
		}
		if err != nil {
			return Resource{}, s.writeError(err, next)
		}
		if stored == rec.Version {
			// The member change changed nothing.
			return current, nil
		}
		return Resource{ID: id, Version: version, Doc: next}, nil
	}
	return Resource{}, busy(id)
}

// waitBeforeRetry pauses for a random time below a limit that doubles with
// each attempt from 1 ms to 32 ms, so that writers that lost a race to one
// resource do not collide again at once. It returns the context's error if
// the context ends first.
func waitBeforeRetry(ctx context.Context, attempt int) error {
	limit := time.Millisecond << min(attempt, 5)
	timer := time.NewTimer(mathrand.N(limit))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait to retry a write: %w", ctx.Err())
	case <-timer.C:
		return nil
	}
}

func (s *Service) normalize(raw map[string]any) (map[string]any, error) {
	doc, err := s.Type.Normalize(raw)
	if err != nil {
		return nil, err
	}
	if err := s.Type.CheckRequired(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// record builds the store record of doc with its index entries.
func (s *Service) record(id string, doc map[string]any) (store.Record, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return store.Record{}, fmt.Errorf("encode %s %s: %w", s.Type.Name, id, err)
	}
	rec := store.Record{ID: id, Data: data, Display: displayOf(doc)}
	if meta, ok := doc["meta"].(map[string]any); ok {
		rec.Modified, _ = meta["lastModified"].(string)
	}
	for _, index := range s.Indexes {
		target, ok := s.Type.Resolve(index.Attribute)
		if !ok {
			continue
		}
		for _, value := range stringValues(s.Type, target, doc) {
			key := indexKey(target, value)
			if index.Unique {
				if rec.Unique == nil {
					rec.Unique = map[string]string{}
				}
				rec.Unique[index.Attribute] = key
				continue
			}
			if rec.Index == nil {
				rec.Index = map[string][]string{}
			}
			rec.Index[index.Attribute] = appendUnique(rec.Index[index.Attribute], key)
		}
	}
	return rec, nil
}

// resource decodes a stored record. The record's version and modification
// time win over the document's meta, because joining or leaving a group
// moves them on without rewriting the document.
func (s *Service) resource(rec store.Record) (Resource, error) {
	doc := decodeCopy(rec.Data)
	if doc == nil {
		return Resource{}, fmt.Errorf("decode stored %s %s: invalid JSON", s.Type.Name, rec.ID)
	}
	if meta, ok := doc["meta"].(map[string]any); ok {
		meta["version"] = versionTag(rec.Version)
		if rec.Modified != "" {
			meta["lastModified"] = rec.Modified
		}
	}
	return Resource{ID: rec.ID, Version: rec.Version, Doc: doc, Sequence: rec.Sequence}, nil
}

// displayOf returns the name that groups show for a member: its
// displayName, else its userName.
func displayOf(doc map[string]any) string {
	if name, ok := doc["displayName"].(string); ok && name != "" {
		return name
	}
	name, _ := doc["userName"].(string)
	return name
}

func (s *Service) readError(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return scimerr.NotFound("%s %q not found", s.Type.Name, id)
	}
	return fmt.Errorf("read %s %s: %w", s.Type.Name, id, err)
}

func (s *Service) writeError(err error, doc map[string]any) error {
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		value := ""
		if target, ok := s.Type.Resolve(conflict.Index); ok {
			if values := stringValues(s.Type, target, doc); len(values) > 0 {
				value = values[0]
			}
		}
		return scimerr.Conflict("a %s with %s %q already exists", s.Type.Name, conflict.Index, value)
	}
	if errors.Is(err, store.ErrVersionMismatch) {
		return scimerr.Conflict("a %s with this id already exists", s.Type.Name)
	}
	if err := memberError(err); scimerr.As(err) != nil {
		return err
	}
	return fmt.Errorf("write %s: %w", s.Type.Name, err)
}

func (s *Service) location(id string) string {
	return s.BaseURL + s.Type.Endpoint + "/" + id
}

func (s *Service) timestamp() string {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func checkBodyID(raw map[string]any, id string) error {
	for key, value := range raw {
		if !strings.EqualFold(key, "id") || value == nil {
			continue
		}
		if bodyID, ok := value.(string); !ok || bodyID != id {
			return scimerr.BadRequest(scimerr.Mutability, "the id in the body differs from the id %q in the URL; id is read-only", id)
		}
	}
	return nil
}

func busy(id string) error {
	return scimerr.New(http.StatusConflict, "", "resource %q changed too often during this request; retry it", id)
}

func versionTag(version int64) string {
	return `W/"` + strconv.FormatInt(version, 10) + `"`
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	// crypto/rand.Read is documented never to return an error, because it
	// crashes the program instead.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func copyMeta(meta map[string]any) map[string]any {
	out := make(map[string]any, len(meta)+3)
	for k, v := range meta {
		out[k] = v
	}
	return out
}

func decodeCopy(data []byte) map[string]any {
	doc, err := schema.DecodeObject(data)
	if err != nil {
		return nil
	}
	return doc
}

func appendUnique(list []string, value string) []string {
	for _, existing := range list {
		if existing == value {
			return list
		}
	}
	return append(list, value)
}
