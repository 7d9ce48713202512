// Package patch applies SCIM PATCH requests (RFC 7644 section 3.5.2) to a
// stored resource document, in all the forms that Microsoft Entra ID (both
// of its dialects) and Okta send.
package patch

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/scimfaas/scimfaas/shared/filter"
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Operation is one PATCH operation. Op is lower case: add, replace or
// remove. Value is decoded with json.Number for numbers.
type Operation struct {
	Op    string
	Path  string
	Value any
}

// MaxOperations is the largest number of operations one request may carry.
const MaxOperations = 10000

// Parse decodes a PatchOp request body. Member names and op values match
// without regard to letter case, because Entra ID sends "Replace" and
// "Operations". It returns a 400 invalidSyntax error for a body that is not
// a PatchOp message.
func Parse(body []byte) ([]Operation, error) {
	raw, err := schema.DecodeObject(body)
	if err != nil {
		return nil, err
	}

	var list []any
	for key, value := range raw {
		if strings.EqualFold(key, "Operations") {
			items, ok := value.([]any)
			if !ok {
				return nil, scimerr.BadRequest(scimerr.InvalidSyntax, `"Operations" must be an array of operations`)
			}
			list = items
		}
	}
	if len(list) == 0 {
		return nil, scimerr.BadRequest(scimerr.InvalidSyntax, `a PatchOp request needs a non-empty "Operations" array`)
	}
	if len(list) > MaxOperations {
		return nil, scimerr.New(413, scimerr.TooMany, "a PATCH request may carry at most %d operations, got %d", MaxOperations, len(list))
	}

	ops := make([]Operation, 0, len(list))
	for i, item := range list {
		object, ok := item.(map[string]any)
		if !ok {
			return nil, scimerr.BadRequest(scimerr.InvalidSyntax, "operation %d must be a JSON object", i+1)
		}
		op, err := parseOperation(object, i+1)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func parseOperation(object map[string]any, n int) (Operation, error) {
	var op Operation
	for key, value := range object {
		switch strings.ToLower(key) {
		case "op":
			name, _ := value.(string)
			op.Op = strings.ToLower(name)
		case "path":
			if value == nil {
				continue
			}
			path, ok := value.(string)
			if !ok {
				return Operation{}, scimerr.BadRequest(scimerr.InvalidPath, "operation %d: path must be a string", n)
			}
			op.Path = strings.TrimSpace(path)
		case "value":
			op.Value = value
		}
	}
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return Operation{}, scimerr.BadRequest(scimerr.InvalidSyntax, `operation %d: op must be "add", "replace" or "remove"`, n)
	}
	return op, nil
}

// Apply applies ops in order to doc, a stored document of resource type rt,
// and returns the changed copy. doc itself is never modified, so when any
// operation fails the caller stores nothing. Values are normalized as
// schema.Normalize would, readOnly attributes in a no-path value are
// ignored, and attributes that no schema defines are ignored.
func Apply(rt *schema.ResourceType, doc map[string]any, ops []Operation) (map[string]any, error) {
	out := deepCopy(doc).(map[string]any)
	for i, op := range ops {
		if err := applyOne(rt, out, op); err != nil {
			if scimErr := scimerr.As(err); scimErr != nil {
				scimErr.Detail = "operation " + strconv.Itoa(i+1) + " (" + op.Op + "): " + scimErr.Detail
			}
			return nil, err
		}
	}
	if err := rt.CheckRequired(out); err != nil {
		return nil, err
	}
	return out, nil
}

func applyOne(rt *schema.ResourceType, doc map[string]any, op Operation) error {
	if op.Path == "" {
		if op.Op == "remove" {
			return scimerr.BadRequest(scimerr.NoTarget, "remove needs a path")
		}
		return applyNoPath(rt, doc, op)
	}

	path, err := filter.ParsePath(op.Path)
	if err != nil {
		return err
	}
	if ext := rt.Extension(path.Attr.String()); ext != nil && path.Filter == nil {
		return applyExtension(rt, doc, op, ext)
	}
	target, ok := rt.Resolve(path.Attr.String())
	if !ok {
		// NOTE: attributes that no schema defines are ignored, as in POST,
		// so that a mapping to an attribute this server lacks does not
		// fail a whole provisioning cycle.
		return nil
	}
	if target.Attr.EffectiveMutability() == schema.ReadOnly {
		return scimerr.BadRequest(scimerr.Mutability, "attribute %q is read-only", target.Attr.Name)
	}
	if target.Sub != nil && target.Sub.EffectiveMutability() == schema.ReadOnly {
		return scimerr.BadRequest(scimerr.Mutability, "attribute %q is read-only", target.Attr.Name+"."+target.Sub.Name)
	}

	if target.Sub != nil && target.Attr.MultiValued {
		// emails.value selects the sub-attribute of every value.
		path.SubAttr = target.Sub.Name
		target.Sub = nil
	}
	if path.Filter != nil || path.SubAttr != "" {
		return applyValuePath(rt, doc, op, target, path)
	}
	return applyAttribute(rt, doc, op, target)
}

// applyExtension handles a path that is only an extension URN, which names
// the object that holds all of the extension's attributes.
func applyExtension(rt *schema.ResourceType, doc map[string]any, op Operation, ext *schema.Schema) error {
	if op.Op == "remove" {
		delete(doc, ext.ID)
		return nil
	}
	return applyNoPath(rt, doc, Operation{Op: op.Op, Value: map[string]any{ext.ID: op.Value}})
}

// applyNoPath handles add and replace without a path: every key of the value
// object is a path of its own, which may be dotted (name.givenName) or fully
// qualified, and an extension URN key holds an object of its attributes.
func applyNoPath(rt *schema.ResourceType, doc map[string]any, op Operation) error {
	object, ok := op.Value.(map[string]any)
	if !ok {
		return scimerr.BadRequest(scimerr.InvalidValue, "%s without a path needs a JSON object value", op.Op)
	}
	for key, value := range object {
		if strings.EqualFold(key, "schemas") {
			continue
		}
		if ext := rt.Extension(key); ext != nil {
			inner, isObject := value.(map[string]any)
			if !isObject {
				if value == nil {
					continue
				}
				return scimerr.BadRequest(scimerr.InvalidValue, "extension %s must be a JSON object", ext.ID)
			}
			for name, innerValue := range inner {
				if err := applyKey(rt, doc, op.Op, ext.ID+":"+name, innerValue); err != nil {
					return err
				}
			}
			continue
		}
		if err := applyKey(rt, doc, op.Op, key, value); err != nil {
			return err
		}
	}
	return nil
}

func applyKey(rt *schema.ResourceType, doc map[string]any, opName, key string, value any) error {
	target, ok := rt.Resolve(key)
	if !ok || target.Attr.EffectiveMutability() == schema.ReadOnly {
		// Okta sends the read-only id inside the value, so read-only and
		// unknown keys are skipped rather than rejected.
		return nil
	}
	return applyAttribute(rt, doc, Operation{Op: opName, Path: key, Value: value}, target)
}

// applyAttribute handles a path to an attribute or to a sub-attribute of a
// single-valued complex attribute.
func applyAttribute(rt *schema.ResourceType, doc map[string]any, op Operation, target schema.Target) error {
	attr := target.Attr
	container := containerOf(rt, doc, target)
	current := lookup(container, attr.Name)

	switch op.Op {
	case "remove":
		if attr.MultiValued && target.Sub == nil && op.Value != nil {
			return removeValues(rt, doc, target, current, op.Value)
		}
		return rt.Set(doc, target, nil)

	case "replace":
		if target.Sub == nil && attr.Type == schema.TypeComplex && !attr.MultiValued {
			return mergeComplex(rt, doc, target, current, op.Value)
		}
		return rt.Set(doc, target, op.Value)

	default: // add
		if target.Sub != nil {
			return rt.Set(doc, target, op.Value)
		}
		if attr.MultiValued {
			return addValues(rt, doc, target, current, op.Value)
		}
		if attr.Type == schema.TypeComplex {
			return mergeComplex(rt, doc, target, current, op.Value)
		}
		return rt.Set(doc, target, op.Value)
	}
}

// mergeComplex sets the sub-attributes given in value and keeps the others,
// as RFC 7644 section 3.5.2.3 requires for a complex attribute. A sub-attribute
// given as null or "" is removed. An absent value (null, "" or []) removes
// the whole attribute, and so does an empty "value" sub-attribute, which is
// how Entra ID clears a manager with {"value": ""}.
func mergeComplex(rt *schema.ResourceType, doc map[string]any, target schema.Target, current, value any) error {
	normalized, err := schema.NormalizeValue(target.Attr, value)
	if err != nil {
		return err
	}
	input, isObject := singleObject(value)
	if !isObject && normalized == nil {
		return rt.Set(doc, target, nil)
	}

	merged := map[string]any{}
	if existing, ok := current.(map[string]any); ok {
		for k, v := range existing {
			merged[k] = v
		}
	}
	for key, subValue := range input {
		sub := target.Attr.Sub(key)
		if sub == nil || sub.EffectiveMutability() == schema.ReadOnly || !isEmpty(subValue) {
			continue
		}
		if sub.Name == "value" {
			return rt.Set(doc, target, nil)
		}
		delete(merged, sub.Name)
	}
	if updates, ok := normalized.(map[string]any); ok {
		for k, v := range updates {
			merged[k] = v
		}
	}
	return rt.Set(doc, target, merged)
}

// singleObject returns value as a JSON object, also when it is an array of
// one object, the form that normalization accepts for a single-valued
// complex attribute.
func singleObject(value any) (map[string]any, bool) {
	if list, ok := value.([]any); ok && len(list) == 1 {
		value = list[0]
	}
	object, ok := value.(map[string]any)
	return object, ok
}

func isEmpty(value any) bool {
	s, isString := value.(string)
	return value == nil || isString && s == ""
}

// addValues appends values to a multi-valued attribute, skipping values
// equal to one already present. A new primary value demotes the old one.
func addValues(rt *schema.ResourceType, doc map[string]any, target schema.Target, current, value any) error {
	normalized, err := schema.NormalizeValue(target.Attr, value)
	if err != nil {
		return err
	}
	if normalized == nil {
		return nil
	}
	existing, _ := current.([]any)
	merged := append([]any{}, existing...)
	for _, item := range normalized.([]any) {
		if !containsEqual(merged, item) {
			merged = append(merged, item)
		}
	}
	schema.EnforceSinglePrimary(merged)
	return rt.Set(doc, target, merged)
}

// removeValues removes the listed values from a multi-valued attribute: the
// form Entra ID uses to remove some group members, which must never empty
// the whole attribute. Complex values match on their "value"
// sub-attribute when the given value has one.
func removeValues(rt *schema.ResourceType, doc map[string]any, target schema.Target, current, value any) error {
	normalized, err := schema.NormalizeValue(target.Attr, value)
	if err != nil {
		return err
	}
	existing, _ := current.([]any)
	if normalized == nil || len(existing) == 0 {
		return nil
	}
	var kept []any
	for _, item := range existing {
		if !matchesAny(target.Attr, item, normalized.([]any)) {
			kept = append(kept, item)
		}
	}
	return rt.Set(doc, target, anyOrNil(kept))
}

func matchesAny(attr *schema.Attribute, item any, removals []any) bool {
	for _, removal := range removals {
		itemObject, itemIsObject := item.(map[string]any)
		removalObject, removalIsObject := removal.(map[string]any)
		if itemIsObject && removalIsObject {
			if v, ok := removalObject["value"]; ok {
				if equalValue(attr.Sub("value"), itemObject["value"], v) {
					return true
				}
				continue
			}
		}
		if reflect.DeepEqual(item, removal) {
			return true
		}
	}
	return false
}

func equalValue(attr *schema.Attribute, a, b any) bool {
	as, aIsString := a.(string)
	bs, bIsString := b.(string)
	if aIsString && bIsString && attr != nil && !attr.CaseExact {
		return strings.EqualFold(as, bs)
	}
	return reflect.DeepEqual(a, b)
}

func containsEqual(list []any, item any) bool {
	for _, existing := range list {
		if reflect.DeepEqual(existing, item) {
			return true
		}
	}
	return false
}

func anyOrNil(list []any) any {
	if len(list) == 0 {
		return nil
	}
	return list
}

func containerOf(rt *schema.ResourceType, doc map[string]any, target schema.Target) map[string]any {
	if target.IsExtension(rt) {
		inner, _ := doc[target.Schema.ID].(map[string]any)
		return inner
	}
	return doc
}

func lookup(container map[string]any, name string) any {
	if container == nil {
		return nil
	}
	return container[name]
}
