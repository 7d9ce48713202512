package resource

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/scimfaas/scimfaas/shared/filter"
	"github.com/scimfaas/scimfaas/shared/patch"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
	"github.com/scimfaas/scimfaas/shared/store"
)

// Attribute names of group membership. A resource type whose schema has
// membersAttr keeps its members in the store's member hash, never in its
// document. A resource type with groupsAttr shows the groups that contain
// each resource.
const (
	membersAttr = "members"
	groupsAttr  = "groups"
)

// DefaultMaxMembers is the number of members one response holds at most
// when Service.MaxMembers is 0.
const DefaultMaxMembers = 50000

// GroupIndexes returns the indexes of the Group resource type: the unique,
// case-insensitive displayName that Entra ID requires, and externalId.
func GroupIndexes() []Index {
	return []Index{
		{Attribute: "displayName", Unique: true},
		{Attribute: "externalId"},
	}
}

// HoldsMembers reports whether resources of this type have members, whose
// full representation therefore grows with the size of the resource.
func (s *Service) HoldsMembers() bool { return s.Type.Schema.Attr(membersAttr) != nil }

func (s *Service) listsGroups() bool { return s.Type.Schema.Attr(groupsAttr) != nil }

func (s *Service) maxMembers() int64 {
	if s.MaxMembers > 0 {
		return s.MaxMembers
	}
	return DefaultMaxMembers
}

// Expand fills the attributes that live beside the documents, for the
// resources of one response: a group's members and a resource's groups.
// It reads only what the projection returns, so that a request with
// excludedAttributes=members never reads a member hash. The members of all
// resources together may number at most Service.MaxMembers. Beyond that,
// Expand returns a 400 tooMany error whose detail explains how to page
// them, and never a shorter member list.
func (s *Service) Expand(ctx context.Context, resources []Resource, p schema.Projection) error {
	if len(resources) == 0 {
		return nil
	}
	if s.HoldsMembers() && s.Type.Returns(p, membersAttr) {
		budget := s.maxMembers()
		for _, r := range resources {
			members, err := s.Store.Members(ctx, r.ID, budget)
			if errors.Is(err, store.ErrTooManyMembers) {
				return scimerr.New(http.StatusBadRequest, scimerr.TooMany,
					"the response would hold more than %d members; read the group with excludedAttributes=members and page its user members with GET /Users?filter=groups.value eq %q",
					s.maxMembers(), r.ID)
			}
			if err != nil {
				return err
			}
			budget -= int64(len(members))
			r.Doc[membersAttr] = s.references(members, "")
		}
	}
	if s.listsGroups() && s.Type.Returns(p, groupsAttr) {
		return s.fillGroups(ctx, resources, true)
	}
	return nil
}

// fillGroups sets the groups attribute of each resource that a group holds:
// compact for a response, as objects for filter evaluation.
func (s *Service) fillGroups(ctx context.Context, resources []Resource, compact bool) error {
	ids := make([]string, len(resources))
	for i, r := range resources {
		ids[i] = r.ID
	}
	groups, err := s.Store.GroupsOf(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range resources {
		list := groups[r.ID]
		if len(list) == 0 {
			continue
		}
		refs := s.references(list, "direct")
		if compact {
			r.Doc[groupsAttr] = refs
		} else {
			r.Doc[groupsAttr] = refs.Elements()
		}
	}
	return nil
}

// reference is one member of a group, or one group of a resource, as a
// response shows it. A struct takes far less memory than a map per member,
// which matters for groups with many thousands of members.
type reference struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Type    string `json:"type"`
	Display string `json:"display,omitempty"`
}

// referenceList is a multi-valued members or groups value. It implements
// schema.Elements, so that a projection that selects sub-attributes can
// still filter it.
type referenceList []reference

// Elements returns the references as objects, as decoded JSON holds them.
func (l referenceList) Elements() []any {
	out := make([]any, len(l))
	for i, ref := range l {
		object := map[string]any{"value": ref.Value, "$ref": ref.Ref, "type": ref.Type}
		if ref.Display != "" {
			object["display"] = ref.Display
		}
		out[i] = object
	}
	return out
}

// references renders members or groups with their $ref. kind, when set,
// replaces the type: the groups attribute of a user has type "direct"
// where a member has type "User".
func (s *Service) references(members []store.Member, kind string) referenceList {
	out := make(referenceList, len(members))
	for i, m := range members {
		out[i] = reference{Value: m.ID, Ref: s.BaseURL + "/" + endpointOf(m.Type) + "/" + m.ID, Type: m.Type, Display: m.Display}
		if kind != "" {
			out[i].Type = kind
		}
	}
	return out
}

func endpointOf(resourceType string) string {
	if resourceType == store.GroupType {
		return "Groups"
	}
	return resourceType + "s"
}

// takeMembers removes the member list from a document that is about to be
// stored, and returns the member list of the raw request body as a change
// that replaces every member. It reads the raw body, because normalization
// drops a member without a value, which must be a 400 error instead of a
// smaller list. It returns nil when the body names no member attribute.
func (s *Service) takeMembers(raw, doc map[string]any, id string) (*store.MemberChange, error) {
	if !s.HoldsMembers() {
		return nil, nil
	}
	delete(doc, membersAttr)
	var refs []patch.MemberRef
	named := false
	for key, value := range raw {
		target, ok := s.Type.Resolve(key)
		if !ok || target.Sub != nil || target.IsExtension(s.Type) || target.Attr.Name != membersAttr {
			continue
		}
		named = true
		list, err := patch.MemberRefs(value)
		if err != nil {
			return nil, err
		}
		refs = append(refs, list...)
	}
	if !named {
		return nil, nil
	}
	return s.memberChange(patch.MemberDelta{Replace: true, Add: refs}, id)
}

