package client_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
)

// poolServer answers /fail with 503 (a 16 KiB body, Retry-After 0) every
// other time it is asked, /down always with a 500, and anything else with
// a tiny result; it counts connections.
func poolServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	var mu sync.Mutex
	fail := true
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fail":
			mu.Lock()
			f := fail
			fail = !fail
			mu.Unlock()
			if f {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"error":{"detail":"`+strings.Repeat("x", 16<<10)+`"}}`)
				return
			}
		case "/down":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":{"detail":"down"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"result":{}}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, &conns
}

// A retried error answer is read whole, so its connection is reused.
func TestRetriedErrorBodyKeepsTheConnection(t *testing.T) {
	t.Parallel()
	url, conns := poolServer(t)
	c, err := client.New(client.WithBaseURL(url), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	for range 20 {
		_, err := c.Do(context.Background(), http.MethodGet, "/fail", nil, nil, &struct{}{})
		require.NoError(t, err)
	}
	// One connection, or a few when a call starts before net/http has put
	// the last one back in the pool; without the drain, one per retry.
	assert.Less(t, conns.Load(), int32(5), "20 calls, 20 retries")
}

// CloseIdleConnections closes the pool's idle connections; the client
// stays usable. (That a failed call does not close them is checked in
// TestRetryClientCannotEmptyThePool.)
func TestCloseIdleConnections(t *testing.T) {
	t.Parallel()
	url, conns := poolServer(t)
	c, err := client.New(client.WithBaseURL(url), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Do(ctx, http.MethodGet, "/ok", nil, nil, &struct{}{})
	require.NoError(t, err)
	_, err = c.Do(ctx, http.MethodGet, "/down", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrServer)
	_, err = c.Do(ctx, http.MethodGet, "/ok", nil, nil, &struct{}{})
	require.NoError(t, err)

	before := conns.Load()
	c.CloseIdleConnections()
	_, err = c.WithAuth(nil).Do(ctx, http.MethodGet, "/ok", nil, nil, nil)
	require.Error(t, err)
	_, err = c.Do(ctx, http.MethodGet, "/ok", nil, nil, &struct{}{})
	require.NoError(t, err)
	assert.Equal(t, before+1, conns.Load(), "CloseIdleConnections closed the idle one")
}

// Many goroutines sharing a client do not open a connection per call: the
// pool keeps what they use.
func TestPoolHoldsUnderSharing(t *testing.T) {
	t.Parallel()
	url, conns := poolServer(t)
	c, err := client.New(client.WithBaseURL(url), client.WithToken(canary))
	require.NoError(t, err)
	const goroutines, calls = 16, 50
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				_, err := c.Do(context.Background(), http.MethodGet, "/ok", nil, nil, &struct{}{})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, conns.Load(), int32(2*goroutines), "%d calls", goroutines*calls)
}
