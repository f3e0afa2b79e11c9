package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

func TestChainCachesFirstToken(t *testing.T) {
	t.Parallel()
	p := &countingProvider{tok: tokOther}
	chain := auth.NewChain(p)
	ctx := context.Background()

	for range 3 {
		tok, err := chain.Token(ctx)
		require.NoError(t, err)
		assert.Equal(t, tokOther, tok.Value.Reveal())
	}
	assert.EqualValues(t, 1, p.calls.Load(), "later calls use the cache")

	chain.Invalidate()
	_, err := chain.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, p.calls.Load(), "Invalidate forces a fresh resolution")
	_, err = chain.Token(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, p.calls.Load(), "the fresh token is cached again")
}

func TestChainConcurrentFirstCallsResolveOnce(t *testing.T) {
	t.Parallel()
	p := &countingProvider{tok: tokOther, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	chain := auth.NewChain(unavailableProvider{}, p)

	const n = 64
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	toks := make([]auth.Token, n)
	errs := make([]error, n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			toks[i], errs[i] = chain.Token(context.Background())
		}()
	}
	started.Wait()
	<-p.entered // one caller is inside the provider; the others wait or will hit the cache
	close(p.gate)
	done.Wait()

	assert.EqualValues(t, 1, p.calls.Load(), "concurrent first calls resolve once")
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, tokOther, toks[i].Value.Reveal())
	}
}

func TestChainDoesNotCacheErrors(t *testing.T) {
	t.Parallel()
	broken := errors.New("vault sealed")
	p := &countingProvider{tok: tokOther, err: broken, errOnce: true}
	chain := auth.NewChain(p)
	ctx := context.Background()

	_, err := chain.Token(ctx)
	require.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "*auth_test.countingProvider", "a custom provider's error names it")
	assert.NotErrorIs(t, err, auth.ErrUnavailable)

	tok, err := chain.Token(ctx)
	require.NoError(t, err, "the error was not cached")
	assert.Equal(t, tokOther, tok.Value.Reveal())
	assert.EqualValues(t, 2, p.calls.Load())
}

func TestChainDoesNotCacheUnavailable(t *testing.T) {
	home := isolate(t)
	chain := auth.NewChain(auth.File())
	ctx := context.Background()
	_, err := chain.Token(ctx)
	require.ErrorAs(t, err, new(*auth.ChainError))

	writeFile(t, credsPath(home), `{"cli_token": "`+tokFile+`"}`, 0o600)
	tok, err := chain.Token(ctx)
	require.NoError(t, err, "a source configured after a failed resolution is found")
	assert.Equal(t, tokFile, tok.Value.Reveal())
}

func TestChainInvalidateRereadsSources(t *testing.T) {
	home := isolate(t)
	path := credsPath(home)
	writeFile(t, path, `{"cli_token": "`+tokFile+`"}`, 0o600)
	chain := auth.NewChain(auth.File())
	ctx := context.Background()

	tok, err := chain.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, tokFile, tok.Value.Reveal())

	// `anyscale login` wrote a new key; the client got a 401 with the old one.
	writeFile(t, path, `{"cli_token": "`+tokOther+`"}`, 0o600)
	tok, err = chain.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, tokFile, tok.Value.Reveal(), "cached until Invalidate")
	chain.Invalidate()
	tok, err = chain.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, tokOther, tok.Value.Reveal())
}

