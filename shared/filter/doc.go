// Package filter parses SCIM filter expressions (RFC 7644 section 3.4.2.2)
// and PATCH paths (RFC 7644 section 3.5.2), and evaluates filters against
// resources held in memory as decoded JSON.
//
// Parse turns a filter such as
//
//	userType eq "Employee" and emails[type eq "work" and value co "@example.com"]
//
// into a tree of *Logical, *Not, *Compare and *ValuePath nodes. Matches
// evaluates that tree against one resource, and Validate checks that each
// operator fits the type of the attribute it is applied to. ParsePath reads
// the "path" of a PATCH operation, such as emails[type eq "work"].value.
//
// Besides the RFC grammar, the parser accepts a value path followed by a
// sub-attribute comparison, as in emails[type eq "work"].value eq
// "a@example.com", which Microsoft Entra ID sends. It also reads an unquoted
// word after "eq" as a string, as in externalId eq abc123, for clients that
// leave out the quotes.
//
// Every error is a *scimerr.Error with status 400, of type invalidFilter for
// filters and invalidPath for PATCH paths. Input of any content returns an
// error rather than panicking, and input longer than MaxLength bytes or
// nested deeper than MaxDepth levels is rejected before it can exhaust the
// stack.
package filter
