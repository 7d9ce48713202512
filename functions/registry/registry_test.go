package registry

import (
	"testing"

	"github.com/scimfaas/scimfaas/shared/route"
)

func TestEveryRoutedFunctionHasHandler(t *testing.T) {
	handlers := Handlers()
	for _, name := range route.Functions() {
		if handlers[name] == nil {
			t.Errorf("function %s is in the route table but has no handler", name)
		}
	}
	if len(handlers) != len(route.Functions()) {
		t.Errorf("%d handlers for %d routed functions", len(handlers), len(route.Functions()))
	}
}
