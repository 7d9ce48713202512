package filter

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// Limits on the input of Parse and ParsePath, which keep a hostile filter
// from exhausting the stack or the CPU. RFC 7644 sets neither limit.
const (
	// MaxLength is the maximum length of a filter or path, in bytes.
	MaxLength = 4096
	// MaxDepth is the maximum number of nested parentheses, "not (...)"
	// groups and "[...]" value filters. A parenthesis directly after "["
	// opens no new level. The canonical form of emails[a pr or b pr].value eq
	// "x" adds one there, and must stay within the limit when the input does.
	MaxDepth = 50
)

// Parse parses a SCIM filter expression, such as userName eq "bjensen" or
// emails[type eq "work"]. Attribute names, operators and the keywords and,
// or, not, true, false and null are read in any letter case.
//
// On failure Parse returns a *scimerr.Error with status 400, type
// invalidFilter and a detail that names the byte offset of the problem,
// counted from 0, such as
// `invalid filter at position 9: expected a comparison operator after "userName", found "bjensen"`.
func Parse(input string) (Expr, error) {
	p := newParser(input, false)
	e, err := p.parseFilter()
	if err != nil {
		return nil, scimerr.BadRequest(scimerr.InvalidFilter, "invalid filter at position %d: %s", err.pos, err.msg)
	}
	return e, nil
}

// Path is a PATCH operation path: an attribute path, optionally followed by
// a value filter in brackets and a sub-attribute, as in
// emails[type eq "work"].value.
//
// A path that is only a schema URN, such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", parses as an
// attribute whose Name is the part after the last colon ("User"). A caller
// that accepts such paths compares Attr.String() with the URNs of its
// schemas.
type Path struct {
	// Attr is the attribute that the operation targets.
	Attr AttrPath
	// Filter selects elements of the multi-valued attribute Attr, with paths
	// relative to an element. It is nil when the path has no "[...]".
	Filter Expr
	// SubAttr is the sub-attribute after "].", or "" when there is none.
	SubAttr string
}

// String returns the path in the form that ParsePath reads.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.Attr.String())
	if p.Filter != nil {
		b.WriteByte('[')
		writeExpr(&b, p.Filter)
		b.WriteByte(']')
	}
	if p.SubAttr != "" {
		b.WriteByte('.')
		b.WriteString(p.SubAttr)
	}
	return b.String()
}

// ParsePath parses the path of a PATCH operation, such as "name.familyName",
// `members[value eq "2819c223"]`, `emails[type eq "work"].value` or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager".
//
// On failure ParsePath returns a *scimerr.Error with status 400, type
// invalidPath and a detail that names the byte offset of the problem,
// counted from 0. That includes syntax errors inside the brackets.
func ParsePath(input string) (Path, error) {
	p := newParser(input, true)
	path, err := p.parsePath()
	if err != nil {
		return Path{}, scimerr.BadRequest(scimerr.InvalidPath, "invalid path at position %d: %s", err.pos, err.msg)
	}
	return path, nil
}

type parser struct {
	lex     lexer
	tok     token     // the current token, not yet consumed
	prev    tokenKind // the kind of the token before tok
	prevEnd int       // the byte offset just after the token before tok
	depth   int
	// inBracket is set while parsing the filter of a value path, whose
	// attribute paths are sub-attribute names.
	inBracket bool
	// noun is "filter" or "path", for messages such as "found end of path".
	noun string
}

func newParser(input string, path bool) *parser {
	p := &parser{lex: lexer{input: input}, noun: "filter"}
	if path {
		p.noun = "path"
	}
	return p
}

// start checks the limits that apply to the whole input and reads the first
// token.
func (p *parser) start() *syntaxError {
	input := p.lex.input
	if len(input) > MaxLength {
		return &syntaxError{pos: MaxLength, msg: fmt.Sprintf("the %s is %d bytes long, and the maximum is %d bytes", p.noun, len(input), MaxLength)}
	}
	if i := firstInvalidUTF8(input); i >= 0 {
		return &syntaxError{pos: i, msg: "invalid UTF-8 byte"}
	}
	return p.advance()
}

func (p *parser) advance() *syntaxError {
	p.prev = p.tok.kind
	p.prevEnd = p.tok.end
	tok, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = tok
	return nil
}

// errorf returns a syntax error at the current token.
func (p *parser) errorf(format string, args ...any) *syntaxError {
	return &syntaxError{pos: p.tok.pos, msg: fmt.Sprintf(format, args...)}
}

