package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
)

const (
	injectedHost = "https://ws-7f3a.example.anyscale.com"
	processHost  = "https://process.example.anyscale.com"
)

func TestDefaultHost(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://console.anyscale.com", auth.DefaultHost)
}

func TestResolveHost(t *testing.T) {
	wsTok := auth.Token{Value: tokWS, Source: auth.SourceWorkspace, Origin: "/e (workspace injected environment)", Host: injectedHost}
	tests := []struct {
		name       string
		env        *string // nil: ANYSCALE_HOST unset
		tok        auth.Token
		wantHost   string
		wantOrigin string
	}{
		{name: "nothing: the default", tok: auth.Token{}, wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "a token without a host: the default", tok: auth.Token{Value: tokEnv, Source: auth.SourceEnv, Origin: auth.EnvToken},
			wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "the token's host", tok: wsTok, wantHost: injectedHost, wantOrigin: "/e (workspace injected environment)"},
		{name: "the token's host, trimmed", tok: auth.Token{Source: "vault", Origin: "kv/anyscale", Host: " " + injectedHost + "\n"},
			wantHost: injectedHost, wantOrigin: "kv/anyscale"},
		{name: "a blank token host: the default", tok: auth.Token{Origin: "o", Host: " \t"}, wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "a token host without an origin names the source", tok: auth.Token{Source: "vault", Host: injectedHost},
			wantHost: injectedHost, wantOrigin: "vault"},
		{name: "a token host without origin or source", tok: auth.Token{Host: injectedHost},
			wantHost: injectedHost, wantOrigin: "the token's source"},
		{name: "ANYSCALE_HOST wins over the token's host", env: ptr(processHost), tok: wsTok, wantHost: processHost, wantOrigin: "ANYSCALE_HOST"},
		{name: "ANYSCALE_HOST wins over the default", env: ptr(processHost), tok: auth.Token{}, wantHost: processHost, wantOrigin: "ANYSCALE_HOST"},
		{name: "ANYSCALE_HOST is trimmed", env: ptr("  " + processHost + " "), tok: wsTok, wantHost: processHost, wantOrigin: "ANYSCALE_HOST"},
		{name: "an empty ANYSCALE_HOST is not set", env: ptr(""), tok: wsTok, wantHost: injectedHost, wantOrigin: wsTok.Origin},
		{name: "a blank ANYSCALE_HOST is not set", env: ptr(" "), tok: auth.Token{}, wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "not validated", env: ptr("not a url"), tok: wsTok, wantHost: "not a url", wantOrigin: "ANYSCALE_HOST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsetenv(t, auth.EnvHost)
			if tt.env != nil {
				t.Setenv(auth.EnvHost, *tt.env)
			}
			host, origin := auth.ResolveHost(tt.tok)
			assert.Equal(t, tt.wantHost, host)
			assert.Equal(t, tt.wantOrigin, origin)
		})
	}
}

func ptr(s string) *string { return &s }

func TestTokenStringHost(t *testing.T) {
	t.Parallel()
	tok := auth.Token{Value: tokWS, Source: auth.SourceWorkspace, Origin: "/e (workspace injected environment)"}
	assert.Equal(t, "aph0_…0004 from workspace (/e (workspace injected environment))", tok.String())
	tok.Host = injectedHost
	assert.Equal(t, "aph0_…0004 from workspace (/e (workspace injected environment)) for "+injectedHost, tok.String())
	for _, text := range []string{tok.String(), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)} {
		assertNoLeak(t, text, "the printed token")
	}
}

