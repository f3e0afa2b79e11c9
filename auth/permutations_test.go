package auth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

type envCase string

const (
	envUnset     envCase = "env=unset"
	envEmpty     envCase = "env=empty"
	envMalformed envCase = "env=malformed"
	envValid     envCase = "env=valid"
)

type fileCase string

const (
	fileMissing fileCase = "file=missing"
	fileCorrupt fileCase = "file=corrupt"
	fileNoToken fileCase = "file=no-token"
	fileLoose   fileCase = "file=loose-0644"
	fileValid   fileCase = "file=valid"
)

type wsCase string

const (
	wsAbsent   wsCase = "ws=absent"
	wsProcess  wsCase = "ws=process-env"
	wsInjected wsCase = "ws=injected"
)

// outcome is what DefaultChain must answer for one combination: a winner
// (source, origin, token), or the error that stops it.
type outcome struct {
	source   auth.Source
	origin   string
	token    string
	host     string // the winner's Token.Host
	errIs    error  // the stopping error matches it
	chainErr bool   // every source unavailable: a *auth.ChainError
	warnings int    // loose-permission warnings logged over the chain's life
}

// expected is the rule the chain follows, written out: Env, then File,
// then Workspace; an unavailable source passes on, a broken one stops.
//
// The workspace axis and the env axis share one variable. A workspace that
// put its token in the process environment put it in ANYSCALE_CLI_TOKEN,
// which is exactly what Env reads first. So in the ws=process-env rows the
// workspace sets only its marker in the process environment and the env
// axis decides ANYSCALE_CLI_TOKEN: when env is valid, Env wins (and
// Workspace holds the same token, shadowed); when env is unset, the
// workspace has a marker but no token (its injected environment has none),
// so it is unavailable. In the default chain a workspace token in the
// process environment never reaches Workspace: Workspace earns its place
// with the injected environment, for processes started with a trimmed
// environment (the ws=injected rows).
func expected(e envCase, f fileCase, w wsCase, filePath, environPath string) outcome {
	switch e {
	case envEmpty, envMalformed:
		return outcome{errIs: credentials.ErrInvalidToken}
	case envValid:
		return outcome{source: auth.SourceEnv, origin: auth.EnvToken, token: tokEnv}
	}
	switch f {
	case fileCorrupt:
		return outcome{errIs: credentials.ErrCorrupt}
	case fileNoToken:
		return outcome{errIs: credentials.ErrNoToken}
	case fileLoose:
		return outcome{source: auth.SourceFile, origin: filePath, token: tokFile, warnings: 1}
	case fileValid:
		return outcome{source: auth.SourceFile, origin: filePath, token: tokFile}
	}
	if w == wsInjected {
		return outcome{source: auth.SourceWorkspace, origin: environPath + " (workspace injected environment)", token: tokWS, host: wsInjectedHost}
	}
	return outcome{chainErr: true}
}

func setupEnv(t *testing.T, e envCase) {
	switch e {
	case envUnset:
		unsetenv(t, auth.EnvToken)
	case envEmpty:
		t.Setenv(auth.EnvToken, "")
	case envMalformed:
		t.Setenv(auth.EnvToken, tokInvalid)
	case envValid:
		t.Setenv(auth.EnvToken, tokEnv)
	}
}

func setupFile(t *testing.T, f fileCase, path string) {
	switch f {
	case fileMissing:
	case fileCorrupt:
		writeFile(t, path, `{"cli_token": "`+tokOther, 0o600)
	case fileNoToken:
		writeFile(t, path, `{"token": "`+tokOther+`"}`, 0o600)
	case fileLoose:
		writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o644)
	case fileValid:
		writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o600)
	}
}

// wsInjectedHost is the ANYSCALE_HOST of the ws=injected environment; it
// comes with the workspace's token only.
const wsInjectedHost = "https://ws-perm.example.anyscale.com"

// setupWorkspace sets the workspace's side and returns its injected
// environment's path. Both workspaces inject a host; only a token from the
// injected environment carries it.
func setupWorkspace(t *testing.T, w wsCase) string {
	switch w {
	case wsProcess:
		t.Setenv("ANYSCALE_SESSION_ID", "ses_0123456789abcdefghijklmnop")
		return writeEnviron(t, "PATH=/usr/bin", "HOME=/home/ray", auth.EnvHost+"=https://ws-process.example.anyscale.com")
	case wsInjected:
		return writeEnviron(t, "PATH=/usr/bin", "ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwgs_0123456789abcdefghijklmnop",
			auth.EnvToken+"="+tokWS, auth.EnvHost+"="+wsInjectedHost)
	default:
		return writeEnviron(t, "PATH=/usr/bin", "HOME=/root")
	}
}

