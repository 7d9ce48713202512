// Package scimhttp is the HTTP side of every SCIM function. It builds a
// function's dependencies once per process and authenticates the bearer
// token. It parses each request, calls the resource service, and writes the
// SCIM JSON response or error with one access log line per request. It works on
// the golang-http handler.Request and handler.Response, which the OpenFaaS
// template and the Lambda adapter both produce.
package scimhttp
