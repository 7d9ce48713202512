// Command handler serves one SCIM function behind of-watchdog in http mode.
// The build context puts the function's handler.go at the root of the project
// module, so the root package imported here is the function itself.
package main

import (
	function "github.com/scimfaas/scimfaas"
	"github.com/scimfaas/scimfaas/shared/entrypoint"
)

func main() {
	entrypoint.Main(function.Handle)
}
