package function

import (
	"testing"

	"github.com/scimfaas/scimfaas/shared/scimhttp/scimhttptest"
)

// The full behaviour is tested against Redis in shared/ and tests/; this
// test checks the wiring of the handler as the image build runs it.
func TestHandleRejectsMissingToken(t *testing.T) {
	scimhttptest.CheckRejectsMissingToken(t, Handle)
}
