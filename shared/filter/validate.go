package filter

import (
	"github.com/scimfaas/scimfaas/shared/schema"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Validate checks that every operator in e fits the type of the attribute it
// applies to in resources of type rt, as RFC 7644 section 3.4.2.2 requires.
// It returns a *scimerr.Error with status 400 and type invalidFilter for
//   - gt, ge, lt or le on a boolean or binary attribute, or on a complex
//     attribute without a sub-attribute, and
//   - co, sw or ew on an attribute that is not a string or reference. On a
//     complex attribute without a sub-attribute, its "value" sub-attribute
//     must be a string or reference.
//
// Validate accepts attribute names that rt does not define, because Matches
// treats them as missing. Microsoft Entra ID's Test Connection filters on
// such an attribute and expects an empty list rather than an error. It also
// rejects operators that Parse never produces, in case e was built by hand.
// Validate returns nil when rt is nil.
func Validate(e Expr, rt *schema.ResourceType) error {
	if rt == nil || rt.Schema == nil {
		return nil
	}
	if err := validate(e, resourceScope{rt: rt}, 0); err != nil {
		return err
	}
	return nil
}

func validate(e Expr, sc scope, depth int) *scimerr.Error {
	if depth > maxEvalDepth {
		return scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter: nested deeper than %d levels", maxEvalDepth)
	}
	switch e := e.(type) {
	case *Logical:
		if e == nil {
			return nilNodeError()
		}
		if e.Op != OpAnd && e.Op != OpOr {
			return scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter: unknown logical operator %q", e.Op)
		}
		if err := validate(e.Left, sc, depth+1); err != nil {
			return err
		}
		return validate(e.Right, sc, depth+1)
	case *Not:
		if e == nil {
			return nilNodeError()
		}
		return validate(e.X, sc, depth+1)
	case *Compare:
		if e == nil {
			return nilNodeError()
		}
		return validateCompare(e, sc)
	case *ValuePath:
		if e == nil {
			return nilNodeError()
		}
		attr, sub, _, ok := sc.resolve(e.Path)
		if !ok || sub != nil {
			return nil
		}
		return validate(e.Filter, elementScope{parent: attr}, depth+1)
	}
	return nilNodeError()
}

func nilNodeError() *scimerr.Error {
	return scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter: the expression tree contains a nil or unknown node")
}

func validateCompare(c *Compare, sc scope) *scimerr.Error {
	if !isComparisonOperator(c.Op) {
		return scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter: unknown comparison operator %q", c.Op)
	}
	attr, sub, _, ok := sc.resolve(c.Path)
	if !ok {
		return nil
	}
	def := attr
	if sub != nil {
		def = sub
	}
	name := sc.describe(c.Path)

	switch c.Op {
	case OpGt, OpGe, OpLt, OpLe:
		if def.Type == schema.TypeComplex {
			return scimerr.BadRequest(scimerr.InvalidFilter,
				"invalid filter: the operator %q cannot compare the complex attribute %q, so name one of its sub-attributes, such as %q",
				c.Op, name, name+".value")
		}
		if def.Type == schema.TypeBoolean || def.Type == schema.TypeBinary {
			return scimerr.BadRequest(scimerr.InvalidFilter,
				"invalid filter: the operator %q does not apply to %q, which is of type %s", c.Op, name, def.Type)
		}
	case OpCo, OpSw, OpEw:
		if def.Type == schema.TypeComplex {
			def = def.Sub("value")
			if def == nil {
				return scimerr.BadRequest(scimerr.InvalidFilter,
					"invalid filter: the operator %q cannot compare the complex attribute %q, so name one of its sub-attributes", c.Op, name)
			}
			name += ".value"
		}
		if def.Type != schema.TypeString && def.Type != schema.TypeReference {
			return scimerr.BadRequest(scimerr.InvalidFilter,
				"invalid filter: the operator %q applies only to string attributes, and %q is of type %s", c.Op, name, def.Type)
		}
	}
	return nil
}
