package routes

import (
	"fmt"
	"strings"

	"github.com/scimfaas/scimfaas/shared/route"
)

// Traefik renders a Traefik v3 IngressRoute with one route per table entry
// and one addPrefix Middleware per function, all in the gateway's namespace.
// Each route has an explicit priority that follows the table order, because
// Traefik's default priority is the length of the rule. A last route with
// priority 1 sends the rest of the base path to the discovery function.
func Traefik() ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("# Traefik v3 IngressRoute: each route matches the host, one method and the\n")
	b.WriteString("# full SCIM path, then an addPrefix middleware sends it to the OpenFaaS\n")
	b.WriteString("# gateway at /function/<name>/scim/... Path matching ignores letter case.\n")

	for _, name := range route.Functions() {
		fmt.Fprintf(&b, `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: %s
  namespace: %s
spec:
  addPrefix:
    prefix: /function/%s
`, name, GatewayNamespace, name)
	}

	fmt.Fprintf(&b, `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: scim
  namespace: %s
spec:
  entryPoints:
    - websecure
  routes:
`, GatewayNamespace)

	table := route.Table()
	for i, r := range table {
		rule := fmt.Sprintf("Host(`%s`) && Method(`%s`) && PathRegexp(`%s`)", Host, r.Method, pathRegexp(r))
		writeTraefikRoute(&b, r.Method+" "+fullPath(r), rule, 100+len(table)-i, r.Function)
	}
	catchAll := fmt.Sprintf("Host(`%s`) && PathRegexp(`(?i)^%s(/.*)?$`)", Host, BasePath)
	writeTraefikRoute(&b, "every other request under "+BasePath+", rejected with a SCIM error", catchAll, 1, route.Discovery)

	b.WriteString("  tls:\n    secretName: scim-tls\n")
	return []byte(b.String()), nil
}

func writeTraefikRoute(b *strings.Builder, comment, rule string, priority int, function string) {
	fmt.Fprintf(b, `    # %s
    - kind: Rule
      match: '%s'
      priority: %d
      middlewares:
        - name: %s
      services:
        - kind: Service
          name: %s
          namespace: %s
          port: %d
`, comment, rule, priority, function, GatewayService, GatewayNamespace, GatewayPort)
}
