package auth_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

func TestStatic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tok, err := auth.Static(tokStatic).Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, auth.Token{Value: tokStatic, Source: auth.SourceStatic, Origin: "static"}, tok)

	for _, bad := range []string{"", tokInvalid, tokStatic + "\n"} {
		_, err := auth.Static(bad).Token(ctx)
		require.ErrorIs(t, err, credentials.ErrInvalidToken, "%q", bad)
		assert.NotErrorIs(t, err, auth.ErrUnavailable, "a bad static token is an error")
		assert.True(t, strings.HasPrefix(err.Error(), "auth: static: "), err.Error())
		assertNoLeak(t, err.Error(), "error")
	}
}

func TestStaticSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		secret credentials.Secret
		ok     bool
	}{
		{name: "valid", secret: tokStatic, ok: true},
		{name: "old style", secret: "sss_" + canary + "static0000000007", ok: true},
		{name: "empty", secret: ""},
		{name: "malformed", secret: tokInvalid},
		{name: "trailing newline", secret: tokStatic + "\n"},
		{name: "redacted form", secret: credentials.Secret(credentials.Secret(tokStatic).String())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := auth.StaticSecret(tt.secret)
			printed := fmt.Sprintf("%v %+v %#v %s", p, p, p, p)
			assertNoLeak(t, printed, "the printed provider")

			tok, err := p.Token(ctx)
			want, wantErr := auth.Static(tt.secret.Reveal()).Token(ctx)
			if !tt.ok {
				require.ErrorIs(t, err, credentials.ErrInvalidToken)
				assert.NotErrorIs(t, err, auth.ErrUnavailable, "a bad static token is an error")
				assert.True(t, strings.HasPrefix(err.Error(), "auth: static: "), err.Error())
				assert.Equal(t, wantErr.Error(), err.Error(), "the same answer as Static")
				assert.Zero(t, tok)
				assertNoLeak(t, err.Error(), "error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, auth.Token{Value: tt.secret, Source: auth.SourceStatic, Origin: "static"}, tok)
			assert.Equal(t, want, tok, "the same answer as Static")
			assertNoLeak(t, fmt.Sprintf("%v %+v %#v", tok, tok, tok), "the printed token")
		})
	}
}

func TestEnv(t *testing.T) {
	ctx := context.Background()
	t.Run("unset", func(t *testing.T) {
		unsetenv(t, auth.EnvToken)
		_, err := auth.Env().Token(ctx)
		require.ErrorIs(t, err, auth.ErrUnavailable)
		assert.Equal(t, "auth: env: ANYSCALE_CLI_TOKEN: not set", err.Error())
	})
	t.Run("empty", func(t *testing.T) {
		t.Setenv(auth.EnvToken, "")
		_, err := auth.Env().Token(ctx)
		require.Error(t, err)
		assert.NotErrorIs(t, err, auth.ErrUnavailable)
		assert.ErrorIs(t, err, credentials.ErrInvalidToken)
		assert.Equal(t, "auth: env: ANYSCALE_CLI_TOKEN is set but empty; unset it or set it to an API key", err.Error())
		assert.Equal(t, "auth: env: ANYSCALE_CLI_TOKEN is set but empty", client.Facts(err))
		assert.Equal(t, []client.Advice{{Action: client.ActionConfigureToken, Source: "env", Origin: auth.EnvToken}}, client.AdviceOf(err))
	})
	t.Run("malformed", func(t *testing.T) {
		t.Setenv(auth.EnvToken, tokInvalid)
		_, err := auth.Env().Token(ctx)
		require.ErrorIs(t, err, credentials.ErrInvalidToken)
		assert.NotErrorIs(t, err, auth.ErrUnavailable)
		assert.Contains(t, err.Error(), auth.EnvToken)
		assertNoLeak(t, err.Error(), "error")
	})
	t.Run("valid, read at call time", func(t *testing.T) {
		p := auth.Env()
		t.Setenv(auth.EnvToken, tokEnv)
		tok, err := p.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, auth.Token{Value: tokEnv, Source: auth.SourceEnv, Origin: auth.EnvToken}, tok)
	})
}

