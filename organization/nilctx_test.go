package organization_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
	"github.com/anyscale-go/anyscale/tests/nilctx"
)

// Every exported entry point answers a nil context with ctxguard's error,
// naming itself, and sends nothing.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	m := apimock.New(t)
	got := nilctx.Call(t, organization.New(m.Client))
	var names []string
	for name, err := range got {
		names = append(names, name)
		require.ErrorIs(t, err, ctxguard.ErrNil, name)
		assert.True(t, strings.HasPrefix(err.Error(), "organization.Service."+name+": "), err.Error())
	}
	assert.ElementsMatch(t, []string{"All", "FindByEmail", "Get", "List", "Remove", "RemoveByID", "RemoveMember"}, names)
	assert.Empty(t, m.Calls(), "nothing is sent")
}
