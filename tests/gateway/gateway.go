// Package gateway emulates the HTTP path from a SCIM client to a function on
// OpenFaaS: an edge router that picks the function from the route table, as
// the Traefik, Gateway API and NGINX files in deploy/ do, and a gateway that
// forwards /function/<name>/<rest> to that function's process. The tests in
// this package run every function as its own process behind them.
package gateway

import (
	"crypto/rand"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/scimfaas/scimfaas/shared/route"
)

// Call records one request that the gateway forwarded.
type Call struct {
	Function string
	Method   string
	Path     string
	CallID   string
}

// Gateway forwards /function/<name>/<rest> to the function's upstream as
// /<rest>, like the OpenFaaS gateway and its faas-provider proxy: the method,
// the raw query, the headers and the body are kept, and X-Forwarded-Host
// (the original Host), X-Forwarded-For and a new X-Call-Id are added. The
// Host header the function receives is the upstream's address, as on
// OpenFaaS, where it is internal.
type Gateway struct {
	upstreams map[string]*url.URL
	proxy     *httputil.ReverseProxy

	mu    sync.Mutex
	calls []Call
}

// NewGateway returns a gateway for the functions in upstreams, which maps a
// function name to the base URL of its process, such as
// http://127.0.0.1:40123.
func NewGateway(upstreams map[string]*url.URL) *Gateway {
	g := &Gateway{upstreams: upstreams}
	g.proxy = &httputil.ReverseProxy{Rewrite: g.rewrite}
	return g
}

// Calls returns the requests forwarded so far, in order.
func (g *Gateway) Calls() []Call {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Call(nil), g.calls...)
}

// splitFunctionPath splits /function/<name>/<rest> into the name and /<rest>.
// /function/<name> and /function/<name>/ both give the path "/".
func splitFunctionPath(path string) (name, rest string, ok bool) {
	tail, found := strings.CutPrefix(path, "/function/")
	if !found {
		return "", "", false
	}
	name, rest, _ = strings.Cut(tail, "/")
	if name == "" {
		return "", "", false
	}
	return name, "/" + rest, true
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, _, ok := splitFunctionPath(r.URL.Path)
	if !ok || g.upstreams[name] == nil {
		http.Error(w, "function not found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	g.proxy.ServeHTTP(w, r)
}

func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	// ServeHTTP has checked the path, so the split succeeds here.
	name, rest, _ := splitFunctionPath(pr.In.URL.Path)
	upstream := g.upstreams[name]

	pr.Out.URL.Scheme = upstream.Scheme
	pr.Out.URL.Host = upstream.Host
	// The provider proxy forwards the decoded path, so an escaped "/" (%2F)
	// in a segment reaches the function as a plain "/".
	pr.Out.URL.Path = rest
	pr.Out.URL.RawPath = ""
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	pr.Out.Host = ""

	pr.SetXForwarded()
	callID := rand.Text()
	pr.Out.Header.Set("X-Call-Id", callID)

	g.mu.Lock()
	g.calls = append(g.calls, Call{Function: name, Method: pr.In.Method, Path: rest, CallID: callID})
	g.mu.Unlock()
}

// Edge routes SCIM requests to the gateway as the edge proxy of a deployment
// does: the route table picks the function from the method and the path, and
// the request goes to /function/<name> followed by the full original path
// and query. Requests under the base path that no route matches go to the
// discovery function, which responds with a SCIM error. Every other path,
// such as the gateway's /system and /ui, gets 404 and never reaches the
// gateway.
type Edge struct {
	basePath string
	gateway  *url.URL
	proxy    *httputil.ReverseProxy
}

// NewEdge returns an edge router for the SCIM base path, such as "/scim",
// that forwards to the gateway at gatewayURL.
func NewEdge(basePath string, gatewayURL *url.URL) *Edge {
	e := &Edge{basePath: basePath, gateway: gatewayURL}
	e.proxy = &httputil.ReverseProxy{Rewrite: e.rewrite}
	return e
}

// Function returns the function that serves method and path, where path is
// the full request path, and false when the path is outside the base path.
func (e *Edge) Function(method, path string) (string, bool) {
	relative := route.Relative(e.basePath, path)
	if relative == path {
		return "", false
	}
	if matched, _, ok, _ := route.Match(method, relative); ok {
		return matched.Function, true
	}
	return route.Discovery, true
}

func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := e.Function(r.Method, r.URL.Path); !ok {
		http.NotFound(w, r)
		return
	}
	e.proxy.ServeHTTP(w, r)
}

func (e *Edge) rewrite(pr *httputil.ProxyRequest) {
	function, _ := e.Function(pr.In.Method, pr.In.URL.Path)
	prefix := "/function/" + function

	pr.Out.URL.Scheme = e.gateway.Scheme
	pr.Out.URL.Host = e.gateway.Host
	pr.Out.URL.Path = prefix + pr.In.URL.Path
	if pr.In.URL.RawPath != "" {
		pr.Out.URL.RawPath = prefix + pr.In.URL.RawPath
	}
	pr.Out.URL.RawQuery = pr.In.URL.RawQuery
	// Like Traefik's default passHostHeader, the client's Host is kept, so
	// the gateway can report it in X-Forwarded-Host.
	pr.Out.Host = pr.In.Host
}