func TestFile(t *testing.T) {
	ctx := context.Background()
	t.Run("default path follows HOME at call time", func(t *testing.T) {
		isolate(t)
		p := auth.File()
		home := t.TempDir()
		t.Setenv("HOME", home)
		writeFile(t, credsPath(home), `{"cli_token": "`+tokFile+`"}`, 0o600)
		tok, err := p.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, auth.Token{Value: tokFile, Source: auth.SourceFile, Origin: credsPath(home)}, tok)
	})
	t.Run("missing", func(t *testing.T) {
		path := missingPath(t, "credentials.json")
		_, err := auth.File(auth.WithPath(path)).Token(ctx)
		require.ErrorIs(t, err, auth.ErrUnavailable)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		assert.Contains(t, err.Error(), path)
	})
	t.Run("corrupt and no token name the path", func(t *testing.T) {
		dir := t.TempDir()
		for content, sentinel := range map[string]error{
			`{"cli_token": "` + tokOther: credentials.ErrCorrupt,
			`["` + tokOther + `"]`:       credentials.ErrCorrupt,
			`{"cli_token": ""}`:          credentials.ErrNoToken,
			`{}`:                         credentials.ErrNoToken,
		} {
			path := filepath.Join(dir, "c.json")
			writeFile(t, path, content, 0o600)
			_, err := auth.File(auth.WithPath(path)).Token(ctx)
			require.ErrorIs(t, err, sentinel, content)
			var fe *credentials.FormatError
			assert.ErrorAs(t, err, &fe)
			assert.NotErrorIs(t, err, auth.ErrUnavailable)
			assert.Contains(t, err.Error(), path)
			assertNoLeak(t, err.Error(), "error")
		}
	})
	t.Run("malformed token", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.json")
		writeFile(t, path, `{"cli_token": "`+tokInvalid+`"}`, 0o600)
		_, err := auth.File(auth.WithPath(path)).Token(ctx)
		require.ErrorIs(t, err, credentials.ErrInvalidToken)
		assert.Contains(t, err.Error(), path)
		assert.Contains(t, err.Error(), "anyscale login")
		assertNoLeak(t, err.Error(), "error")
	})
	t.Run("a directory is broken, not missing", func(t *testing.T) {
		_, err := auth.File(auth.WithPath(t.TempDir())).Token(ctx)
		require.Error(t, err)
		assert.NotErrorIs(t, err, auth.ErrUnavailable)
	})
	t.Run("loose permissions", func(t *testing.T) {
		for name, modes := range map[string][2]os.FileMode{
			"file 0644":             {0o644, 0o700},
			"file 0660":             {0o660, 0o700},
			"file 0644 in 0755":     {0o644, 0o755},
			"directory 0775":        {0o600, 0o775},
			"directory 0777":        {0o600, 0o777},
			"directory sticky 1777": {0o600, os.ModeSticky | 0o777},
		} {
			dir := filepath.Join(t.TempDir(), "d")
			path := filepath.Join(dir, "credentials.json")
			writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, modes[0])
			require.NoError(t, os.Chmod(dir, modes[1]))

			tok, err := auth.File(auth.WithPath(path)).Token(ctx)
			require.NoError(t, err, "%s: used alone, File returns the token", name)
			assert.Equal(t, tokFile, tok.Value.Reveal())

			_, err = auth.File(auth.WithPath(path), auth.WithStrictPermissions()).Token(ctx)
			var insecure *credentials.InsecurePermissionsError
			require.ErrorAs(t, err, &insecure, name)
			assert.NotErrorIs(t, err, auth.ErrUnavailable)
			assert.Contains(t, err.Error(), "chmod")
		}
	})
	t.Run("strict accepts 0600 in a directory others may not write", func(t *testing.T) {
		for _, dirMode := range []os.FileMode{0o700, 0o711, 0o750, 0o755} {
			dir := filepath.Join(t.TempDir(), "d")
			path := filepath.Join(dir, "c.json")
			writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o600)
			require.NoError(t, os.Chmod(dir, dirMode))
			tok, err := auth.File(auth.WithPath(path), auth.WithStrictPermissions()).Token(ctx)
			require.NoError(t, err, "directory %#o", dirMode)
			assert.Equal(t, tokFile, tok.Value.Reveal())
		}
	})
	t.Run("warning once per chain", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "c.json")
		writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o644)
		logger, logs := newLogger()
		chain := auth.NewChain(auth.File(auth.WithPath(path))).WithLogger(logger)
		for range 3 {
			_, err := chain.Token(ctx)
			require.NoError(t, err)
			chain.Invalidate()
		}
		out := logs.String()
		assert.Equal(t, 1, strings.Count(out, "\n"), out)
		assert.Contains(t, out, "level=WARN")
		assert.Contains(t, out, "source=file")
		assert.Contains(t, out, "chmod 600")
		assertNoLeak(t, out, "log")

		logger2, logs2 := newLogger()
		_, err := auth.NewChain(auth.File(auth.WithPath(path))).WithLogger(logger2).Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(logs2.String(), "\n"), "another chain warns again")
	})
}

