package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	handler "github.com/openfaas/templates-sdk/go-http"

	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/route"
)

// parseEvent decodes an HTTP API payload format 2.0 event written as the
// JSON that API Gateway sends to Lambda.
func parseEvent(t *testing.T, raw string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	var event events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal([]byte(raw), &event); err != nil {
		t.Fatalf("invalid test event: %v\n%s", err, raw)
	}
	return event
}

// recordRequest returns a handle that stores the request it receives and
// returns resp.
func recordRequest(got *handler.Request, resp handler.Response) entrypoint.HandleFunc {
	return func(req handler.Request) (handler.Response, error) {
		*got = req
		return resp, nil
	}
}

func TestWrapConvertsRequest(t *testing.T) {
	tests := []struct {
		name  string
		event string
		check func(t *testing.T, req handler.Request)
	}{
		{
			name: "plain body and method",
			event: `{
				"version": "2.0", "routeKey": "POST /scim/Users", "rawPath": "/scim/Users", "rawQueryString": "",
				"headers": {"content-type": "application/scim+json"},
				"requestContext": {"domainName": "abc123.execute-api.eu-west-1.amazonaws.com", "requestId": "req-1",
					"http": {"method": "POST", "path": "/scim/Users"}},
				"body": "{\"userName\":\"bjensen\"}", "isBase64Encoded": false
			}`,
			check: func(t *testing.T, req handler.Request) {
				if string(req.Body) != `{"userName":"bjensen"}` {
					t.Errorf("Body = %q, want the event body unchanged", req.Body)
				}
				if req.Method != http.MethodPost {
					t.Errorf("Method = %q, want POST", req.Method)
				}
				if req.Host != "abc123.execute-api.eu-west-1.amazonaws.com" {
					t.Errorf("Host = %q, want the request context's domain name", req.Host)
				}
			},
		},
		{
			name: "base64 body is decoded",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users/.search",
				"requestContext": {"http": {"method": "POST"}},
				"body": "eyJzdGFydEluZGV4IjoxfQ==", "isBase64Encoded": true
			}`,
			check: func(t *testing.T, req handler.Request) {
				if string(req.Body) != `{"startIndex":1}` {
					t.Errorf("Body = %q, want the decoded body {\"startIndex\":1}", req.Body)
				}
			},
		},
		{
			name: "query string is passed raw",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users",
				"rawQueryString": "filter=userName%20eq%20%22bjensen%40example.com%22&count=10",
				"queryStringParameters": {"filter": "userName eq \"bjensen@example.com\"", "count": "10"},
				"requestContext": {"http": {"method": "GET"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				want := "filter=userName%20eq%20%22bjensen%40example.com%22&count=10"
				if req.QueryString != want {
					t.Errorf("QueryString = %q, want %q", req.QueryString, want)
				}
			},
		},
		{
			name: "path goes into the context",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users/2819c223-7f76-453a-919d-413861904646",
				"requestContext": {"http": {"method": "GET", "path": "/scim/Users/2819c223-7f76-453a-919d-413861904646"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				if got := route.Path(req.Context()); got != "/scim/Users/2819c223-7f76-453a-919d-413861904646" {
					t.Errorf("route.Path = %q, want the event's rawPath", got)
				}
			},
		},
		{
			name: "header names are canonical",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users",
				"headers": {"authorization": "Bearer secret-token", "content-type": "application/scim+json",
					"accept": "application/scim+json, application/json"},
				"requestContext": {"http": {"method": "GET"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				if got := req.Header["Authorization"]; !reflect.DeepEqual(got, []string{"Bearer secret-token"}) {
					t.Errorf("Header[Authorization] = %q, want [Bearer secret-token]", got)
				}
				if got := req.Header["Content-Type"]; !reflect.DeepEqual(got, []string{"application/scim+json"}) {
					t.Errorf("Header[Content-Type] = %q, want [application/scim+json]", got)
				}
				if got := req.Header.Get("Accept"); got != "application/scim+json, application/json" {
					t.Errorf("Accept = %q, want the comma-joined value unchanged", got)
				}
				if _, lower := req.Header["authorization"]; lower {
					t.Error("Header has the lower-case name authorization; want only the canonical name")
				}
			},
		},
		{
			name: "cookies become Cookie headers",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users",
				"cookies": ["session=abc", "theme=dark"],
				"requestContext": {"http": {"method": "GET"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				if got := req.Header.Values("Cookie"); !reflect.DeepEqual(got, []string{"session=abc", "theme=dark"}) {
					t.Errorf("Cookie headers = %q, want [session=abc theme=dark]", got)
				}
			},
		},
		{
			name: "request id becomes X-Call-Id",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users",
				"requestContext": {"requestId": "JKJaXmPLvHcESHA=", "http": {"method": "GET"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				if got := req.Header.Get("X-Call-Id"); got != "JKJaXmPLvHcESHA=" {
					t.Errorf("X-Call-Id = %q, want the request id JKJaXmPLvHcESHA=", got)
				}
			},
		},
		{
			name: "X-Call-Id from the client is kept",
			event: `{
				"version": "2.0", "rawPath": "/scim/Users",
				"headers": {"x-call-id": "from-client"},
				"requestContext": {"requestId": "JKJaXmPLvHcESHA=", "http": {"method": "GET"}}
			}`,
			check: func(t *testing.T, req handler.Request) {
				if got := req.Header.Values("X-Call-Id"); !reflect.DeepEqual(got, []string{"from-client"}) {
					t.Errorf("X-Call-Id = %q, want only [from-client]", got)
				}
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got handler.Request
			wrapped := Wrap(recordRequest(&got, handler.Response{StatusCode: http.StatusOK}))

			resp, err := wrapped(context.Background(), parseEvent(t, tt.event))
			if err != nil {
				t.Fatalf("Wrap returned error %v, want nil", err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("StatusCode = %d, want 200; body %s", resp.StatusCode, resp.Body)
			}
			tt.check(t, got)
		})
	}
}

func TestWrapConvertsResponse(t *testing.T) {
	tests := []struct {
		name        string
		resp        handler.Response
		wantStatus  int
		wantHeaders map[string][]string
		wantBody    string
	}{
		{
			name:        "status 0 becomes 200",
			resp:        handler.Response{Body: []byte(`{"totalResults":0}`)},
			wantStatus:  http.StatusOK,
			wantHeaders: nil,
			wantBody:    `{"totalResults":0}`,
		},
		{
			name: "created with headers",
			resp: handler.Response{
				StatusCode: http.StatusCreated,
				Header: http.Header{
					"Content-Type": {"application/scim+json"},
					"Location":     {"https://scim.example.com/scim/Users/1"},
					"Etag":         {`W/"1"`},
				},
				Body: []byte(`{"id":"1"}`),
			},
			wantStatus: http.StatusCreated,
			wantHeaders: map[string][]string{
				"Content-Type": {"application/scim+json"},
				"Location":     {"https://scim.example.com/scim/Users/1"},
				"Etag":         {`W/"1"`},
			},
			wantBody: `{"id":"1"}`,
		},
		{
			name:        "repeated header keeps every value",
			resp:        handler.Response{StatusCode: http.StatusNoContent, Header: http.Header{"Vary": {"Accept", "Authorization"}}},
			wantStatus:  http.StatusNoContent,
			wantHeaders: map[string][]string{"Vary": {"Accept", "Authorization"}},
			wantBody:    "",
		},
	}

	event := events.APIGatewayV2HTTPRequest{RawPath: "/scim/Users"}
	event.RequestContext.HTTP.Method = http.MethodGet

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got handler.Request
			resp, err := Wrap(recordRequest(&got, tt.resp))(context.Background(), event)
			if err != nil {
				t.Fatalf("Wrap returned error %v, want nil", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if !reflect.DeepEqual(resp.MultiValueHeaders, tt.wantHeaders) {
				t.Errorf("MultiValueHeaders = %q, want %q", resp.MultiValueHeaders, tt.wantHeaders)
			}
			if resp.Body != tt.wantBody {
				t.Errorf("Body = %q, want %q", resp.Body, tt.wantBody)
			}
			if resp.IsBase64Encoded {
				t.Error("IsBase64Encoded = true, want false for a JSON body")
			}
		})
	}
}

func TestWrapRejects(t *testing.T) {
	tests := []struct {
		name       string
		event      events.APIGatewayV2HTTPRequest
		handle     func(t *testing.T) entrypoint.HandleFunc
		wantStatus int
		wantDetail string
	}{
		{
			name:       "handle error becomes 500",
			event:      events.APIGatewayV2HTTPRequest{RawPath: "/scim/Users"},
			handle:     failWith(errors.New("redis down")),
			wantStatus: http.StatusInternalServerError,
			wantDetail: "the function failed; see its log",
		},
		{
			name:       "invalid base64 body",
			event:      events.APIGatewayV2HTTPRequest{RawPath: "/scim/Users", Body: "not base64!", IsBase64Encoded: true},
			handle:     mustNotBeCalled,
			wantStatus: http.StatusBadRequest,
			wantDetail: "the request body is not valid base64",
		},
		{
			name:       "body over the size limit",
			event:      events.APIGatewayV2HTTPRequest{RawPath: "/scim/Users", Body: strings.Repeat("a", entrypoint.MaxBodySize+1)},
			handle:     mustNotBeCalled,
			wantStatus: http.StatusRequestEntityTooLarge,
			wantDetail: "request body is larger than 16777216 bytes",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Wrap(tt.handle(t))(context.Background(), tt.event)
			if err != nil {
				t.Fatalf("Wrap returned error %v, want nil so that API Gateway sends the SCIM error", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.MultiValueHeaders["Content-Type"]; !reflect.DeepEqual(got, []string{"application/scim+json"}) {
				t.Errorf("Content-Type = %q, want [application/scim+json]", got)
			}

			var body struct {
				Schemas []string `json:"schemas"`
				Status  string   `json:"status"`
				Detail  string   `json:"detail"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, resp.Body)
			}
			if !reflect.DeepEqual(body.Schemas, []string{"urn:ietf:params:scim:api:messages:2.0:Error"}) {
				t.Errorf("schemas = %q, want the SCIM Error schema", body.Schemas)
			}
			if body.Status != strconv.Itoa(tt.wantStatus) {
				t.Errorf("status = %q, want %q", body.Status, strconv.Itoa(tt.wantStatus))
			}
			if body.Detail != tt.wantDetail {
				t.Errorf("detail = %q, want %q", body.Detail, tt.wantDetail)
			}
		})
	}
}

func failWith(err error) func(*testing.T) entrypoint.HandleFunc {
	return func(*testing.T) entrypoint.HandleFunc {
		return func(handler.Request) (handler.Response, error) { return handler.Response{}, err }
	}
}

func mustNotBeCalled(t *testing.T) entrypoint.HandleFunc {
	return func(handler.Request) (handler.Response, error) {
		t.Error("handle was called, want the adapter to reject the event first")
		return handler.Response{}, nil
	}
}