// TestWorkspaceHost simulates a kernel in an Anyscale workspace, started
// with a trimmed environment: the container's injected environment holds
// the marker, the token and ANYSCALE_HOST; the process has none of them.
func TestWorkspaceHost(t *testing.T) {
	isolate(t)
	unsetenv(t, auth.EnvHost)
	environ := writeEnviron(t,
		"PATH=/usr/bin",
		"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwgs_0123456789abcdefghijklmnop",
		"ANYSCALE_SESSION_ID=ses_0123456789abcdefghijklmnop",
		auth.EnvToken+"="+tokWS,
		auth.EnvHost+"="+injectedHost,
	)
	injOrigin := environ + " (workspace injected environment)"
	ctx := context.Background()
	chain := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(environ)))

	var texts []string
	for _, op := range []string{"resolve", "cached", "invalidate"} {
		if op == "invalidate" {
			chain.Invalidate()
		}
		tok, err := chain.Token(ctx)
		require.NoError(t, err, op)
		assert.Equal(t, auth.Token{Value: tokWS, Source: auth.SourceWorkspace, Origin: injOrigin, Host: injectedHost}, tok, op)
		texts = append(texts, tok.String(), fmt.Sprintf("%v %+v %#v", tok, tok, tok))

		host, origin := auth.ResolveHost(tok)
		assert.Equal(t, injectedHost, host, op)
		assert.Equal(t, injOrigin, origin, op)
	}

	rep := chain.Explain(ctx)
	require.NoError(t, rep.Err)
	require.NotNil(t, rep.Used())
	assert.Equal(t, auth.SourceWorkspace, rep.Used().Source)
	assert.Equal(t, injectedHost, rep.Host)
	assert.Equal(t, injOrigin, rep.HostOrigin)
	s := rep.String()
	assert.Contains(t, s, "\nhost: "+injectedHost+" (from "+injOrigin+")\nresult: ")
	texts = append(texts, s, fmt.Sprintf("%v %+v %#v", rep, rep, rep))

	// The process's own ANYSCALE_HOST wins over the workspace's.
	t.Setenv(auth.EnvHost, processHost)
	tok, err := chain.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, injectedHost, tok.Host, "the token still carries the workspace's host")
	host, origin := auth.ResolveHost(tok)
	assert.Equal(t, processHost, host)
	assert.Equal(t, "ANYSCALE_HOST", origin)
	rep = chain.Explain(ctx)
	assert.Equal(t, processHost, rep.Host)
	assert.Equal(t, "ANYSCALE_HOST", rep.HostOrigin)
	s = rep.String()
	assert.Contains(t, s, "\nhost: "+processHost+" (from ANYSCALE_HOST)\n")
	assert.NotContains(t, s, injectedHost)
	texts = append(texts, s, fmt.Sprintf("%v %+v %#v", rep, rep, rep))

	for _, text := range texts {
		assertNoLeak(t, text, "output")
	}
}

// An injected ANYSCALE_HOST that is not usable (it could hide a password)
// fails the workspace source only when it would be used: the process's
// own ANYSCALE_HOST wins over it, and then it is dropped.
func TestWorkspaceUnusableHost(t *testing.T) {
	isolate(t)
	const badHost = "https://user:hunter2@ws.example.com"
	environ := writeEnviron(t,
		"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID=expwgs_0123456789abcdefghijklmnop",
		auth.EnvToken+"="+tokWS,
		auth.EnvHost+"="+badHost,
	)
	ws := auth.Workspace(auth.WithEnvironPath(environ))
	ctx := context.Background()

	unsetenv(t, auth.EnvHost)
	_, err := ws.Token(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a usable API URL")
	assert.NotContains(t, err.Error(), "hunter2")

	t.Setenv(auth.EnvHost, processHost)
	tok, err := ws.Token(ctx)
	require.NoError(t, err, "the injected host is not used")
	assert.Empty(t, tok.Host, "the unusable host is dropped")
	host, origin := auth.ResolveHost(tok)
	assert.Equal(t, processHost, host)
	assert.Equal(t, auth.EnvHost, origin)
}

// TestExplainHostWithoutWorkspace: when the used token has no host, or no
// source is used, the report shows the process's ANYSCALE_HOST or the
// default.
func TestExplainHostWithoutWorkspace(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		chain      *auth.Chain
		env        string // "": ANYSCALE_HOST unset
		wantHost   string
		wantOrigin string
	}{
		{name: "static token, default", chain: auth.NewChain(auth.Static(tokStatic)), wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "static token, ANYSCALE_HOST", chain: auth.NewChain(auth.Static(tokStatic)), env: processHost,
			wantHost: processHost, wantOrigin: "ANYSCALE_HOST"},
		{name: "no source used, default", chain: auth.NewChain(unavailableProvider{}), wantHost: auth.DefaultHost, wantOrigin: "default"},
		{name: "broken source, ANYSCALE_HOST", chain: auth.NewChain(auth.Static(tokInvalid)), env: processHost,
			wantHost: processHost, wantOrigin: "ANYSCALE_HOST"},
		{name: "empty chain, default", chain: auth.NewChain(), wantHost: auth.DefaultHost, wantOrigin: "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unsetenv(t, auth.EnvHost)
			if tt.env != "" {
				t.Setenv(auth.EnvHost, tt.env)
			}
			rep := tt.chain.Explain(ctx)
			assert.Equal(t, tt.wantHost, rep.Host)
			assert.Equal(t, tt.wantOrigin, rep.HostOrigin)
			lines := strings.Split(rep.String(), "\n")
			require.GreaterOrEqual(t, len(lines), 2)
			assert.Equal(t, "host: "+tt.wantHost+" (from "+tt.wantOrigin+")", lines[len(lines)-2], "after the table, before the result")
			assert.True(t, strings.HasPrefix(lines[len(lines)-1], "result: "), lines[len(lines)-1])
			assertNoLeak(t, rep.String(), "Report.String")
		})
	}
	t.Run("a report without a host prints no host line", func(t *testing.T) {
		assert.NotContains(t, auth.Report{}.String(), "host:")
	})
}