func TestChainInvalidateDuringResolution(t *testing.T) {
	t.Parallel()
	p := &countingProvider{tok: tokOther, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	chain := auth.NewChain(p)
	res := make(chan error, 1)
	go func() {
		_, err := chain.Token(context.Background())
		res <- err
	}()
	<-p.entered
	chain.Invalidate() // the resolution under way started before: do not cache it
	close(p.gate)
	require.NoError(t, <-res)

	_, err := chain.Token(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, p.calls.Load())
}

func TestChainContext(t *testing.T) {
	t.Parallel()
	t.Run("done before the call", func(t *testing.T) {
		t.Parallel()
		p := &countingProvider{tok: tokOther}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := auth.NewChain(p).Token(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, p.calls.Load())
	})
	t.Run("a waiting caller gives up", func(t *testing.T) {
		t.Parallel()
		p := &countingProvider{tok: tokOther, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
		chain := auth.NewChain(p)
		leader := make(chan error, 1)
		go func() {
			_, err := chain.Token(context.Background())
			leader <- err
		}()
		<-p.entered
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := chain.Token(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		close(p.gate)
		assert.NoError(t, <-leader)
	})
	t.Run("the resolving caller gives up, a waiting one does not", func(t *testing.T) {
		t.Parallel()
		p := &countingProvider{tok: tokOther, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
		chain := auth.NewChain(p)
		ctx, cancel := context.WithCancel(context.Background())
		leader := make(chan error, 1)
		go func() {
			_, err := chain.Token(ctx)
			leader <- err
		}()
		<-p.entered
		waiter := make(chan error, 1)
		go func() {
			_, err := chain.Token(context.Background())
			waiter <- err
		}()
		cancel()
		assert.ErrorIs(t, <-leader, context.Canceled)
		assert.NoError(t, <-waiter, "the waiter resolves on its own")
		assert.EqualValues(t, 2, p.calls.Load())
	})
}

type panickingProvider struct{}

func (panickingProvider) Token(context.Context) (auth.Token, error) { panic("boom") }

func TestChainProviderPanicDoesNotStrandTheChain(t *testing.T) {
	t.Parallel()
	chain := auth.NewChain(panickingProvider{})
	assert.PanicsWithValue(t, "boom", func() { _, _ = chain.Token(context.Background()) })
	// The resolution was cleaned up: the next call runs (and panics) again
	// instead of waiting forever.
	assert.Panics(t, func() { _, _ = chain.Token(context.Background()) })
}

func TestChainStopsAtBrokenSource(t *testing.T) {
	home := isolate(t)
	path := credsPath(home)
	writeFile(t, path, `{"cli_token": "`+tokInvalid+`"}`, 0o600)
	p := &countingProvider{tok: tokOther}
	_, err := auth.NewChain(auth.Env(), auth.File(), p).Token(context.Background())
	require.ErrorIs(t, err, credentials.ErrInvalidToken)
	assert.Contains(t, err.Error(), path)
	assert.Zero(t, p.calls.Load(), "the chain stops at the broken file")
	assertNoLeak(t, err.Error(), "error")
}

func TestChainCustomAndNestedProviders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	tok, err := auth.NewChain(nil, auth.NewChain(unavailableProvider{}), auth.Static(tokStatic)).Token(ctx)
	require.NoError(t, err, "an inner chain with nothing passes on, nil is skipped")
	assert.Equal(t, auth.Token{Value: tokStatic, Source: auth.SourceStatic, Origin: "static"}, tok)

	_, err = auth.NewChain().Token(ctx)
	var ce *auth.ChainError
	require.ErrorAs(t, err, &ce)
	assert.Empty(t, ce.Attempts)
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	assert.Contains(t, err.Error(), "the chain has no sources")

	_, err = auth.NewChain(auth.ProviderFunc(func(context.Context) (auth.Token, error) {
		return auth.Token{}, nil
	})).Token(ctx)
	require.Error(t, err, "an empty token without an error is not a token")
	assert.NotErrorIs(t, err, auth.ErrUnavailable)
}

func TestChainErrorText(t *testing.T) {
	home := isolate(t)
	environ := missingPath(t, "environ")
	_, err := auth.DefaultChain(auth.WithWorkspaceOptions(auth.WithEnvironPath(environ))).Token(context.Background())

	var ce *auth.ChainError
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Attempts, 3)
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	assert.ErrorIs(t, err, fs.ErrNotExist, "causes stay reachable")
	for _, a := range ce.Attempts {
		assert.ErrorIs(t, a.Err, auth.ErrUnavailable, "attempt %s", a.Source)
	}
	assert.Equal(t, auth.Attempt{Source: auth.SourceEnv, Origin: auth.EnvToken, Err: ce.Attempts[0].Err}, ce.Attempts[0])
	assert.Equal(t, credsPath(home), ce.Attempts[1].Origin)
	assert.Contains(t, ce.Attempts[2].Origin, environ)

	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 5, err.Error())
	assert.Equal(t, "auth: no Anyscale credentials found; tried, in order:", lines[0])
	assert.Regexp(t, `^  env +ANYSCALE_CLI_TOKEN +not set$`, lines[1])
	assert.Regexp(t, `^  file +`+credsPath(home)+` +no such file$`, lines[2])
	assert.Regexp(t, `^  workspace +process environment and `+environ+` +no workspace marker .*unreadable`, lines[3])
	assert.Equal(t, "To configure one, run `anyscale login`, or set ANYSCALE_CLI_TOKEN to an API key created in the console.", lines[4])
	// Origins start in one column.
	col := strings.Index(lines[1], auth.EnvToken)
	assert.Equal(t, col, strings.Index(lines[2], "/"))
	assert.Equal(t, col, strings.Index(lines[3], "process"))
}

// TestNothingLeaks prints every value that could hold a token in every
// way a user might, and checks that no test token appears.
func TestNothingLeaks(t *testing.T) {
	home := isolate(t)
	t.Setenv(auth.EnvToken, tokEnv)
	writeFile(t, credsPath(home), `{"cli_token": "`+tokFile+`"}`, 0o644)
	environ := writeEnviron(t, "ANYSCALE_CLUSTER_ID=ses_x", auth.EnvToken+"="+tokWS)
	logger, logs := newLogger()
	jsonLogs := &logBuffer{}
	jsonLogger := slog.New(slog.NewJSONHandler(jsonLogs, nil))

	ctx := context.Background()
	chain := auth.NewChain(auth.Static(tokStatic), auth.File(), auth.Env(),
		auth.Workspace(auth.WithEnvironPath(environ)), auth.Static(tokInvalid)).WithLogger(logger)
	tok, err := chain.Token(ctx)
	require.NoError(t, err)
	fileTok, err := auth.File().Token(ctx)
	require.NoError(t, err)
	rep := chain.Explain(ctx)
	_, invalidErr := auth.Static(tokInvalid).Token(ctx)
	require.Error(t, invalidErr)
	_, chainErr := auth.NewChain(auth.File(auth.WithPath(missingPath(t, "c.json")))).Token(ctx)
	require.Error(t, chainErr)

	logger.Info("resolved", "token", tok, "report", rep)
	jsonLogger.Info("resolved", "token", tok, "file", fileTok)
	js, err := json.Marshal(map[string]any{"token": tok, "report": rep})
	require.NoError(t, err)

	values := []any{tok, &tok, fileTok, chain, rep, rep.Entries, invalidErr, chainErr,
		auth.Static(tokStatic), auth.Static(tokInvalid), auth.Env()}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			assertNoLeak(t, fmt.Sprintf(verb, v), fmt.Sprintf("%s of %T", verb, v))
		}
	}
	assertNoLeak(t, rep.String(), "Report.String")
	assertNoLeak(t, invalidErr.Error(), "error")
	assertNoLeak(t, chainErr.Error(), "error")
	assertNoLeak(t, logs.String(), "text log")
	assertNoLeak(t, jsonLogs.String(), "JSON log")
	assertNoLeak(t, string(js), "JSON")
	assert.Contains(t, logs.String(), "aph0_…0001", "the redacted form is what shows")
}

func TestNewChainLogsToDefaultLogger(t *testing.T) {
	home := isolate(t)
	writeFile(t, credsPath(home), `{"cli_token": "`+tokFile+`"}`, 0o644)
	logger, logs := newLogger()
	old := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(old) })

	chain := auth.NewChain(auth.File())
	_, err := chain.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(logs.String(), "open to group or others"))

	quiet, quietLogs := newLogger()
	other := chain.WithLogger(quiet)
	_, err = other.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(logs.String(), "open to group or others"), "the new chain logs elsewhere")
	assert.Equal(t, 1, strings.Count(quietLogs.String(), "open to group or others"))
}
