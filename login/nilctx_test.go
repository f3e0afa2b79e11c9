package login_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/login"
)

// A nil context is an error that says so, before anything is sent or
// written; never a nil-pointer panic.
func TestRunNilContext(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c := noTokenClient(t, mt, baseURL)
	path := filepath.Join(t.TempDir(), "credentials.json")
	var nilCtx context.Context
	var err error
	require.NotPanics(t, func() { _, err = login.Run(nilCtx, c, login.Options{CredentialsPath: path}) })
	require.ErrorIs(t, err, ctxguard.ErrNil)
	assert.EqualError(t, err, "login.Run: nil Context")
	assert.False(t, client.MayHaveActed(err))
	assert.Zero(t, mt.GetTotalCallCount())
}
