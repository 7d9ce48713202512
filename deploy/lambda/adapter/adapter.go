// Package adapter runs a golang-http function behind an API Gateway HTTP API
// (payload format 2.0) on AWS Lambda. It lives under deploy/lambda, not
// shared/, because everything under shared/ is copied into each OpenFaaS
// build context and must not link aws-lambda-go.
package adapter

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	handler "github.com/openfaas/templates-sdk/go-http"
	"github.com/rs/zerolog"

	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/logging"
	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// HandlerFunc is the signature that lambda.Start accepts for an HTTP API
// function.
type HandlerFunc func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Wrap returns a Lambda handler that converts each event to a
// handler.Request, calls handle and converts its response. Like the OpenFaaS
// entry point, it turns an error from handle into a 500 SCIM error. It
// returns a nil error, so API Gateway gets an HTTP response unless handle
// panics.
func Wrap(handle entrypoint.HandleFunc) HandlerFunc {
	return func(ctx context.Context, event events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		req, scimErr := Request(ctx, event)
		if scimErr != nil {
			// handle writes the access line, but this request never reaches it.
			logger(event.RequestContext.RequestID).Warn().
				Str(logging.FieldMethod, event.RequestContext.HTTP.Method).
				Str(logging.FieldPath, event.RawPath).
				Int(logging.FieldStatus, scimErr.Status).
				Msg(scimErr.Detail)
			return errorResponse(scimErr), nil
		}

		resp, err := handle(req)
		if err != nil {
			logger(req.Header.Get("X-Call-Id")).Error().Err(err).Msg("function returned an error")
			return errorResponse(scimerr.New(http.StatusInternalServerError, "", "the function failed; see its log")), nil
		}
		return Response(resp), nil
	}
}

// logger returns a logger for the adapter's own lines. Its fn field is
// FUNCTION_NAME, as on the access lines, or else the name that Lambda sets.
func logger(callID string) *zerolog.Logger {
	function := os.Getenv("FUNCTION_NAME")
	if function == "" {
		function = os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	}
	l := logging.New(os.Stderr, "info", function).With().Str(logging.FieldCallID, callID).Logger()
	return &l
}

// Request converts an HTTP API v2 event to a handler.Request whose context
// carries the URL path (see route.Path). It returns a SCIM error when the
// body is not valid base64 or is larger than entrypoint.MaxBodySize.
func Request(ctx context.Context, event events.APIGatewayV2HTTPRequest) (handler.Request, *scimerr.Error) {
	body := []byte(event.Body)
	if event.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(event.Body)
		if err != nil {
			return handler.Request{}, scimerr.BadRequest(scimerr.InvalidSyntax, "the request body is not valid base64")
		}
		body = decoded
	}
	if len(body) > entrypoint.MaxBodySize {
		return handler.Request{}, scimerr.New(http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", entrypoint.MaxBodySize)
	}

	// API Gateway joins repeated headers with commas and moves cookies out
	// of the headers into Cookies.
	header := make(http.Header, len(event.Headers)+1)
	for name, value := range event.Headers {
		header.Add(name, value)
	}
	for _, cookie := range event.Cookies {
		header.Add("Cookie", cookie)
	}
	// The access log takes its call_id from X-Call-Id, which the OpenFaaS
	// gateway sets and API Gateway does not.
	if header.Get("X-Call-Id") == "" && event.RequestContext.RequestID != "" {
		header.Set("X-Call-Id", event.RequestContext.RequestID)
	}

	req := handler.Request{
		Body:        body,
		Header:      header,
		QueryString: event.RawQueryString,
		Method:      event.RequestContext.HTTP.Method,
		Host:        event.RequestContext.DomainName,
	}
	// NOTE: the OpenFaaS entry point passes the percent-decoded path, while
	// this passes RawPath as API Gateway sends it. The two differ only for
	// paths with percent escapes, such as an id containing "%2F".
	req.WithContext(route.WithPath(ctx, event.RawPath))
	return req, nil
}

// Response converts a handler.Response to an HTTP API v2 response. A status
// of 0 becomes 200. Every header goes into MultiValueHeaders, so repeated
// headers keep all their values.
func Response(resp handler.Response) events.APIGatewayV2HTTPResponse {
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}

	var headers map[string][]string
	if len(resp.Header) > 0 {
		headers = make(map[string][]string, len(resp.Header))
		for name, values := range resp.Header {
			headers[name] = append([]string(nil), values...)
		}
	}

	return events.APIGatewayV2HTTPResponse{
		StatusCode:        status,
		MultiValueHeaders: headers,
		Body:              string(resp.Body),
	}
}

func errorResponse(e *scimerr.Error) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode:        e.Status,
		MultiValueHeaders: map[string][]string{"Content-Type": {"application/scim+json"}},
		Body:              string(e.Body()),
	}
}
