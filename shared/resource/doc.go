// Package resource implements the SCIM operations on one resource type
// (create, get, list, replace, patch and delete, RFC 7644 section 3) on top
// of the store, the schema, the filter and the patch packages. It takes and
// returns domain values, never HTTP types, so that every transport (OpenFaaS,
// Lambda, tests) shares it.
package resource