// memberChange turns a PATCH delta into the store's change, rejecting a
// group that would contain itself, even in an operation that a later one
// undoes.
func (s *Service) memberChange(delta patch.MemberDelta, id string) (*store.MemberChange, error) {
	change := &store.MemberChange{Replace: delta.Replace, Remove: delta.Remove}
	for _, ref := range slices.Concat(delta.Add, delta.Verify) {
		if ref.ID == id {
			return nil, scimerr.BadRequest(scimerr.InvalidValue, "a group cannot be a member of itself")
		}
	}
	for _, ref := range delta.Add {
		change.Add = append(change.Add, store.NewMember{ID: ref.ID, Type: ref.Type})
	}
	for _, ref := range delta.Verify {
		change.Verify = append(change.Verify, store.NewMember{ID: ref.ID, Type: ref.Type})
	}
	return change, nil
}

func memberError(err error) error {
	var missing *store.MissingMemberError
	if !errors.As(err, &missing) {
		return err
	}
	if missing.WrongType {
		return scimerr.BadRequest(scimerr.InvalidValue, "member %q has another type than the one given", missing.ID)
	}
	return scimerr.BadRequest(scimerr.InvalidValue, "member %q is neither a user nor a group; nothing was changed", missing.ID)
}

// relationTerms finds the comparisons of a filter on the member or groups
// attribute. It returns the ids they compare with and a 400 invalidFilter
// error for a comparison on members that does not select members by id,
// because that would need every member of every group.
func (s *Service) relationTerms(expr filter.Expr) (ids []string, groups bool, err error) {
	var walk func(filter.Expr) error
	walk = func(e filter.Expr) error {
		var path filter.AttrPath
		// memberID returns the member id that a term on members compares
		// with, or false when the term does not select a member by id.
		var memberID func(target schema.Target) (string, bool)
		switch n := e.(type) {
		case *filter.Logical:
			if err := walk(n.Left); err != nil {
				return err
			}
			return walk(n.Right)
		case *filter.Not:
			return walk(n.X)
		case *filter.Compare:
			path = n.Path
			memberID = func(target schema.Target) (string, bool) {
				value, isString := n.Value.(string)
				return value, n.Op == filter.OpEq && isString && (target.Sub == nil || target.Sub.Name == "value")
			}
		case *filter.ValuePath:
			path = n.Path
			memberID = func(schema.Target) (string, bool) { return valueEquality(n.Filter) }
		default:
			return nil
		}

		target, ok := s.Type.Resolve(path.String())
		if !ok || target.IsExtension(s.Type) {
			return nil
		}
		switch {
		case target.Attr.Name == groupsAttr && s.listsGroups():
			groups = true
		case target.Attr.Name == membersAttr && s.HoldsMembers():
			id, ok := memberID(target)
			if !ok {
				return memberFilterError()
			}
			ids = append(ids, id)
		}
		return nil
	}
	err = walk(expr)
	return ids, groups, err
}

func memberFilterError() error {
	return scimerr.BadRequest(scimerr.InvalidFilter,
		`members can be filtered only by id, as in members eq "id", members.value eq "id" or members[value eq "id"]`)
}

// withRelations fills the membership values that a filter reads into the
// documents of one batch. A group gets the entries of the members that the
// filter names, which decide every comparison the filter may make on
// members. A user gets its groups. clearRelations removes them before the
// resources are returned, because Expand fills the full values.
func (s *Service) withRelations(ctx context.Context, batch []Resource, memberIDs []string, groups bool) error {
	if len(memberIDs) > 0 {
		ids := make([]string, len(batch))
		for i, r := range batch {
			ids[i] = r.ID
		}
		among, err := s.Store.MembersAmong(ctx, ids, memberIDs)
		if err != nil {
			return err
		}
		for _, r := range batch {
			r.Doc[membersAttr] = s.references(among[r.ID], "").Elements()
		}
	}
	if groups {
		return s.fillGroups(ctx, batch, false)
	}
	return nil
}

func clearRelations(r Resource) {
	delete(r.Doc, membersAttr)
	delete(r.Doc, groupsAttr)
}

// relationCandidates returns the ids that membership finds for a
// comparison on members (the groups that hold the member) or on groups
// (the user members of the group), and whether it applies.
func (s *Service) relationCandidates(ctx context.Context, target schema.Target, value string) ([]string, bool, error) {
	if target.IsExtension(s.Type) || (target.Sub != nil && target.Sub.Name != "value") {
		return nil, false, nil
	}
	switch {
	case target.Attr.Name == membersAttr && s.HoldsMembers():
		ids, err := s.Store.GroupIDsOf(ctx, value)
		return ids, err == nil, err
	case target.Attr.Name == groupsAttr && s.listsGroups():
		members, err := s.Store.Members(ctx, value, maxRelationCandidates)
		if errors.Is(err, store.ErrTooManyMembers) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		ids := make([]string, 0, len(members))
		for _, m := range members {
			if strings.EqualFold(m.Type, s.Type.Name) {
				ids = append(ids, m.ID)
			}
		}
		return ids, true, nil
	}
	return nil, false, nil
}

// maxRelationCandidates bounds the member ids that a groups filter reads as
// candidates; a larger group is filtered by a scan instead.
const maxRelationCandidates = 1_000_000