func TestDefaultChainPermutations(t *testing.T) {
	envs := []envCase{envUnset, envEmpty, envMalformed, envValid}
	files := []fileCase{fileMissing, fileCorrupt, fileNoToken, fileLoose, fileValid}
	workspaces := []wsCase{wsAbsent, wsProcess, wsInjected}
	n := 0
	for _, e := range envs {
		for _, f := range files {
			for _, w := range workspaces {
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", e, f, w), func(t *testing.T) {
					home := isolate(t)
					filePath := credsPath(home)
					setupEnv(t, e)
					setupFile(t, f, filePath)
					environ := setupWorkspace(t, w)
					want := expected(e, f, w, filePath, environ)

					logger, logs := newLogger()
					chain := auth.DefaultChain(
						auth.WithLogger(logger),
						auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)),
					)
					ctx := context.Background()

					// Resolve, hit the cache, invalidate, resolve again: the
					// answer and the warnings must not change.
					var texts []string
					for i, op := range []string{"resolve", "cached", "invalidate"} {
						if op == "invalidate" {
							chain.Invalidate()
						}
						tok, err := chain.Token(ctx)
						texts = append(texts, fmt.Sprintf("%v %+v %#v", tok, tok, tok))
						if err != nil {
							texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
						}
						checkOutcome(t, want, tok, err, fmt.Sprintf("call %d (%s)", i, op))
					}

					rep := chain.Explain(ctx)
					texts = append(texts, rep.String(), fmt.Sprintf("%+v", rep))
					if want.chainErr || want.errIs != nil {
						assert.Nil(t, rep.Used(), "Explain: no source is used")
						require.Error(t, rep.Err)
						if want.errIs != nil {
							assert.ErrorIs(t, rep.Err, want.errIs)
						} else {
							assert.ErrorAs(t, rep.Err, new(*auth.ChainError))
						}
					} else if assert.NotNil(t, rep.Used(), "Explain: a source is used") {
						assert.Equal(t, want.source, rep.Used().Source)
						assert.Equal(t, want.origin, rep.Used().Origin)
						assert.Equal(t, credentials.Secret(want.token).Fingerprint(), rep.Used().Fingerprint)
						assert.NoError(t, rep.Err)
					}
					assert.Len(t, rep.Entries, 3)
					if want.host != "" {
						assert.Equal(t, want.host, rep.Host, "Explain: the workspace's host")
						assert.Equal(t, want.origin, rep.HostOrigin)
					} else {
						assert.Equal(t, auth.DefaultHost, rep.Host, "Explain: the default host")
						assert.Equal(t, "default", rep.HostOrigin)
					}

					out := logs.String()
					assert.Equal(t, want.warnings, strings.Count(out, "open to group or others"),
						"loose-permission warnings over three resolutions and an Explain; log:\n%s", out)
					if want.warnings > 0 {
						assert.Contains(t, out, "level=WARN")
						assert.Contains(t, out, filePath)
					}
					texts = append(texts, out)
					for _, text := range texts {
						assertNoLeak(t, text, "output")
					}
				})
			}
		}
	}
	require.Equal(t, 60, n)
}

func checkOutcome(t *testing.T, want outcome, tok auth.Token, err error, call string) {
	t.Helper()
	switch {
	case want.errIs != nil:
		require.Error(t, err, call)
		assert.ErrorIs(t, err, want.errIs, call)
		assert.NotErrorIs(t, err, auth.ErrUnavailable, "%s: a broken source is not unavailable", call)
		assert.Zero(t, tok, call)
		if errors.Is(err, credentials.ErrCorrupt) || errors.Is(err, credentials.ErrNoToken) {
			var fe *credentials.FormatError
			assert.ErrorAs(t, err, &fe, call)
		} else {
			assert.Contains(t, err.Error(), auth.EnvToken, "%s: the error names the variable", call)
		}
	case want.chainErr:
		var ce *auth.ChainError
		require.ErrorAs(t, err, &ce, call)
		assert.ErrorIs(t, err, auth.ErrUnavailable, call)
		var sources []auth.Source
		for _, a := range ce.Attempts {
			sources = append(sources, a.Source)
		}
		assert.Equal(t, []auth.Source{auth.SourceEnv, auth.SourceFile, auth.SourceWorkspace}, sources, call)
		assert.Zero(t, tok, call)
	default:
		require.NoError(t, err, call)
		assert.Equal(t, want.source, tok.Source, call)
		assert.Equal(t, want.origin, tok.Origin, call)
		assert.Equal(t, want.token, tok.Value.Reveal(), call)
		assert.Equal(t, want.host, tok.Host, call)
	}
}

// TestDefaultChainFileOptions checks that WithFileOptions reaches the File
// provider DefaultChain builds.
func TestDefaultChainFileOptions(t *testing.T) {
	home := isolate(t)
	environ := writeEnviron(t, "PATH=/usr/bin")
	custom := home + "/elsewhere/credentials.json"
	writeFile(t, custom, `{"cli_token": "`+tokFile+`"}`, 0o644)

	logger, logs := newLogger()
	tok, err := auth.DefaultChain(auth.WithLogger(logger),
		auth.WithFileOptions(auth.WithPath(custom)),
		auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)),
	).Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, custom, tok.Origin)
	assert.Equal(t, 1, strings.Count(logs.String(), "open to group or others"))

	_, err = auth.DefaultChain(auth.WithLogger(logger),
		auth.WithFileOptions(auth.WithPath(custom), auth.WithStrictPermissions()),
		auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)),
	).Token(context.Background())
	var insecure *credentials.InsecurePermissionsError
	require.ErrorAs(t, err, &insecure)
	assert.Equal(t, custom, insecure.Path)
	assert.NotErrorIs(t, err, auth.ErrUnavailable)
	assertNoLeak(t, err.Error(), "strict error")
	require.NoError(t, os.Chmod(custom, 0o600))
}
