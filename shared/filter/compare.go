package filter

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/scimfaas/scimfaas/shared/schema"
)

// compareValue reports whether have, one value of the attribute def in a
// resource, satisfies the comparison op against the filter literal want.
// Values of the wrong type never match.
func compareValue(def *schema.Attribute, op string, have, want any) bool {
	switch def.Type {
	case schema.TypeBoolean:
		return compareBooleans(op, have, want)
	case schema.TypeInteger, schema.TypeDecimal:
		return compareNumbers(op, have, want)
	case schema.TypeDateTime:
		return compareDateTimes(op, have, want)
	case schema.TypeComplex:
		return false
	}
	// Strings, references, binary values and attributes of an unknown type
	// compare as strings. Binary values are base64, where case matters.
	caseExact := def.CaseExact || def.Type == schema.TypeBinary
	return compareStrings(op, have, want, caseExact)
}

// orderMatches reports whether the result c of comparing an attribute value
// with a literal satisfies op, which is one of eq, ne, gt, ge, lt and le.
func orderMatches(op string, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	}
	return false
}

func compareStrings(op string, have, want any, caseExact bool) bool {
	h, ok := stringOf(have)
	if !ok {
		return false
	}
	w, ok := stringOf(want)
	if !ok {
		return false
	}
	if !caseExact {
		h, w = foldCase(h), foldCase(w)
	}

	switch op {
	case OpCo:
		return strings.Contains(h, w)
	case OpSw:
		return strings.HasPrefix(h, w)
	case OpEw:
		return strings.HasSuffix(h, w)
	}
	return orderMatches(op, strings.Compare(h, w))
}

// stringOf returns v as a string. A number counts as its JSON text, so that
// externalId eq 12345 matches the string "12345".
func stringOf(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	}
	return "", false
}

// foldCase maps each rune of s to the smallest rune of its simple case
// folding orbit, the equivalence that strings.EqualFold uses. Unlike
// strings.ToLower it makes "K" (U+212A KELVIN SIGN) equal to "k", and it
// gives a case-insensitive order for gt and lt.
func foldCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	smallest := r
	// Orbits have at most four runes, and the bound only guards against a
	// broken unicode table.
	f := unicode.SimpleFold(r)
	for i := 0; f != r && i < 8; i++ {
		smallest = min(smallest, f)
		f = unicode.SimpleFold(f)
	}
	return smallest
}

func compareBooleans(op string, have, want any) bool {
	h, ok := booleanOf(have)
	if !ok {
		return false
	}
	w, ok := booleanOf(want)
	if !ok {
		return false
	}
	switch op {
	case OpEq:
		return h == w
	case OpNe:
		return h != w
	}
	return false
}

// booleanOf returns v as a boolean. The strings "true" and "false" in any
// letter case count, because some clients quote booleans, as in
// active eq "True".
func booleanOf(v any) (value, ok bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch {
		case strings.EqualFold(v, "true"):
			return true, true
		case strings.EqualFold(v, "false"):
			return false, true
		}
	}
	return false, false
}

func compareNumbers(op string, have, want any) bool {
	h, ok := numberText(have)
	if !ok {
		return false
	}
	w, ok := numberText(want)
	if !ok {
		return false
	}
	c, ok := compareNumberTexts(h, w)
	return ok && orderMatches(op, c)
}

// numberText returns v as decimal text. Parse and json.Decoder.UseNumber
// give json.Number, and the other cases serve hand-built values.
func numberText(v any) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}

// compareNumberTexts compares two decimal numbers. Integers that fit in an
// int64 compare exactly and the rest as float64.
//
// NOTE: float64 rounds integers beyond 2^53 and decimals with more than
// about 15 significant digits, so such values can compare equal when they
// differ.
func compareNumberTexts(a, b string) (int, bool) {
	ai, errA := strconv.ParseInt(a, 10, 64)
	bi, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(ai, bi), true
	}

	af, ok := parseFloat(a)
	if !ok {
		return 0, false
	}
	bf, ok := parseFloat(b)
	if !ok {
		return 0, false
	}
	return cmp.Compare(af, bf), true
}

// parseFloat parses s, taking an out-of-range value as the nearest float64
// (infinity or zero) because it still orders correctly against finite
// numbers.
func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, !math.IsNaN(f)
}

func compareDateTimes(op string, have, want any) bool {
	h, ok := dateTimeOf(have)
	if !ok {
		return false
	}
	w, ok := dateTimeOf(want)
	if !ok {
		return false
	}
	return orderMatches(op, h.Compare(w))
}

// dateTimeOf parses v as an xsd:dateTime string, such as
// "2011-05-13T04:42:34Z" or "2011-05-13T06:42:34.5+02:00". A value without a
// time zone offset is taken as UTC.
func dateTimeOf(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	// RFC 3339 allows a lower-case "t" and "z", which time.Parse rejects.
	s = strings.ToUpper(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
