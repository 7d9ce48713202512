package schema

import (
	"reflect"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// CheckImmutable returns a 400 mutability error when next changes or
// removes a value that old has for an attribute whose mutability is
// immutable (RFC 7643 section 2.2): such a value may be set once, when it
// is first given, and never changed after.
func (rt *ResourceType) CheckImmutable(old, next map[string]any) error {
	if err := checkImmutable(rt.Schema, old, next); err != nil {
		return err
	}
	for _, ext := range rt.Extensions {
		oldExt, _ := old[ext.Schema.ID].(map[string]any)
		nextExt, _ := next[ext.Schema.ID].(map[string]any)
		if err := checkImmutable(ext.Schema, oldExt, nextExt); err != nil {
			return err
		}
	}
	return nil
}

func checkImmutable(s *Schema, old, next map[string]any) error {
	for _, attr := range s.Attributes {
		if attr.EffectiveMutability() != Immutable || old[attr.Name] == nil {
			continue
		}
		if !reflect.DeepEqual(old[attr.Name], next[attr.Name]) {
			return scimerr.BadRequest(scimerr.Mutability, "attribute %q is immutable and already has a value", attr.Name)
		}
	}
	return nil
}
