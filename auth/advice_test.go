package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// What a source that is set up wrong says to do next is data: the facts
// (client.Facts) never name the official CLI's command, and AdviceOf says
// what to configure, and where.
func TestAdviceIsData(t *testing.T) {
	ctx := context.Background()

	t.Run("no source has a token", func(t *testing.T) {
		home := isolate(t)
		_, err := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(missingPath(t, "environ")))).Token(ctx)
		var none *auth.ChainError
		require.ErrorAs(t, err, &none)
		assert.Equal(t, []client.Advice{{Action: client.ActionConfigureToken}}, client.AdviceOf(err))
		assert.Contains(t, err.Error(), "anyscale login", "a Go program that prints the error still learns what to do")
		facts := client.Facts(err)
		assert.NotContains(t, facts, "anyscale login")
		assert.NotContains(t, facts, "To configure one")
		assert.Contains(t, facts, credsPath(home), "the facts still list every source tried")
	})

	t.Run("a corrupt credentials file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), credentials.FileName)
		writeFile(t, path, `{"cli_token": `, 0o600)
		_, err := auth.File(auth.WithPath(path)).Token(ctx)
		require.Error(t, err)
		var format *credentials.FormatError
		require.ErrorAs(t, err, &format)
		assert.Equal(t, []client.Advice{{Action: client.ActionConfigureToken, Source: "file", Origin: path}}, client.AdviceOf(err))
		assert.NotContains(t, client.Facts(err), "anyscale login")
		assert.Contains(t, client.Facts(err), path)
	})

	t.Run("a credentials file holding a malformed token", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), credentials.FileName)
		writeFile(t, path, `{"cli_token": "not-a-key"}`, 0o600)
		_, err := auth.File(auth.WithPath(path)).Token(ctx)
		require.ErrorIs(t, err, credentials.ErrInvalidToken)
		assert.Equal(t, []client.Advice{{Action: client.ActionConfigureToken, Source: "file", Origin: path}}, client.AdviceOf(err))
		assert.Contains(t, err.Error(), "anyscale login")
		assert.NotContains(t, client.Facts(err), "anyscale login")
	})

	t.Run("a credentials file open to others, strictly", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, credentials.FileName)
		writeFile(t, path, `{"cli_token": "aph0_abcdefghijklmnop"}`, 0o644)
		_, err := auth.File(auth.WithPath(path), auth.WithStrictPermissions()).Token(ctx)
		var insecure *credentials.InsecurePermissionsError
		if !errors.As(err, &insecure) {
			t.Skip("this platform does not check permissions")
		}
		assert.Equal(t, []client.Advice{{Action: client.ActionFixPermissions, Source: "file", Origin: path}}, client.AdviceOf(err))
		assert.Contains(t, err.Error(), "run `chmod 600 "+path+"`")
		assert.NotContains(t, client.Facts(err), "chmod", "the fix is advice: a command line says it once, in its own words")

		// Save refuses a directory open to others the same way.
		open := filepath.Join(t.TempDir(), "open")
		require.NoError(t, os.Mkdir(open, 0o777))
		require.NoError(t, os.Chmod(open, 0o777))
		err = credentials.Save(filepath.Join(open, credentials.FileName), "aph0_abcdefghijklmnop")
		require.ErrorAs(t, err, &insecure)
		assert.Contains(t, err.Error(), "run `chmod go-w "+open+"`")
		assert.NotContains(t, client.Facts(err), "chmod")
		assert.Equal(t, []client.Advice{{Action: client.ActionFixPermissions, Source: "directory", Origin: open}}, client.AdviceOf(err))
	})
}

// A strict file source refuses a credentials file that another account
// owns, whatever its mode (OpenSSH's rule); a lax one warns and goes on.
func TestFileOwnedByAnotherAccount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another account")
	}
	path := filepath.Join(t.TempDir(), credentials.FileName)
	require.NoError(t, credentials.Save(path, credentials.Secret("aph0_abcdefghijklmnop")))
	require.NoError(t, os.Chown(path, 4242, 4242))

	_, err := auth.File(auth.WithPath(path), auth.WithStrictPermissions()).Token(context.Background())
	var insecure *credentials.InsecurePermissionsError
	require.ErrorAs(t, err, &insecure)
	assert.True(t, insecure.ForeignOwner)
	assert.Equal(t, []client.Advice{{Action: client.ActionFixPermissions, Source: "owner", Origin: path}}, client.AdviceOf(err))

	logger, logs := newLogger()
	tok, err := auth.NewChain(auth.File(auth.WithPath(path))).WithLogger(logger).Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "aph0_abcdefghijklmnop", tok.Value.Reveal())
	assert.Contains(t, logs.String(), "belongs to user id 4242")
}
