package routes

import (
	"fmt"
	"strings"

	"github.com/scimfaas/scimfaas/shared/route"
)

// Namespace and parent Gateway of the generated HTTPRoute.
const (
	RouteNamespace = "scim"
	ParentGateway  = "scim-gateway"
)

// maxHTTPRouteRules is the largest number of rules that one HTTPRoute may
// have in Gateway API v1.
const maxHTTPRouteRules = 16

// HTTPRoute renders a Gateway API HTTPRoute and the ReferenceGrant that lets
// it send requests to the gateway Service in another namespace. A route
// without "{id}" matches its path exactly and rewrites the whole path; an
// "{id}" route matches the prefix before "{id}" and rewrites that prefix. A
// last rule sends the rest of the base path to the discovery function.
//
// NOTE: Gateway API path matches are case-sensitive, unlike the Traefik and
// NGINX files, so a request for /scim/users reaches the discovery function.
// Method matching is Extended conformance, so check that the Gateway
// implementation supports it.
func HTTPRoute() ([]byte, error) {
	table := route.Table()
	if len(table)+1 > maxHTTPRouteRules {
		return nil, fmt.Errorf("the route table has %d routes, but one HTTPRoute takes at most %d rules including the discovery rule: split the HTTPRoute", len(table), maxHTTPRouteRules)
	}

	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, `# Gateway API HTTPRoute: each rule matches one method and the SCIM path, and
# rewrites the path to /function/<name>/scim/... on the OpenFaaS gateway.
# Exact path matches win over prefix matches.
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: scim
  namespace: %s
spec:
  parentRefs:
    - name: %s
  hostnames:
    - %s
  rules:
`, RouteNamespace, ParentGateway, Host)

	for _, r := range table {
		prefix, isPrefix, err := idPrefix(r)
		if err != nil {
			return nil, err
		}
		if isPrefix {
			writeHTTPRouteRule(&b, r.Method+" "+fullPath(r), r.Method, "PathPrefix", prefix, "ReplacePrefixMatch", "replacePrefixMatch", "/function/"+r.Function+prefix)
		} else {
			writeHTTPRouteRule(&b, r.Method+" "+fullPath(r), r.Method, "Exact", fullPath(r), "ReplaceFullPath", "replaceFullPath", "/function/"+r.Function+fullPath(r))
		}
	}
	writeHTTPRouteRule(&b, "every other request under "+BasePath+", rejected with a SCIM error", "", "PathPrefix", BasePath, "ReplacePrefixMatch", "replacePrefixMatch", "/function/"+route.Discovery+BasePath)

	fmt.Fprintf(&b, `---
# Lets the HTTPRoute in namespace %s send requests to the gateway Service.
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
