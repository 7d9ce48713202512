package scimhttp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	handler "github.com/openfaas/templates-sdk/go-http"
	"github.com/rs/zerolog"

	"github.com/scimfaas/scimfaas/shared/config"
	"github.com/scimfaas/scimfaas/shared/logging"
	"github.com/scimfaas/scimfaas/shared/route"
	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// ContentType is the media type of every SCIM response (RFC 7644 section 3.1).
const ContentType = "application/scim+json"

// Request is an authenticated SCIM request after routing.
type Request struct {
	Method string
	// Path is the URL path relative to the SCIM base path.
	Path string
	// ID is the value of the route's {id} segment, if any.
	ID     string
	Route  route.Route
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Response is the result of an Operation: a status, a value to encode as
// JSON (nil for no body) and extra headers.
type Response struct {
	Status int
	Body   any
	Header http.Header
}

// Operation serves one SCIM operation. It returns a *scimerr.Error for
// anything the client should see; any other error becomes a 503 or 500
// with a generic detail, and is logged.
type Operation func(ctx context.Context, app *App, req Request) (Response, error)

// Function returns the Handle function of the named function: it builds the
// App from the environment on the first request (see config.Load) and
// serves op for each request. When the configuration is invalid every
// request gets a 503 and the reason is logged, because a function that
// exits takes the OpenFaaS watchdog down with it.
func Function(name string, op Operation) func(handler.Request) (handler.Response, error) {
	if fromEnv := os.Getenv("FUNCTION_NAME"); fromEnv != "" {
		name = fromEnv
	}

	var (
		once    sync.Once
		app     *App
		initErr error
	)
	return func(req handler.Request) (handler.Response, error) {
		once.Do(func() {
			cfg, err := config.Load()
			if err != nil {
				initErr = err
				return
			}
			app, initErr = NewApp(cfg, name, os.Stderr)
		})
		if initErr != nil {
			return unconfigured(name, req, initErr), nil
		}
		return app.Serve(req, op), nil
	}
}

// unconfigured returns the 503 response for a function whose App could not
// be built, and logs the reason and the access line.
func unconfigured(function string, req handler.Request, initErr error) handler.Response {
	started := time.Now()
	logger := logging.New(os.Stderr, "info", function).With().Str(logging.FieldCallID, requestCallID(req)).Logger()
	logger.Error().Err(initErr).Msg("function is not configured")

	resp := errorResponse(scimerr.New(http.StatusServiceUnavailable, "", "the server is not configured; see its log"))
	path := ""
	if ctx := req.Context(); ctx != nil {
		path = route.Path(ctx)
	}
	logging.Access(logger, req.Method, path, resp.StatusCode, time.Since(started))
	return resp
}

// requestCallID returns the X-Call-Id header that the OpenFaaS gateway sets,
// or a new random id when there is none, because errors quote it.
func requestCallID(req handler.Request) string {
	if id := req.Header.Get("X-Call-Id"); id != "" {
		return id
	}
	return rand.Text()[:12]
}

// Serve runs the steps every SCIM request shares: authentication, routing,
// content type and size checks, op, error mapping and the access line. A
// panic in op is recovered and becomes a 500 SCIM error.
func (a *App) Serve(req handler.Request, op Operation) (resp handler.Response) {
	started := time.Now()
	ctx := req.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	callID := requestCallID(req)
	logger := a.Log.With().Str(logging.FieldCallID, callID).Logger()
	ctx = logger.WithContext(ctx)
	path := route.Path(ctx)

	defer func() {
		if recovered := recover(); recovered != nil {
			logger.Error().Interface("panic", recovered).Msg("operation panicked")
			resp = errorResponse(scimerr.New(http.StatusInternalServerError, "", "internal error (call id %q)", callID))
		}
		logging.Access(logger, req.Method, path, resp.StatusCode, time.Since(started))
	}()

	if !a.Auth.Allow(req.Header.Get("Authorization")) {
		resp = errorResponse(scimerr.New(http.StatusUnauthorized, "", "missing or invalid bearer token in the Authorization header"))
		resp.Header.Set("WWW-Authenticate", `Bearer realm="scim"`)
		return resp
	}

	parsed, err := a.parse(req, path)
	if err != nil {
		return a.failure(logger, callID, err)
	}

	ctx, cancel := context.WithTimeout(ctx, a.Config.RequestTimeout)
	defer cancel()
	if err := a.checkLayout(ctx); err != nil {
		return a.failure(logger, callID, err)
	}
	result, err := op(ctx, a, parsed)
	if err != nil {
		return a.failure(logger, callID, err)
	}
	return encode(result)
}

// parse routes the request and checks its query, content type and size.
func (a *App) parse(req handler.Request, path string) (Request, error) {
	relative := route.Relative(a.Config.BasePath, path)
	matched, id, ok, pathKnown := route.Match(req.Method, relative)
	if !ok || (matched.Function != a.Function && a.Function != route.Discovery) {
		return Request{}, unrouted(req.Method, relative, pathKnown && !ok)
	}

	query, err := url.ParseQuery(req.QueryString)
	if err != nil {
		return Request{}, scimerr.BadRequest(scimerr.InvalidSyntax, "the query string is not valid URL encoding")
	}

	if len(req.Body) > 0 || req.Method == http.MethodPost || req.Method == http.MethodPut || req.Method == http.MethodPatch {
		if err := checkContentType(req.Header.Get("Content-Type")); err != nil {
			return Request{}, err
		}
		if int64(len(req.Body)) > a.Config.MaxBodySize {
			return Request{}, scimerr.New(http.StatusRequestEntityTooLarge, "", "the request body is %d bytes; the limit is %d", len(req.Body), a.Config.MaxBodySize)
		}
	}

	return Request{
		Method: req.Method,
		Path:   relative,
		ID:     id,
		Route:  matched,
		Query:  query,
		Header: req.Header,
		Body:   req.Body,
	}, nil
}

// unrouted returns the error for a path that no route of this function
// serves: 405 when the path exists with another method, 501 for SCIM
// endpoints this server does not implement, else 404.
func unrouted(method, path string, otherMethod bool) error {
	if otherMethod {
		return scimerr.New(http.StatusMethodNotAllowed, "", "%s is not allowed on %s", method, path)
	}
	first := strings.ToLower(strings.SplitN(strings.Trim(path, "/"), "/", 2)[0])
	switch first {
	case "bulk", "me", ".search":
		return scimerr.New(http.StatusNotImplemented, "", "this server does not implement %s", path)
	}
	return scimerr.NotFound("no SCIM endpoint at %s", path)
}

// checkContentType accepts application/scim+json and application/json,
// with any parameters such as charset, and a missing header.
func checkContentType(value string) error {
	if value == "" {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(value)
	if err == nil && (mediaType == ContentType || mediaType == "application/json") {
		return nil
	}
	return scimerr.New(http.StatusUnsupportedMediaType, "", "Content-Type must be application/scim+json or application/json, got %q", value)
}

// failure turns an error into a SCIM error response. Errors that are not
// SCIM errors are internal: the client gets a generic detail with the call
// id and the log gets the cause.
func (a *App) failure(logger zerolog.Logger, callID string, err error) handler.Response {
	if scimErr := scimerr.As(err); scimErr != nil {
		logger.Debug().Int(logging.FieldStatus, scimErr.Status).Str("scim_type", scimErr.Type).Msg("request rejected")
		return errorResponse(scimErr)
	}

	status := http.StatusInternalServerError
	detail := "internal error"
	if unavailable(err) {
		status = http.StatusServiceUnavailable
		detail = "the store is unavailable; retry later"
	}
	logger.Error().Err(err).Int(logging.FieldStatus, status).Msg("request failed")
	return errorResponse(scimerr.New(status, "", "%s (call id %q)", detail, callID))
}

// unavailable reports whether err comes from an unreachable or slow store,
// which a retry may fix.
func unavailable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "redis")
}

func encode(result Response) handler.Response {
	header := http.Header{}
	for name, values := range result.Header {
		header[name] = values
	}
	status := result.Status
	if status == 0 {
		status = http.StatusOK
	}
	if result.Body == nil {
		return handler.Response{StatusCode: status, Header: header}
	}

	body, err := json.Marshal(result.Body)
	if err != nil {
		return errorResponse(scimerr.New(http.StatusInternalServerError, "", "encoding the response failed"))
	}
	header.Set("Content-Type", ContentType)
	return handler.Response{StatusCode: status, Header: header, Body: body}
}

func errorResponse(e *scimerr.Error) handler.Response {
	header := http.Header{}
	header.Set("Content-Type", ContentType)
	return handler.Response{StatusCode: e.Status, Header: header, Body: e.Body()}
}
