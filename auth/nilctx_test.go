package auth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// A nil context at any entry point of auth (every provider's Token, the
// chain's Token and Explain) is an error that says so, never a
// nil-pointer panic.
func TestNilContextAtEveryEntryPoint(t *testing.T) {
	t.Setenv(auth.EnvToken, string(tokEnv))
	var nilCtx context.Context
	called := false
	providers := []struct {
		op string
		p  auth.Provider
	}{
		{"auth.Env().Token", auth.Env()},
		{"auth.File().Token", auth.File(auth.WithPath(filepath.Join(t.TempDir(), "credentials.json")))},
		{"auth.Workspace().Token", auth.Workspace(auth.WithEnvironPath(filepath.Join(t.TempDir(), "environ")))},
		{"auth.StaticSecret().Token", auth.Static(string(tokEnv))},
		{"auth.StaticSecret().Token", auth.StaticSecret(tokEnv)},
		{"auth.ProviderFunc.Token", auth.ProviderFunc(func(context.Context) (auth.Token, error) {
			called = true
			return auth.Token{Value: tokEnv}, nil
		})},
		{"auth.Chain.Token", auth.NewChain(auth.Env())},
		{"auth.Chain.Token", auth.DefaultChain()},
	}
	for _, tt := range providers {
		var err error
		require.NotPanics(t, func() { _, err = tt.p.Token(nilCtx) }, tt.op)
		require.ErrorIs(t, err, ctxguard.ErrNil, tt.op)
		assert.EqualError(t, err, tt.op+": nil Context")
	}
	assert.False(t, called, "the function is not called with a nil context")

	var r auth.Report
	require.NotPanics(t, func() { r = auth.DefaultChain().Explain(nilCtx) })
	require.ErrorIs(t, r.Err, ctxguard.ErrNil)
	assert.EqualError(t, r.Err, "auth.Chain.Explain: nil Context")
	assert.Nil(t, r.Used())
	assert.Contains(t, r.String(), "nil Context")
}
