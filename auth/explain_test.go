package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

func fp(tok string) string { return credentials.Secret(tok).Fingerprint() }

func TestExplainUsedShadowedUnavailable(t *testing.T) {
	home := isolate(t)
	t.Setenv(auth.EnvToken, tokEnv)
	path := credsPath(home)
	writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o644)
	environ := missingPath(t, "environ")
	logger, logs := newLogger()

	chain := auth.NewChain(
		auth.Env(),
		auth.Static(tokEnv), // the same token as env
		auth.File(),         // a different token, with a warning
		auth.Workspace(auth.WithEnvironPath(environ)),
		auth.Static(tokInvalid), // broken, but never reached
	).WithLogger(logger)
	rep := chain.Explain(context.Background())

	require.Len(t, rep.Entries, 5)
	require.NoError(t, rep.Err)
	used := rep.Used()
	require.NotNil(t, used)
	assert.Equal(t, auth.ReportEntry{
		Source: auth.SourceEnv, Origin: auth.EnvToken, Status: auth.StatusUsed,
		Reason: "first source with a token", Fingerprint: fp(tokEnv),
	}, *used)

	same := rep.Entries[1]
	assert.Equal(t, auth.StatusShadowed, same.Status)
	assert.True(t, same.SameAsUsed)
	assert.Equal(t, "shadowed by env; same token", same.Reason)
	assert.Equal(t, fp(tokEnv), same.Fingerprint)

	diff := rep.Entries[2]
	assert.Equal(t, auth.SourceFile, diff.Source)
	assert.Equal(t, path, diff.Origin)
	assert.Equal(t, auth.StatusShadowed, diff.Status)
	assert.False(t, diff.SameAsUsed)
	assert.True(t, strings.HasPrefix(diff.Reason, "shadowed by env; different token; warning: "), diff.Reason)
	assert.Contains(t, diff.Warning, "open to group or others")
	assert.Equal(t, fp(tokFile), diff.Fingerprint)

	ws := rep.Entries[3]
	assert.Equal(t, auth.SourceWorkspace, ws.Source)
	assert.Equal(t, auth.StatusUnavailable, ws.Status)
	assert.Contains(t, ws.Origin, environ)
	assert.Contains(t, ws.Reason, "unreadable")
	assert.ErrorIs(t, ws.Err, auth.ErrUnavailable)
	assert.Empty(t, ws.Fingerprint)

	broken := rep.Entries[4]
	assert.Equal(t, auth.StatusError, broken.Status)
	assert.ErrorIs(t, broken.Err, credentials.ErrInvalidToken)
	assert.Contains(t, broken.Reason, "not reached: env decides first")

	assert.Equal(t, auth.DefaultHost, rep.Host)
	assert.Equal(t, "default", rep.HostOrigin)

	s := rep.String()
	lines := strings.Split(s, "\n")
	require.Len(t, lines, 8, s)
	assert.Regexp(t, `^SOURCE +STATUS +ORIGIN +FINGERPRINT +REASON$`, lines[0])
	for i, e := range rep.Entries {
		assert.Regexp(t, `^`+string(e.Source)+` +`+string(e.Status)+` `, lines[i+1])
	}
	assert.Contains(t, s, fp(tokEnv))
	assert.Contains(t, s, fp(tokFile))
	assert.Contains(t, s, path)
	assert.Equal(t, "host: https://console.anyscale.com (from default)", lines[6])
	assert.Equal(t, "result: the token from env (ANYSCALE_CLI_TOKEN)", lines[7])
	col := strings.Index(lines[0], "STATUS")
	for _, l := range lines[1:6] {
		assert.Equal(t, col, strings.Index(l, " "+strings.Fields(l)[1]+" ")+1, "aligned: %q", l)
	}
	assert.NotContains(t, s, " \n", "no trailing blanks")
	assertNoLeak(t, s, "Report.String")
	assert.Empty(t, logs.String(), "Explain logs nothing")
}