// TestSaveThenStrictFile: a token credentials.Save wrote is one that File
// with WithStrictPermissions accepts, whether Save made the directory or
// found it, as a home directory often is, with mode 0755.
func TestSaveThenStrictFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dirMode os.FileMode // 0: Save creates the directory
		oldMode os.FileMode // 0: no old file
	}{
		{name: "new directory"},
		{name: "existing 0700 directory", dirMode: 0o700},
		{name: "existing 0755 directory", dirMode: 0o755},
		{name: "existing 0755 directory, old 0644 file", dirMode: 0o755, oldMode: 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), credentials.DirName)
			path := filepath.Join(dir, credentials.FileName)
			if tt.dirMode != 0 {
				require.NoError(t, os.Mkdir(dir, 0o700))
				require.NoError(t, os.Chmod(dir, tt.dirMode)) // Mkdir's mode passes through the umask
			}
			if tt.oldMode != 0 {
				writeFile(t, path, `{"cli_token": "`+tokOther+`"}`, tt.oldMode)
			}

			require.NoError(t, credentials.Save(path, tokFile))

			assert.NoError(t, credentials.CheckPermissions(path))
			logger, logs := newLogger()
			chain := auth.NewChain(auth.File(auth.WithPath(path), auth.WithStrictPermissions())).WithLogger(logger)
			tok, err := chain.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, auth.Token{Value: tokFile, Source: auth.SourceFile, Origin: path}, tok)
			assert.Empty(t, logs.String(), "no permission warning")
		})
	}
	t.Run("a directory others may write is refused before anything is written", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), credentials.DirName)
		require.NoError(t, os.Mkdir(dir, 0o700))
		require.NoError(t, os.Chmod(dir, 0o775))
		path := filepath.Join(dir, credentials.FileName)

		err := credentials.Save(path, tokFile)
		var insecure *credentials.InsecurePermissionsError
		require.ErrorAs(t, err, &insecure)
		assert.Equal(t, dir, insecure.Path)
		assert.Contains(t, err.Error(), "chmod go-w "+dir)
		assertNoLeak(t, err.Error(), "error")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
}