// found describes the current token for an error message.
func (p *parser) found() string {
	switch p.tok.kind {
	case tokEOF:
		return "end of " + p.noun
	case tokString:
		return "the string " + quoteText(p.tok.value)
	default:
		return quoteText(p.tok.text)
	}
}

func (p *parser) isKeyword(keyword string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.text, keyword)
}

// enter opens one nesting level at the current token.
func (p *parser) enter() *syntaxError {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf("the %s is nested deeper than the maximum of %d levels of parentheses and brackets", p.noun, MaxDepth)
	}
	return nil
}

func (p *parser) leave() {
	p.depth--
}

// expectClose consumes the closing token of the group being parsed.
func (p *parser) expectClose(kind tokenKind) *syntaxError {
	if p.tok.kind != kind {
		closer := `")"`
		if kind == tokRBracket {
			closer = `"]"`
		}
		return p.errorf(`expected "and", "or" or %s, found %s`, closer, p.found())
	}
	return p.advance()
}

func (p *parser) parseFilter() (Expr, *syntaxError) {
	if err := p.start(); err != nil {
		return nil, err
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		if p.tok.kind == tokRParen {
			return nil, p.errorf(`unbalanced ")"`)
		}
		return nil, p.errorf(`expected "and", "or" or end of filter, found %s`, p.found())
	}
	return e, nil
}

// parseOr parses a sequence of "and" groups joined by "or", because "and"
// binds tighter than "or".
func (p *parser) parseOr() (Expr, *syntaxError) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isKeyword(OpOr) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: OpOr, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseAnd() (Expr, *syntaxError) {
	left, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword(OpAnd) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		left = &Logical{Op: OpAnd, Left: left, Right: right}
	}
	return left, nil
}

// parsePrimary parses a parenthesized filter, a "not (...)" group, an
// attribute comparison or a value path.
func (p *parser) parsePrimary() (Expr, *syntaxError) {
	switch {
	case p.tok.kind == tokLParen:
		return p.parseGroup()
	case p.isKeyword("not"):
		return p.parseNot()
	case p.isKeyword(OpAnd), p.isKeyword(OpOr):
		return nil, p.errorf(`expected an attribute path, "not" or "(", found %s`, p.found())
	case p.tok.kind == tokWord:
		return p.parseAttrExpr()
	default:
		return nil, p.errorf(`expected an attribute path, "not" or "(", found %s`, p.found())
	}
}

