package client_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
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