func TestWorkspace(t *testing.T) {
	ctx := context.Background()
	procOrigin := "ANYSCALE_CLI_TOKEN (workspace process environment)"
	injOrigin := func(p string) string { return p + " (workspace injected environment)" }

	type check func(t *testing.T, environ string, tok auth.Token, err error)
	winsWithHost := func(token, host string, origin func(environ string) string) check {
		return func(t *testing.T, environ string, tok auth.Token, err error) {
			require.NoError(t, err)
			assert.Equal(t, auth.Token{Value: credentials.Secret(token), Source: auth.SourceWorkspace, Origin: origin(environ), Host: host}, tok)
		}
	}
	wins := func(token string, origin func(environ string) string) check {
		return winsWithHost(token, "", origin)
	}
	const wsHost = "https://ws-host.example.anyscale.com"
	unavailable := func(parts ...string) check {
		return func(t *testing.T, environ string, tok auth.Token, err error) {
			require.ErrorIs(t, err, auth.ErrUnavailable)
			for _, p := range parts {
				assert.Contains(t, err.Error(), strings.ReplaceAll(p, "ENVIRON", environ))
			}
		}
	}
	broken := func(where string) check {
		return func(t *testing.T, environ string, tok auth.Token, err error) {
			require.ErrorIs(t, err, credentials.ErrInvalidToken)
			assert.NotErrorIs(t, err, auth.ErrUnavailable)
			assert.Contains(t, err.Error(), strings.ReplaceAll(where, "ENVIRON", environ))
		}
	}
	missing := func(t *testing.T) string { return missingPath(t, "environ") }
	environ := func(entries ...string) func(t *testing.T) string {
		return func(t *testing.T) string { return writeEnviron(t, entries...) }
	}

	tests := []struct {
		name    string
		procEnv map[string]string
		environ func(t *testing.T) string
		check   check
	}{
		{
			name:    "marker and token in the process environment; the injected one is not needed",
			procEnv: map[string]string{"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID": "expwgs_1", auth.EnvToken: tokWS},
			environ: missing,
			check:   wins(tokWS, func(string) string { return procOrigin }),
		},
		{
			name:    "marker and token only in the injected environment",
			environ: environ("ANYSCALE_CLUSTER_ID=ses_1", auth.EnvToken+"="+tokWS),
			check:   wins(tokWS, injOrigin),
		},
		{
			name:    "marker only injected, token only in the process environment",
			procEnv: map[string]string{auth.EnvToken: tokEnv},
			environ: environ("ANYSCALE_SESSION_ID=ses_1", "PATH=/bin"),
			check:   wins(tokEnv, func(string) string { return procOrigin }),
		},
		{
			name:    "marker in the process environment, token only injected",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1"},
			environ: environ("PATH=/bin", auth.EnvToken+"="+tokWS),
			check:   wins(tokWS, injOrigin),
		},
		{
			name:    "the process token wins over the injected one",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1", auth.EnvToken: tokEnv},
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS),
			check:   wins(tokEnv, func(string) string { return procOrigin }),
		},
		{
			name:    "an empty process token falls back to the injected one",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1", auth.EnvToken: ""},
			environ: environ(auth.EnvToken + "=" + tokWS),
			check:   wins(tokWS, injOrigin),
		},
		{
			name:    "the injected host comes with the injected token",
			environ: environ("ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwgs_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"="+wsHost),
			check:   winsWithHost(tokWS, wsHost, injOrigin),
		},
		{
			name:    "marker in the process environment, token and host only injected",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1"},
			environ: environ(auth.EnvHost+"="+wsHost, "PATH=/bin", auth.EnvToken+"="+tokWS),
			check:   winsWithHost(tokWS, wsHost, injOrigin),
		},
		{
			name:    "the injected host is trimmed of space",
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"= \t"+wsHost+" \n"),
			check:   winsWithHost(tokWS, wsHost, injOrigin),
		},
		{
			name:    "the process's ANYSCALE_HOST does not change the token's host",
			procEnv: map[string]string{auth.EnvHost: "https://process-host.example.com"},
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"="+wsHost),
			check:   winsWithHost(tokWS, wsHost, injOrigin),
		},
		{
			name:    "a blank injected host is no host",
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"= "),
			check:   wins(tokWS, injOrigin),
		},
		{
			name: "of repeated hosts the first wins",
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"="+wsHost,
				auth.EnvHost+"=https://second.example.com"),
			check: winsWithHost(tokWS, wsHost, injOrigin),
		},
		{
			name:    "a process token carries no host, even with one injected",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1", auth.EnvToken: tokEnv},
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokWS, auth.EnvHost+"="+wsHost),
			check:   wins(tokEnv, func(string) string { return procOrigin }),
		},
		{
			name:    "a process token with the marker injected carries no host",
			procEnv: map[string]string{auth.EnvToken: tokEnv},
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvHost+"="+wsHost),
			check:   wins(tokEnv, func(string) string { return procOrigin }),
		},
		{
			name:    "an injected host without a token is unavailable",
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvHost+"="+wsHost),
			check:   unavailable("but no ANYSCALE_CLI_TOKEN was injected"),
		},
		{
			name:    "no marker anywhere",
			procEnv: map[string]string{auth.EnvToken: tokEnv},
			environ: environ("PATH=/bin", auth.EnvToken+"="+tokWS),
			check:   unavailable("not in an Anyscale workspace", "ANYSCALE_EXPERIMENTAL_WORKSPACE_ID, ANYSCALE_SESSION_ID, ANYSCALE_CLUSTER_ID"),
		},
		{
			name:    "an empty marker is no marker",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": ""},
			environ: environ("ANYSCALE_CLUSTER_ID=", auth.EnvToken+"="+tokWS),
			check:   unavailable("not in an Anyscale workspace"),
		},
		{
			name:    "missing injected environment and no marker",
			environ: missing,
			check:   unavailable("no workspace marker in the process environment", "unreadable", "ENVIRON"),
		},
		{
			name:    "injected environment is a directory",
			environ: func(t *testing.T) string { return t.TempDir() },
			check:   unavailable("unreadable"),
		},
		{
			name:    "marker in the process environment, no token, injected environment missing",
			procEnv: map[string]string{"ANYSCALE_CLUSTER_ID": "ses_1"},
			environ: missing,
			check:   unavailable("ANYSCALE_CLUSTER_ID is set in the process environment", "unreadable"),
		},
		{
			name:    "marker without a token",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1"},
			environ: environ("PATH=/bin"),
			check:   unavailable("but no ANYSCALE_CLI_TOKEN was injected", "ANYSCALE_SESSION_ID"),
		},
		{
			name:    "injected marker without a token",
			environ: environ("ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwgs_1", auth.EnvToken+"="),
			check:   unavailable("but no ANYSCALE_CLI_TOKEN was injected", "ANYSCALE_EXPERIMENTAL_WORKSPACE_ID is set in ENVIRON"),
		},
		{
			name:    "malformed injected token",
			environ: environ("ANYSCALE_SESSION_ID=ses_1", auth.EnvToken+"="+tokInvalid),
			check:   broken("workspace: ANYSCALE_CLI_TOKEN in ENVIRON"),
		},
		{
			name:    "malformed process token",
			procEnv: map[string]string{"ANYSCALE_SESSION_ID": "ses_1", auth.EnvToken: tokInvalid},
			environ: missing,
			check:   broken("ANYSCALE_CLI_TOKEN in the workspace process environment"),
		},
		{
			name: "entries without '=', empty entries, repeated keys (the first wins)",
			environ: environ("garbage", "", "=", "ANYSCALE_SESSION_ID", "ANYSCALE_SESSION_ID=ses_1",
				auth.EnvToken+"="+tokWS, auth.EnvToken+"="+tokOther, auth.EnvToken),
			check: wins(tokWS, injOrigin),
		},
		{
			name: "a value may contain '='",
			environ: func(t *testing.T) string {
				return writeEnviron(t, "ANYSCALE_SESSION_ID=a=b", auth.EnvToken+"="+tokWS+"==")
			},
			check: wins(tokWS+"==", injOrigin),
		},
		{
			name: "no trailing NUL",
			environ: func(t *testing.T) string {
				path := filepath.Join(t.TempDir(), "environ")
				require.NoError(t, os.WriteFile(path, []byte("ANYSCALE_SESSION_ID=ses_1\x00"+auth.EnvToken+"="+tokWS), 0o600))
				return path
			},
			check: wins(tokWS, injOrigin),
		},
		{
			name: "past the 1 MiB bound: the entry cut in two is dropped, not read short",
			environ: func(t *testing.T) string {
				// The bound falls 8 bytes into the token's value: read short,
				// "aph0_CAN" would pass credentials.ValidateToken.
				pad := "PAD=" + strings.Repeat("x", 1<<20-len("ANYSCALE_SESSION_ID=ses_1\x00")-len("PAD=\x00")-len(auth.EnvToken+"=")-8)
				return writeEnviron(t, "ANYSCALE_SESSION_ID=ses_1", pad, auth.EnvToken+"="+tokWS)
			},
			check: unavailable("but no ANYSCALE_CLI_TOKEN was injected"),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			for k, v := range tc.procEnv {
				t.Setenv(k, v)
			}
			path := tc.environ(t)
			tok, err := auth.Workspace(auth.WithEnvironPath(path)).Token(ctx)
			tc.check(t, path, tok, err)
			if err != nil {
				assertNoLeak(t, err.Error(), "error")
				assert.NotContains(t, err.Error(), "ses_1", "variable values stay out of errors")
				assert.NotContains(t, err.Error(), "expwgs_1", "variable values stay out of errors")
			}
		})
	}
}

