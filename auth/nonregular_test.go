package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/tests/nonregular"
)

// tokenPromptly calls p.Token and fails the test when it blocks (see
// nonregular.Promptly); a call stuck opening the FIFO at fifo is then
// released.
func tokenPromptly(t *testing.T, p auth.Provider, fifo string) (tok auth.Token, err error) {
	t.Helper()
	// A deadline the provider would honour if it waited on it: the test
	// shows that the provider does not wait at all.
	ctx, cancel := context.WithTimeout(context.Background(), nonregular.HangGuard/2)
	defer cancel()
	nonregular.Promptly(t, fmt.Sprintf("%T.Token", p), fifo, func() { tok, err = p.Token(ctx) })
	return tok, err
}

// TestNamedPipesDoNotBlock: a named pipe where a provider reads a file is
// answered at once: File calls it an error, as any credentials file it
// cannot read; Workspace calls the source unavailable, as any unreadable
// injected environment.
func TestNamedPipesDoNotBlock(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		isolate(t)
		fifo := filepath.Join(t.TempDir(), credentials.FileName)
		nonregular.MakeFIFO(t, fifo)
		for _, p := range []auth.Provider{
			auth.File(auth.WithPath(fifo)),
			auth.File(auth.WithPath(fifo), auth.WithStrictPermissions()),
		} {
			tok, err := tokenPromptly(t, p, fifo)
			require.Error(t, err)
			assert.Zero(t, tok)
			assert.NotErrorIs(t, err, auth.ErrUnavailable, "a credentials file that is there but unreadable is broken, not missing")
			assert.NotErrorIs(t, err, fs.ErrNotExist)
			assert.Contains(t, err.Error(), "credentials: "+fifo)
			assert.Contains(t, err.Error(), fifo+" is a named pipe (FIFO), not a regular file")
			assert.Contains(t, err.Error(), "move it away")
		}
	})
	t.Run("default path", func(t *testing.T) {
		home := isolate(t)
		path := credsPath(home)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		nonregular.MakeFIFO(t, path)
		_, err := tokenPromptly(t, auth.File(), path)
		require.Error(t, err)
		assert.NotErrorIs(t, err, auth.ErrUnavailable)
		assert.Contains(t, err.Error(), path+" is a named pipe (FIFO)")
	})
	workspace := []struct {
		name    string
		procEnv map[string]string
		reason  string
	}{
		{name: "no marker in the process environment", reason: "no workspace marker in the process environment, and the injected environment is unreadable"},
		{
			name:    "marker in the process environment, token injected",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1"},
			reason:  "ANYSCALE_SESSION_ID is set in the process environment), but ANYSCALE_CLI_TOKEN is not in the process environment and the injected environment is unreadable",
		},
	}
	for _, tt := range workspace {
		t.Run("Workspace, "+tt.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tt.procEnv {
				t.Setenv(k, v)
			}
			fifo := filepath.Join(t.TempDir(), "environ")
			nonregular.MakeFIFO(t, fifo)

			tok, err := tokenPromptly(t, auth.Workspace(auth.WithEnvironPath(fifo)), fifo)

			require.ErrorIs(t, err, auth.ErrUnavailable)
			assert.Zero(t, tok)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Contains(t, err.Error(), fifo+" is a named pipe (FIFO), not a regular file")
			assert.NotContains(t, err.Error(), "ses_1", "variable values stay out of errors")
		})
	}
	t.Run("DefaultChain", func(t *testing.T) {
		home := isolate(t)
		environ := filepath.Join(t.TempDir(), "environ")
		nonregular.MakeFIFO(t, environ)
		path := credsPath(home)

		// A named pipe for the injected environment: the Workspace source
		// is unavailable, and the chain reports no credentials.
		chain := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)))
		_, err := tokenPromptly(t, chain, environ)
		var none *auth.ChainError
		require.ErrorAs(t, err, &none)
		assert.Contains(t, err.Error(), "is a named pipe (FIFO)")

		// A named pipe for the credentials file too: the File source is
		// broken, and stops the chain.
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		nonregular.MakeFIFO(t, path)
		chain = auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)))
		_, err = tokenPromptly(t, chain, path)
		require.Error(t, err)
		assert.False(t, errors.As(err, &none), "a broken source stops the chain: %v", err)
		assert.Contains(t, err.Error(), path+" is a named pipe (FIFO)")

		report := chain.Explain(context.Background())
		assert.Contains(t, report.String(), "is a named pipe (FIFO)")
	})
}
