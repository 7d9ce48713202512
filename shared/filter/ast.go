package filter

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Logical operators.
const (
	OpAnd = "and"
	OpOr  = "or"
)

// Comparison operators, in the lower case that Compare.Op always uses.
const (
	OpEq = "eq"
	OpNe = "ne"
	OpCo = "co"
	OpSw = "sw"
	OpEw = "ew"
	OpGt = "gt"
	OpGe = "ge"
	OpLt = "lt"
	OpLe = "le"
	OpPr = "pr"
)

// Expr is a parsed filter: a *Logical, *Not, *Compare or *ValuePath.
//
// String prints the filter in canonical form: lower-case keywords and
// operators, single spaces, JSON string literals and only the parentheses
// that the precedence of "and" over "or" requires. For an Expr that Parse
// returned, Parse reads that text back to an equal Expr unless the text
// exceeds MaxLength. That can happen when the input was near the limit and
// the canonical form is longer, for example because a raw control character
// in a string becomes a \u escape.
type Expr interface {
	String() string
}

// Logical is the conjunction ("and") or disjunction ("or") of two filters.
// A chain such as "a and b and c" nests to the left.
type Logical struct {
	Op    string
	Left  Expr
	Right Expr
}

// Not is the negation of a filter, written not (...).
type Not struct {
	X Expr
}

// Compare is an attribute comparison such as userName eq "bjensen", or a
// presence test such as title pr. Op is one of the Op constants in lower
// case. Value is a string, bool, nil (for null) or json.Number, and nil when
// Op is "pr".
type Compare struct {
	Path  AttrPath
	Op    string
	Value any
}

// ValuePath is a filter on the elements of a multi-valued complex attribute,
// such as emails[type eq "work"]. It matches when at least one element
// matches Filter, whose attribute paths name sub-attributes of Path.
//
// The parser also produces a ValuePath for the non-standard form
// emails[type eq "work"].value eq "x", with the sub-attribute comparison
// joined to Filter by "and", because both must hold for the same element.
type ValuePath struct {
	Path   AttrPath
	Filter Expr
}

// AttrPath is an attribute path such as "userName", "name.familyName" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
// URN is the schema URN without the colon that follows it, and "" when the
// path is not fully qualified. Sub is the sub-attribute, "" when there is
// none. Names keep the letter case of the input.
type AttrPath struct {
	URN  string
	Name string
	Sub  string
}

// String returns the path as a filter or PATCH path writes it.
func (p AttrPath) String() string {
	var b strings.Builder
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// String returns the canonical filter text of l.
func (l *Logical) String() string {
	var b strings.Builder
	writeExpr(&b, l)
	return b.String()
}

// String returns the canonical filter text of n.
func (n *Not) String() string {
	var b strings.Builder
	writeExpr(&b, n)
	return b.String()
}

// String returns the canonical filter text of c.
func (c *Compare) String() string {
	var b strings.Builder
	writeExpr(&b, c)
	return b.String()
}

// String returns the canonical filter text of v.
func (v *ValuePath) String() string {
	var b strings.Builder
	writeExpr(&b, v)
	return b.String()
}

// precedence returns the binding strength of e: "or" binds loosest, then
// "and", and every other node is a primary that never needs parentheses.
func precedence(e Expr) int {
	if l, ok := e.(*Logical); ok {
		if l.Op == OpOr {
			return 1
		}
		return 2
	}
	return 3
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Logical:
		if e == nil {
			b.WriteString("<nil>")
			return
		}
		// Both operators associate to the left, so a right operand of equal
		// precedence needs parentheses to keep its grouping on a re-parse.
		writeOperand(b, e.Left, precedence(e.Left) < precedence(e))
		b.WriteByte(' ')
		b.WriteString(e.Op)
		b.WriteByte(' ')
		writeOperand(b, e.Right, precedence(e.Right) <= precedence(e))
	case *Not:
		if e == nil {
			b.WriteString("<nil>")
			return
		}
		b.WriteString("not (")
		writeExpr(b, e.X)
		b.WriteByte(')')
	case *Compare:
		if e == nil {
			b.WriteString("<nil>")
			return
		}
		b.WriteString(e.Path.String())
		b.WriteByte(' ')
		b.WriteString(e.Op)
		if e.Op != OpPr {
			b.WriteByte(' ')
			writeLiteral(b, e.Value)
		}
	case *ValuePath:
		if e == nil {
			b.WriteString("<nil>")
			return
		}
		b.WriteString(e.Path.String())
		b.WriteByte('[')
		writeExpr(b, e.Filter)
		b.WriteByte(']')
	case nil:
		b.WriteString("<nil>")
	default:
		b.WriteString(e.String())
	}
}

func writeOperand(b *strings.Builder, e Expr, parenthesize bool) {
	if parenthesize {
		b.WriteByte('(')
	}
	writeExpr(b, e)
	if parenthesize {
		b.WriteByte(')')
	}
}

// writeLiteral writes v as a filter literal. Values that Parse never
// produces, such as a float64 in a hand-built Compare, are written in the
// closest literal form so that String never fails.
func writeLiteral(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(string(v))
	case string:
		writeJSONString(b, v)
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	default:
		writeJSONString(b, fmt.Sprint(v))
	}
}

// writeJSONString writes s as a JSON string. Unlike encoding/json it leaves
// <, > and & unescaped, which keeps filters readable in error messages.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		case r == utf8.RuneError && size == 1:
			// Parse only accepts valid UTF-8, so this byte can only come
			// from a hand-built value.
			b.WriteString(`\ufffd`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