func (p *parser) parseGroup() (Expr, *syntaxError) {
	opensLevel := p.prev != tokLBracket
	if opensLevel {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.expectClose(tokRParen); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *parser) parseNot() (Expr, *syntaxError) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokLParen {
		return nil, p.errorf(`expected "(" after "not", found %s`, p.found())
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.expectClose(tokRParen); err != nil {
		return nil, err
	}
	return &Not{X: x}, nil
}

// parseAttrExpr parses a comparison or a value path, which both start with
// an attribute path.
func (p *parser) parseAttrExpr() (Expr, *syntaxError) {
	word := p.tok
	path, err := p.parseAttrPath()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokLBracket {
		return p.parseComparison(path, word.text)
	}

	filter, err := p.parseBracketFilter(path)
	if err != nil {
		return nil, err
	}
	sub, ok, err := p.parseSubAfterBracket()
	if err != nil {
		return nil, err
	}
	if ok {
		// Entra ID sends emails[type eq "work"].value eq "x", which the RFC
		// grammar lacks. It means that one element passes both tests.
		subWord := word.text + "[...]." + sub
		cmp, err := p.parseComparison(AttrPath{Name: sub}, subWord)
		if err != nil {
			return nil, err
		}
		filter = &Logical{Op: OpAnd, Left: filter, Right: cmp}
	}
	return &ValuePath{Path: path, Filter: filter}, nil
}

// parseAttrPath parses the current word as an attribute path and consumes
// it. Inside brackets the path must be a plain sub-attribute name.
func (p *parser) parseAttrPath() (AttrPath, *syntaxError) {
	word := p.tok
	path, err := splitAttrPath(word.text, word.pos)
	if err != nil {
		return AttrPath{}, err
	}
	if p.inBracket && (path.URN != "" || path.Sub != "") {
		return AttrPath{}, p.errorf("attribute path %s inside brackets must be a sub-attribute name without a URN or \".\"", quoteText(word.text))
	}
	if err := p.advance(); err != nil {
		return AttrPath{}, err
	}
	return path, nil
}

// parseBracketFilter parses "[filter]" after the attribute path of a value
// path.
func (p *parser) parseBracketFilter(path AttrPath) (Expr, *syntaxError) {
	if p.inBracket {
		return nil, p.errorf("a value filter in brackets cannot contain another one")
	}
	if path.Sub != "" {
		return nil, p.errorf(`"[" cannot follow the sub-attribute path %s, because only a multi-valued attribute has elements to filter`, quoteText(path.String()))
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}

	p.inBracket = true
	filter, err := p.parseOr()
	p.inBracket = false
	if err != nil {
		return nil, err
	}
	if err := p.expectClose(tokRBracket); err != nil {
		return nil, err
	}
	return filter, nil
}

// parseSubAfterBracket parses the ".subAttr" that may directly follow "]"
// and reports whether there was one.
func (p *parser) parseSubAfterBracket() (string, bool, *syntaxError) {
	if p.tok.kind != tokWord || p.tok.pos != p.prevEnd || p.tok.text[0] != '.' {
		return "", false, nil
	}
	sub := p.tok.text[1:]
	if !isAttrName(sub) {
		return "", false, &syntaxError{pos: p.tok.pos + 1, msg: invalidNameMessage(sub)}
	}
	if err := p.advance(); err != nil {
		return "", false, err
	}
	return sub, true, nil
}

// parseComparison parses the operator and value that follow the attribute
// path path, written as pathText in the input.
func (p *parser) parseComparison(path AttrPath, pathText string) (Expr, *syntaxError) {
	op := strings.ToLower(p.tok.text)
	if p.tok.kind != tokWord || !isComparisonOperator(op) {
		return nil, p.errorf("expected a comparison operator after %s, found %s", quoteText(pathText), p.found())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if op == OpPr {
		return &Compare{Path: path, Op: op}, nil
	}
	value, err := p.parseValue(op)
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: value}, nil
}

func isComparisonOperator(op string) bool {
	switch op {
	case OpEq, OpNe, OpCo, OpSw, OpEw, OpGt, OpGe, OpLt, OpLe, OpPr:
		return true
	}
	return false
}

// parseValue parses the literal after the operator op.
func (p *parser) parseValue(op string) (any, *syntaxError) {
	var value any
	switch {
	case p.tok.kind == tokString:
		value = p.tok.value
	case p.tok.kind != tokWord:
		return nil, p.expectedValue(op)
	case strings.EqualFold(p.tok.text, "true"):
		value = true
	case strings.EqualFold(p.tok.text, "false"):
		value = false
	case strings.EqualFold(p.tok.text, "null"):
		value = nil
	case isJSONNumber(p.tok.text):
		value = json.Number(p.tok.text)
	case op == OpEq && isBareWord(p.tok.text):
		// An unquoted word after "eq" is a string, for clients that leave
		// out the quotes, as in externalId eq abc123.
		value = p.tok.text
	default:
		return nil, p.expectedValue(op)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return value, nil
}

func (p *parser) expectedValue(op string) *syntaxError {
	return p.errorf(`expected a value after %q (a quoted string, a number, true, false or null), found %s`, op, p.found())
}

// isBareWord reports whether word may stand for a string without quotes. The
// logical keywords may not, so that a missing value is still reported.
func isBareWord(word string) bool {
	for _, keyword := range []string{OpAnd, OpOr, "not"} {
		if strings.EqualFold(word, keyword) {
			return false
		}
	}
	return true
}

// isJSONNumber reports whether s is a number in JSON syntax:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// parsePath parses a whole PATCH path.
func (p *parser) parsePath() (Path, *syntaxError) {
	if err := p.start(); err != nil {
		return Path{}, err
	}
	if p.tok.kind != tokWord {
		return Path{}, p.errorf("expected an attribute path, found %s", p.found())
	}
	attr, err := p.parseAttrPath()
	if err != nil {
		return Path{}, err
	}
	path := Path{Attr: attr}
	if p.tok.kind == tokLBracket {
		filter, err := p.parseBracketFilter(attr)
		if err != nil {
			return Path{}, err
		}
		path.Filter = filter
		sub, _, err := p.parseSubAfterBracket()
		if err != nil {
			return Path{}, err
		}
		path.SubAttr = sub
		if p.tok.kind != tokEOF {
			return Path{}, p.errorf(`expected "." and a sub-attribute name directly after "]", or end of path, found %s`, p.found())
		}
	}
	if p.tok.kind != tokEOF {
		return Path{}, p.errorf(`expected "[" or end of path, found %s`, p.found())
	}
	return path, nil
}
