package auth_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

// TestTokenLengthBound: every built-in provider takes a token of
// credentials.MaxTokenLength bytes and refuses, as broken rather than
// unavailable, one byte more; a token Save wrote, File reads back.
func TestTokenLengthBound(t *testing.T) {
	ctx := context.Background()
	// The canary sits in the middle, so an echo of the token shows; '<'
	// is what json.Marshal escapes the most.
	token := func(n int) string {
		head := "aph0_" + canary
		return head + strings.Repeat("<", n-len(head))
	}
	providers := []struct {
		name string
		// provider sets up the source with tok and returns it.
		provider func(t *testing.T, tok string) auth.Provider
		prefix   string
	}{
		{"Static", func(t *testing.T, tok string) auth.Provider { return auth.Static(tok) }, "auth: static: "},
		{"StaticSecret", func(t *testing.T, tok string) auth.Provider { return auth.StaticSecret(credentials.Secret(tok)) }, "auth: static: "},
		{"Env", func(t *testing.T, tok string) auth.Provider {
			t.Setenv(auth.EnvToken, tok)
			return auth.Env()
		}, "auth: env: "},
		{"Workspace", func(t *testing.T, tok string) auth.Provider {
			t.Setenv("ANYSCALE_SESSION_ID", "ses_1")
			return auth.Workspace(auth.WithEnvironPath(writeEnviron(t, auth.EnvToken+"="+tok)))
		}, "auth: workspace: "},
		{"File", func(t *testing.T, tok string) auth.Provider {
			path := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
			// The file as Save would write it, had Save taken the token.
			writeFile(t, path, `{"cli_token": "`+tok+`"}`, 0o600)
			return auth.File(auth.WithPath(path), auth.WithStrictPermissions())
		}, "auth: file: "},
	}
	for _, p := range providers {
		for _, n := range []int{credentials.MaxTokenLength, credentials.MaxTokenLength + 1} {
			t.Run(fmt.Sprintf("%s/%d bytes", p.name, n), func(t *testing.T) {
				isolate(t)
				tok := token(n)
				got, err := p.provider(t, tok).Token(ctx)
				if n <= credentials.MaxTokenLength {
					require.NoError(t, err)
					assert.Equal(t, tok, got.Value.Reveal())
					return
				}
				require.ErrorIs(t, err, credentials.ErrInvalidToken)
				assert.NotErrorIs(t, err, auth.ErrUnavailable, "a token too long is broken, not missing")
				assert.True(t, strings.HasPrefix(err.Error(), p.prefix), err.Error())
				assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes long, more than the %d bytes", n, credentials.MaxTokenLength))
				assertNoLeak(t, err.Error(), "error")
			})
		}
	}
	t.Run("Save then File", func(t *testing.T) {
		isolate(t)
		path := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
		tok := token(credentials.MaxTokenLength)
		require.NoError(t, credentials.Save(path, credentials.Secret(tok)))
		got, err := auth.File(auth.WithPath(path), auth.WithStrictPermissions()).Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, tok, got.Value.Reveal())

		err = credentials.Save(path, credentials.Secret(token(credentials.MaxTokenLength+1)))
		require.ErrorIs(t, err, credentials.ErrInvalidToken)
		assertNoLeak(t, err.Error(), "error")
		got, err = auth.File(auth.WithPath(path)).Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, tok, got.Value.Reveal(), "the refused token did not replace the saved one")
	})
}
