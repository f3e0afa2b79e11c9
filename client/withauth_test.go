package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// countingServer answers every request with its Authorization header in
// the result, and counts the connections made to it.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"result":{"id":"usr_1","email":"` + r.Header.Get("Authorization")[len("Bearer "):] + `@x","user_agent":"` + r.UserAgent() + `"}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestWithAuthSharesEverythingButTheToken(t *testing.T) {
	t.Parallel()
	srv, conns := countingServer(t)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithUserAgent("job/1"))
	require.NoError(t, err)
	other := c.WithAuth(auth.StaticSecret(credentials.Secret(canary2)))
	require.NotSame(t, c, other)
	assert.Equal(t, c.BaseURL(), other.BaseURL())

	ctx := context.Background()
	for range 5 {
		me, err := other.WhoAmI(ctx)
		require.NoError(t, err)
		assert.Equal(t, canary2+"@x", me.Email, "the copy sends its own token")
		me, err = c.WhoAmI(ctx)
		require.NoError(t, err)
		assert.Equal(t, canary+"@x", me.Email, "the original is unchanged")
	}
	assert.Equal(t, int32(1), conns.Load(), "both clients share one connection pool")

	var ua struct {
		UserAgent string `json:"user_agent"`
	}
	_, err = other.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &ua)
	require.NoError(t, err)
	assert.Contains(t, ua.UserAgent, "job/1", "every other setting carries over")
}

func TestWithAuthNil(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.c.WithAuth(nil).WhoAmI(context.Background())
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Contains(t, err.Error(), "WithAuth(nil)")
	assert.False(t, client.MayHaveActed(err))
	assert.Zero(t, f.mt.GetTotalCallCount(), "nothing is sent")
}

// holdingServer holds every request until the client goes away, and
// counts the requests.
func holdingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		// Reading the whole body lets the server notice the client going
		// away, which ends r's context.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv, &hits
}

func TestAttemptTimeoutBoundsEachAttempt(t *testing.T) {
	t.Parallel()
	srv, hits := holdingServer(t)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary),
		client.WithAttemptTimeout(50*time.Millisecond), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)

	_, err = c.Do(context.Background(), http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]int{"duration": 60}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "client.WithAttemptTimeout", "the error names the bound and how to change it")
	assert.True(t, client.MayHaveActed(err), "the server may have acted on a request that timed out")
	assert.LessOrEqual(t, hits.Load(), int32(1), "a POST that timed out is not repeated")

	hits.Store(0)
	_, err = c.WhoAmI(context.Background())
	require.Error(t, err)
	assert.Greater(t, hits.Load(), int32(1), "a GET that timed out is retried")
}

func TestCallersDeadlineWins(t *testing.T) {
	t.Parallel()
	srv, _ := holdingServer(t)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithAttemptTimeout(time.Hour))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.WhoAmI(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotContains(t, err.Error(), "WithAttemptTimeout", "the caller's own deadline is not blamed on the attempt bound")
}

func TestWithAttemptTimeoutRejectsNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := client.New(client.WithAttemptTimeout(d))
		assert.ErrorIs(t, err, client.ErrInvalid, "%s", d)
	}
}

// loopbackOnly passes requests to loopback hosts and refuses, recording
// it, every other: a test that fails must not send its canary away.
type loopbackOnly struct {
	base    http.RoundTripper
	mu      sync.Mutex
	refused []string
}

func (t *loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "127.0.0.1" && h != "localhost" {
		t.mu.Lock()
		t.refused = append(t.refused, h)
		t.mu.Unlock()
		return nil, fmt.Errorf("dial tcp %s: connect: %w", h, syscall.ECONNREFUSED)
	}
	return t.base.RoundTrip(req)
}

func (t *loopbackOnly) seen() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.refused...)
}

// A key goes only to the host that issued it or the host the caller
// named: a copy made with WithAuth whose token names no host of its own
// (a static secret, a credentials file) sends it where the parent sends
// its own, such as the host a workspace injected, never to the default.
func TestWithAuthSendsWhereTheParentSends(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	injected, _ := countingServer(t)
	rt := &loopbackOnly{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(rt.base.(*http.Transport).CloseIdleConnections)
	hc := &http.Client{Transport: rt}
	parent, err := client.New(client.WithProvider(hostProvider{host: injected.URL}), client.WithHTTPClient(hc))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "credentials.json")
	require.NoError(t, credentials.Save(path, credentials.Secret(canary2)))
	ctx := context.Background()
	for name, p := range map[string]auth.Provider{
		"StaticSecret": auth.StaticSecret(credentials.Secret(canary2)),
		"Static":       auth.Static(canary2),
		"File":         auth.File(auth.WithPath(path)),
	} {
		for _, c := range []*client.Client{parent.WithAuth(p), parent.WithAuth(auth.Static(canary)).WithAuth(p)} {
			me, err := c.WhoAmI(ctx)
			require.NoError(t, err, name)
			assert.Equal(t, canary2+"@x", me.Email, "%s: the workspace's host got the copy's token", name)
		}
	}
	assert.Empty(t, rt.seen(), "nothing went to another host")

	// A token that names its own host goes there.
	own, _ := countingServer(t)
	_, err = parent.WithAuth(hostProvider{host: own.URL}).WhoAmI(ctx)
	require.NoError(t, err)

	// A parent without a token sends to its default; so does its copy.
	bare, err := client.New(client.WithProvider(auth.NewChain()), client.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = bare.WithAuth(auth.StaticSecret(credentials.Secret(canary2))).WhoAmI(ctx)
	require.Error(t, err)
	assert.Equal(t, []string{"console.anyscale.com", "console.anyscale.com"}, rt.seen(), "the default host, once retried")
	assert.Equal(t, []client.Advice{{Action: client.ActionExplainChain, Subject: client.DefaultBaseURL, Origin: auth.HostFromDefault}}, client.AdviceOf(err))
}

// A parent whose token source is broken says nothing of where it sends: a
// copy's call fails, naming the parent's error, and sends nothing on a
// guess (such as the default host).
func TestWithAuthOfABrokenParentSendsNothing(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	rt := &loopbackOnly{base: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(rt.base.(*http.Transport).CloseIdleConnections)
	broken := errors.New("the vault is down")
	parent, err := client.New(client.WithHTTPClient(&http.Client{Transport: rt}),
		client.WithProvider(auth.ProviderFunc(func(context.Context) (auth.Token, error) { return auth.Token{}, broken })))
	require.NoError(t, err)
	_, err = parent.WithAuth(auth.StaticSecret(credentials.Secret(canary2))).WhoAmI(context.Background())
	require.ErrorIs(t, err, broken)
	assert.False(t, client.MayHaveActed(err))
	assert.Empty(t, rt.seen(), "nothing sent")
}
