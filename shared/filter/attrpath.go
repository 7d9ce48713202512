package filter

import (
	"strings"
)

// splitAttrPath parses word, which starts at byte offset pos of the input,
// as attrPath = [URN ":"] ATTRNAME ["." ATTRNAME].
//
// A word that starts with "urn:" is fully qualified. Its attribute name
// follows the last colon, because schema URNs contain colons and dots
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") but
// attribute names contain neither.
func splitAttrPath(word string, pos int) (AttrPath, *syntaxError) {
	var path AttrPath
	rest := word
	restPos := pos
	if len(word) >= 4 && strings.EqualFold(word[:4], "urn:") {
		colon := strings.LastIndexByte(word, ':')
		path.URN = word[:colon]
		rest = word[colon+1:]
		restPos = pos + colon + 1
		if !isURN(path.URN) {
			return AttrPath{}, &syntaxError{pos: pos, msg: "invalid schema URN " + quoteText(path.URN) +
				` in attribute path. A URN is "urn:" followed by letters, digits and the characters -._~:%!$&'*+,;=@/`}
		}
	}

	name, sub, hasSub := strings.Cut(rest, ".")
	if !isAttrName(name) {
		return AttrPath{}, &syntaxError{pos: restPos, msg: invalidNameMessage(name)}
	}
	path.Name = name
	if hasSub {
		if !isAttrName(sub) {
			return AttrPath{}, &syntaxError{pos: restPos + len(name) + 1, msg: invalidNameMessage(sub)}
		}
		path.Sub = sub
	}
	return path, nil
}

func invalidNameMessage(name string) string {
	if name == "" {
		return "missing attribute name"
	}
	return "invalid attribute name " + quoteText(name) +
		`. An attribute name starts with a letter or "$" and contains only letters, digits, "-", "_" and "$"`
}

// isAttrName reports whether s is an ATTRNAME of RFC 7643 section 2.1, which
// starts with a letter and continues with letters, digits, "-" and "_". The
// "$" is also allowed because of "$ref".
func isAttrName(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '$') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return true
}

// isURN reports whether s looks like a URN: "urn:" followed by at least one
// character that RFC 8141 allows in a URN, other than the parentheses that
// the filter grammar reserves.
func isURN(s string) bool {
	if len(s) <= len("urn:") {
		return false
	}
	for i := len("urn:"); i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && !strings.ContainsRune("-._~:%!$&'*+,;=@/", rune(c)) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool {
	return c >= '0' && c <= '9'
}
