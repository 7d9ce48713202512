// Command functionserver serves one SCIM function, chosen with -function,
// through the template's entry point (entrypoint.Main), as one OpenFaaS
// function image does. The gateway tests run one process of it per function.
// Set SCIM_ENTRYPOINT_ADDR to choose the listen address; the default is the
// watchdog's upstream address, 127.0.0.1:8082.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/scimfaas/scimfaas/functions/registry"
	"github.com/scimfaas/scimfaas/shared/entrypoint"
	"github.com/scimfaas/scimfaas/shared/route"
)

// handlers maps each function name of the route table to its Handle.
var handlers = registry.Handlers()

func main() {
	name := flag.String("function", "", "name of the function to serve, such as "+route.UsersGet)
	flag.Parse()

	handle, ok := handlers[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "functionserver: unknown function %q in -function; use one of: %s\n", *name, strings.Join(names(), ", "))
		os.Exit(2)
	}
	entrypoint.Main(handle)
}

func names() []string {
	list := make([]string, 0, len(handlers))
	for name := range handlers {
		list = append(list, name)
	}
	sort.Strings(list)
	return list
}
