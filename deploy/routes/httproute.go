package routes

import (
	"fmt"
	"strings"

	"github.com/scimfaas/scimfaas/shared/route"
)

// Namespace and parent Gateway of the generated HTTPRoutes.
const (
	RouteNamespace = "scim"
	ParentGateway  = "scim-gateway"
)

// maxHTTPRouteRules is the largest number of rules that one HTTPRoute may
// have in Gateway API v1.
const maxHTTPRouteRules = 16

// HTTPRoute renders the Gateway API HTTPRoutes and the ReferenceGrant that
// lets them send requests to the gateway Service in another namespace. A
// route without "{id}" matches its path exactly and rewrites the whole path.
// An "{id}" route matches the prefix before "{id}" and rewrites that prefix.
// A last rule sends the rest of the base path to the discovery function.
//
// One HTTPRoute takes at most maxHTTPRouteRules rules, so the rules fill
// HTTPRoutes named scim, scim-2, scim-3 and so on, in table order. The split
// does not change which rule a request reaches. Gateway API v1 ranks the
// rules of all HTTPRoutes on a listener together, with an exact path before a
// prefix, a longer prefix before a shorter one, and a method match before
// none.
//
// NOTE: Gateway API path matches are case-sensitive, unlike the Traefik and
// NGINX files, so a request for /scim/users reaches the discovery function.
// Method matching is Extended conformance, so check that the Gateway
// implementation supports it.
func HTTPRoute() ([]byte, error) {
	rules, err := httpRouteRules()
	if err != nil {
		return nil, err
	}

	var b strings.Builder
	b.WriteString(header)
	b.WriteString(`# Gateway API HTTPRoutes: each rule matches one method and the SCIM path, and
# rewrites the path to /function/<name>/scim/... on the OpenFaaS gateway.
# Exact path matches win over prefix matches, across all the HTTPRoutes.
`)
	for i := 0; i < len(rules); i += maxHTTPRouteRules {
		name := "scim"
		if i > 0 {
			name = fmt.Sprintf("scim-%d", i/maxHTTPRouteRules+1)
		}
		writeHTTPRouteHeader(&b, name)
		for _, rule := range rules[i:min(i+maxHTTPRouteRules, len(rules))] {
			b.WriteString(rule)
		}
	}

	fmt.Fprintf(&b, `---
# Lets the HTTPRoutes in namespace %s send requests to the gateway Service.
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: scim-to-openfaas-gateway
  namespace: %s
spec:
  from:
    - group: gateway.networking.k8s.io
      kind: HTTPRoute
      namespace: %s
  to:
    - group: ""
      kind: Service
      name: %s
`, RouteNamespace, GatewayNamespace, RouteNamespace, GatewayService)
	return []byte(b.String()), nil
}

// httpRouteRules renders one rule per route of the table, in table order,
// and the discovery rule last.
func httpRouteRules() ([]string, error) {
	var rules []string
	for _, r := range route.Table() {
		prefix, isPrefix, err := idPrefix(r)
		if err != nil {
			return nil, err
		}
		var rule strings.Builder
		if isPrefix {
			writeHTTPRouteRule(&rule, r.Method+" "+fullPath(r), r.Method, "PathPrefix", prefix, "ReplacePrefixMatch", "replacePrefixMatch", "/function/"+r.Function+prefix)
		} else {
			writeHTTPRouteRule(&rule, r.Method+" "+fullPath(r), r.Method, "Exact", fullPath(r), "ReplaceFullPath", "replaceFullPath", "/function/"+r.Function+fullPath(r))
		}
		rules = append(rules, rule.String())
	}

	var discovery strings.Builder
	writeHTTPRouteRule(&discovery, "every other request under "+BasePath+", rejected with a SCIM error", "", "PathPrefix", BasePath, "ReplacePrefixMatch", "replacePrefixMatch", "/function/"+route.Discovery+BasePath)
	return append(rules, discovery.String()), nil
}

// writeHTTPRouteHeader starts an HTTPRoute document up to its rules key.
func writeHTTPRouteHeader(b *strings.Builder, name string) {
	fmt.Fprintf(b, `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: %s
  namespace: %s
spec:
  parentRefs:
    - name: %s
  hostnames:
    - %s
  rules:
`, name, RouteNamespace, ParentGateway, Host)
}

// writeHTTPRouteRule writes one rule. An empty method matches every method.
func writeHTTPRouteRule(b *strings.Builder, comment, method, matchType, path, rewriteType, rewriteKey, rewritten string) {
	fmt.Fprintf(b, "    # %s\n    - matches:\n        - path:\n            type: %s\n            value: %s\n", comment, matchType, path)
	if method != "" {
		fmt.Fprintf(b, "          method: %s\n", method)
	}
	fmt.Fprintf(b, `      filters:
        - type: URLRewrite
          urlRewrite:
            path:
              type: %s
              %s: %s
      backendRefs:
        - name: %s
          namespace: %s
          port: %d
`, rewriteType, rewriteKey, rewritten, GatewayService, GatewayNamespace, GatewayPort)
}
