package serviceaccounts_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/serviceaccounts"
	"github.com/anyscale-go/anyscale/tests/apimock"
	"github.com/anyscale-go/anyscale/tests/nilctx"
)

// Every exported entry point answers a nil context with ctxguard's error,
// naming itself, and sends nothing.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	m := apimock.New(t)
	nilctx.Check(t, serviceaccounts.New(m.Client), "serviceaccounts.Service.",
		"All", "Create", "CreateAPIKey", "CreateKey", "Delete", "Get", "Keys", "List",
		"RevokeAllAPIKeys", "RevokeAllKeys", "RotateAPIKeys", "RotateKeys")
	assert.Empty(t, m.Calls(), "nothing is sent")
}
