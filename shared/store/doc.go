// Package store keeps SCIM resources in Redis as JSON documents, together
// with the indexes that serve lookups without scanning, and changes a
// resource and its index entries in one atomic step.
//
// Every key of one resource type carries the same Redis Cluster hash tag,
// so that the Lua script that writes a resource may touch all its keys.
// The store knows nothing of HTTP or of SCIM schemas: callers give it the
// document bytes and the index entries to keep.
package store
