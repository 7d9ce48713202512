package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
	tokString
	tokWord
)

// token is one lexical unit of a filter or path. A word is any run of bytes
// other than white space, parentheses, brackets and double quotes. The
// parser decides whether a word is an attribute path, an operator, a keyword
// or a literal.
type token struct {
	kind  tokenKind
	pos   int    // byte offset of the first byte
	end   int    // byte offset just after the last byte
	text  string // the input bytes of the token
	value string // the decoded value of a string literal
}

// syntaxError is a parse failure at a byte offset of the input. Parse and
// ParsePath turn it into a *scimerr.Error.
type syntaxError struct {
	pos int
	msg string
}

type lexer struct {
	input string
	pos   int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func isDelimiter(c byte) bool {
	return isSpace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"'
}

// next scans the token that starts at or after l.pos.
func (l *lexer) next() (token, *syntaxError) {
	for l.pos < len(l.input) && isSpace(l.input[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.input) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}

	kind := tokWord
	switch l.input[start] {
	case '(':
		kind = tokLParen
	case ')':
		kind = tokRParen
	case '[':
		kind = tokLBracket
	case ']':
		kind = tokRBracket
	case '"':
		return l.scanString()
	}
	if kind != tokWord {
		l.pos++
		return token{kind: kind, pos: start, end: l.pos, text: l.input[start:l.pos]}, nil
	}

	for l.pos < len(l.input) && !isDelimiter(l.input[l.pos]) {
		l.pos++
	}
	return token{kind: tokWord, pos: start, end: l.pos, text: l.input[start:l.pos]}, nil
}

// scanString scans a JSON string literal that starts at l.pos and decodes
// its escapes. Raw control characters are accepted, although JSON requires
// them to be escaped, and String escapes them in the canonical form.
func (l *lexer) scanString() (token, *syntaxError) {
	start := l.pos
	var b strings.Builder
	i := start + 1
	for i < len(l.input) {
		c := l.input[i]
		switch {
		case c == '"':
			l.pos = i + 1
			return token{kind: tokString, pos: start, end: l.pos, text: l.input[start:l.pos], value: b.String()}, nil
		case c == '\\':
			n, err := l.decodeEscape(i, &b)
			if err != nil {
				return token{}, err
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return token{}, &syntaxError{pos: start, msg: "string literal has no closing quote"}
}

// decodeEscape decodes the escape sequence that starts with the backslash at
// byte offset i, writes the character to b and returns the length of the
// sequence.
func (l *lexer) decodeEscape(i int, b *strings.Builder) (int, *syntaxError) {
	if i+1 >= len(l.input) {
		return 0, &syntaxError{pos: i, msg: "string literal ends inside an escape sequence"}
	}
	switch c := l.input[i+1]; c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		return l.decodeUnicodeEscape(i, b)
	default:
		return 0, &syntaxError{pos: i, msg: "invalid escape sequence " + quoteText(l.input[i:i+2]) +
			` in string literal. Valid escapes are \" \\ \/ \b \f \n \r \t and \uXXXX`}
	}
	return 2, nil
}

// decodeUnicodeEscape decodes \uXXXX at byte offset i, and the second half
// when the first is a high surrogate, because JSON writes characters outside
// the Basic Multilingual Plane as a UTF-16 surrogate pair.
func (l *lexer) decodeUnicodeEscape(i int, b *strings.Builder) (int, *syntaxError) {
	r, ok := parseHex4(l.input, i+2)
	if !ok {
		return 0, &syntaxError{pos: i, msg: `invalid \u escape: expected four hexadecimal digits`}
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, &syntaxError{pos: i, msg: `invalid \u escape: low surrogate without a preceding high surrogate`}
	case r >= 0xD800 && r <= 0xDBFF:
		low, ok := rune(0), false
		if i+7 < len(l.input) && l.input[i+6] == '\\' && l.input[i+7] == 'u' {
			low, ok = parseHex4(l.input, i+8)
		}
		if !ok || low < 0xDC00 || low > 0xDFFF {
			return 0, &syntaxError{pos: i, msg: `invalid \u escape: high surrogate not followed by a \u escape of a low surrogate`}
		}
		b.WriteRune(0x10000 + (r-0xD800)<<10 + (low - 0xDC00))
		return 12, nil
	}
	b.WriteRune(r)
	return 6, nil
}

func parseHex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		var digit byte
		switch {
		case c >= '0' && c <= '9':
			digit = c - '0'
		case c >= 'a' && c <= 'f':
			digit = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			digit = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(digit)
	}
	return r, true
}

// firstInvalidUTF8 returns the byte offset of the first byte of s that is
// not part of valid UTF-8, or -1.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// quoteText quotes s in Go syntax for an error message, shortened to at most
// 40 bytes of input so that a huge token cannot bloat the message.
func quoteText(s string) string {
	const maxBytes = 40
	if len(s) > maxBytes {
		cut := maxBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}