func TestExplainBrokenSourceStopsTheChain(t *testing.T) {
	home := isolate(t)
	t.Setenv(auth.EnvToken, "")
	writeFile(t, credsPath(home), `{"cli_token": "`+tokFile+`"}`, 0o600)

	chain := auth.NewChain(unavailableProvider{}, auth.Env(), auth.File(), auth.Static(tokInvalid))
	rep := chain.Explain(context.Background())
	require.Len(t, rep.Entries, 4)
	assert.Nil(t, rep.Used())
	require.Error(t, rep.Err)
	assert.ErrorIs(t, rep.Err, credentials.ErrInvalidToken)
	assert.Contains(t, rep.Err.Error(), "set but empty")

	assert.Equal(t, auth.Source("auth_test.unavailableProvider"), rep.Entries[0].Source)
	assert.Equal(t, auth.StatusUnavailable, rep.Entries[0].Status)
	assert.Equal(t, auth.StatusError, rep.Entries[1].Status)
	assert.Equal(t, auth.StatusShadowed, rep.Entries[2].Status, "the file has a token the chain never reaches")
	assert.Equal(t, "has a token, but the chain stops at the env error first", rep.Entries[2].Reason)
	assert.False(t, rep.Entries[2].SameAsUsed)
	assert.Equal(t, auth.StatusError, rep.Entries[3].Status)
	assert.Contains(t, rep.Entries[3].Reason, "not reached: env decides first")

	s := rep.String()
	assert.Contains(t, s, "result: the chain fails: auth: env: ANYSCALE_CLI_TOKEN is set but empty")
	assertNoLeak(t, s, "Report.String")

	// Explain and Token agree.
	_, err := chain.Token(context.Background())
	assert.Equal(t, rep.Err.Error(), err.Error())
}

func TestExplainNothingConfigured(t *testing.T) {
	isolate(t)
	rep := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(writeEnviron(t, "PATH=/bin")))).
		Explain(context.Background())
	var ce *auth.ChainError
	require.ErrorAs(t, rep.Err, &ce)
	assert.Len(t, ce.Attempts, 3)
	for _, e := range rep.Entries {
		assert.Equal(t, auth.StatusUnavailable, e.Status, e.Source)
	}
	assert.Equal(t, "result: no credentials found", lastLine(rep.String()), "what to do next is the error's advice")
	assert.Equal(t, []client.Advice{{Action: client.ActionConfigureToken}}, client.AdviceOf(rep.Err))
	assert.Equal(t, "result: no sources", auth.Report{}.String()[strings.LastIndex(auth.Report{}.String(), "\n")+1:])
	assert.Equal(t, "result: the chain has no sources", lastLine(auth.NewChain().Explain(context.Background()).String()))
}

func TestExplainBypassesCache(t *testing.T) {
	t.Parallel()
	p := &countingProvider{tok: tokOther}
	chain := auth.NewChain(p)
	ctx := context.Background()
	_, err := chain.Token(ctx)
	require.NoError(t, err)
	chain.Explain(ctx)
	chain.Explain(ctx)
	assert.EqualValues(t, 3, p.calls.Load(), "Explain asks the provider every time")
	_, err = chain.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 3, p.calls.Load(), "Explain leaves the cache alone")

	fresh := auth.NewChain(p)
	fresh.Explain(ctx)
	_, err = fresh.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 5, p.calls.Load(), "Explain does not fill the cache")
}

func TestExplainNeverPanics(t *testing.T) {
	t.Parallel()
	rep := auth.NewChain(panickingProvider{}, auth.Static(tokStatic)).Explain(context.Background())
	require.Len(t, rep.Entries, 2)
	assert.Equal(t, auth.StatusError, rep.Entries[0].Status)
	assert.Contains(t, rep.Entries[0].Reason, "panicked")
	assert.Equal(t, auth.StatusShadowed, rep.Entries[1].Status)
	require.Error(t, rep.Err)
}

func TestExplainDoneContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := auth.NewChain(auth.Static(tokStatic), auth.Env()).Explain(ctx)
	assert.ErrorIs(t, rep.Err, context.Canceled)
	for _, e := range rep.Entries {
		assert.Equal(t, auth.StatusError, e.Status)
		assert.True(t, errors.Is(e.Err, context.Canceled))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
