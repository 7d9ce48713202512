// Package scimhttp is the HTTP side of every SCIM function: it builds a
// function's dependencies once per process, authenticates the bearer token,
// parses the request, calls the resource service, and writes SCIM JSON
// responses and errors with one access log line per request. It works on
// the golang-http handler.Request and handler.Response, which the OpenFaaS
// template and the Lambda adapter both produce.
package scimhttp