func TestWorkspaceDefaultEnvironPath(t *testing.T) {
	t.Parallel()
	// Not read here: /proc/1/environ of the test machine is not ours.
	assert.Equal(t, "/proc/1/environ", auth.DefaultEnvironPath)
	_, err := auth.Workspace().Token(canceled())
	assert.ErrorIs(t, err, context.Canceled)
}

func TestProvidersHonourDoneContext(t *testing.T) {
	t.Parallel()
	for _, p := range []auth.Provider{auth.Static(tokStatic), auth.Env(),
		auth.File(auth.WithPath(missingPath(t, "c.json"))), auth.Workspace(auth.WithEnvironPath(missingPath(t, "e")))} {
		_, err := p.Token(canceled())
		assert.ErrorIs(t, err, context.Canceled, "%T", p)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestWorkspaceReadsDefaultEnvironPath: without WithEnvironPath, a process
// that has a workspace marker but no token looks in /proc/1/environ.
func TestWorkspaceReadsDefaultEnvironPath(t *testing.T) {
	t.Setenv("ANYSCALE_EXPERIMENTAL_WORKSPACE_ID", "expwrk_test")
	t.Setenv(auth.EnvToken, "")
	require.NoError(t, os.Unsetenv(auth.EnvToken))
	report := auth.NewChain(auth.Workspace()).Explain(context.Background())
	require.Len(t, report.Entries, 1)
	assert.Contains(t, report.Entries[0].Origin, auth.DefaultEnvironPath)
}
