package organization_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
	"github.com/anyscale-go/anyscale/tests/nilctx"
)

// Every exported entry point answers a nil context with ctxguard's error,
// naming itself, and sends nothing.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	m := apimock.New(t)
	nilctx.Check(t, organization.New(m.Client), "organization.Service.",
		"All", "FindByEmail", "Get", "List", "Remove", "RemoveByID", "RemoveMember")
	assert.Empty(t, m.Calls(), "nothing is sent")
}
