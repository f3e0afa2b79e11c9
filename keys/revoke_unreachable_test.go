package keys_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
	"github.com/anyscale-go/anyscale/tests/rawserver"
)

// fastRetries: three attempts a call, milliseconds apart.
var fastRetries = client.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}

// notActed asserts that err says nothing was done: client.MayHaveActed is
// false.
func notActed(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	assert.False(t, client.MayHaveActed(err), msgAndArgs...)
}

// dropper accepts connections, reads each request, and closes the
// connection with no answer: every answer is lost. It counts the requests
// by method.
type dropper struct {
	url    string
	mu     sync.Mutex
	counts map[string]int
}

func newDropper(t *testing.T) *dropper {
	d := &dropper{counts: map[string]int{}}
	d.url = "http://" + rawserver.Start(t, func(conn net.Conn) {
		if req := rawserver.ReadRequest(conn); req != nil {
			d.mu.Lock()
			d.counts[req.Method]++
			d.mu.Unlock()
		}
	})
	return d
}

func (d *dropper) URL() string { return d.url }

func (d *dropper) count(method string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counts[method]
}

// refusedURL is a loopback address where nothing listens.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// countingTransport counts the requests it is given, by method.
type countingTransport struct {
	base   http.RoundTripper
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.counts[r.Method]++
	c.mu.Unlock()
	return c.base.RoundTrip(r)
}

func (c *countingTransport) count(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[method]
}

// A batch that never reached the server (refused, TLS refused) fails at
// once: its ids are in Failed, client.MayHaveActed false, and none is
// tried alone; the server said nothing through the batch's retries, so
// the batches still waiting are not sent.
func TestRevokeManyNeverReached(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	for name, url := range map[string]string{
		"refused":       refusedURL(t),
		"untrusted TLS": tlsSrv.URL,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone(), counts: map[string]int{}}
			t.Cleanup(func() { tr.base.(*http.Transport).CloseIdleConnections() })
			c, err := client.New(client.WithBaseURL(url), client.WithToken(apimock.Token), client.WithRetryPolicy(fastRetries),
				client.WithHTTPClient(&http.Client{Transport: tr}))
			require.NoError(t, err)
			given := ids(150)
			res, err := keys.New(c).RevokeMany(context.Background(), given, keys.RevokeOptions{Concurrency: 1})
			require.Error(t, err)
			accounted(t, given, res, err)
			require.Len(t, res.Failed, len(given))
			for _, id := range given[:client.MaxPageSize] {
				assert.False(t, client.MayHaveActed(res.Failed[id]), "%s: its batch never reached the server", id)
				assert.NotContains(t, res.Failed[id].Error(), "not sent", "it was sent, and refused")
			}
			assert.Zero(t, tr.count(http.MethodDelete), "no id is tried alone")
			assert.LessOrEqual(t, tr.count(http.MethodPost), fastRetries.MaxRetries+1, "one batch, its retries; the others not sent")
			assert.Contains(t, res.Failed[given[149]].Error(), "not sent")
			notActed(t, res.Failed[given[149]])
		})
	}
}

// Against a server that accepts every connection and drops it (each
// answer lost), the ids whose outcome is unknown go one at a time in
// parallel, and RevokeMany stops once one has had no answer through its
// retries: the rest are in Failed, not sent.
func TestRevokeManyDeadServerStops(t *testing.T) {
	t.Parallel()
	d := newDropper(t)
	c, err := client.New(client.WithBaseURL(d.URL()), client.WithToken(apimock.Token), client.WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	given := ids(1000)
	res, err := keys.New(c).RevokeMany(context.Background(), given)
	require.Error(t, err)
	accounted(t, given, res, err)
	require.Len(t, res.Failed, len(given))
	posts, deletes := d.count(http.MethodPost), d.count(http.MethodDelete)
	assert.LessOrEqual(t, posts, keys.DefaultConcurrency, "the batches still waiting once the server is found silent are not sent")
	assert.Positive(t, deletes, "the ids of a lost batch are tried alone")
	assert.LessOrEqual(t, deletes, keys.DefaultConcurrency*(fastRetries.MaxRetries+1), "no more than one retry budget of single revokes, in parallel")
	sent, unsent := 0, 0
	for _, id := range given {
		e := res.Failed[id]
		if strings.Contains(e.Error(), "not sent") {
			unsent++
			notActed(t, e, id)
			assert.Contains(t, e.Error(), "no answer through a whole retry budget")
			continue
		}
		sent++
		assert.True(t, client.MayHaveActed(e), "%s: its bulk request went out, and its answer was lost", id)
	}
	assert.Equal(t, posts*client.MaxPageSize, sent, "the ids of the batches sent")
	assert.Positive(t, unsent)
}

// The single revokes run in parallel under the bound RevokeMany was given.
func TestRevokeManyFallbackInParallel(t *testing.T) {
	t.Parallel()
	const bound = 4
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", 500, `{"error":{"detail":"boom"}}`)
	var inFlight, peak atomic.Int32
	full := make(chan struct{})
	var once sync.Once
	given := ids(20)
	for _, id := range given {
		m.OnFunc("DELETE", "/api/v2/users/api_keys/"+id, func(*http.Request) (int, string) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			if n == bound {
				once.Do(func() { close(full) })
			}
			select {
			case <-full:
			case <-time.After(10 * time.Second):
				t.Errorf("only %d single revokes in flight; want %d", inFlight.Load(), bound)
			}
			return 204, ``
		})
	}
	res, err := keys.New(m.Client).RevokeMany(context.Background(), given, keys.RevokeOptions{Concurrency: bound})
	require.NoError(t, err)
	assert.Equal(t, given, res.Revoked)
	assert.Equal(t, int32(bound), peak.Load(), "the single revokes share the bound, in parallel")
}

// With a context already done, nothing is sent, and every id says so.
func TestRevokeManyContextAlreadyDone(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	given := ids(120)
	res, err := keys.New(m.Client).Org().RevokeMany(ctx, given)
	require.ErrorIs(t, err, context.Canceled)
	accounted(t, given, res, err)
	require.Len(t, res.Failed, len(given))
	for _, id := range given {
		assert.ErrorIs(t, res.Failed[id], context.Canceled)
		assert.Contains(t, res.Failed[id].Error(), "not sent")
		notActed(t, res.Failed[id], id)
	}
	notActed(t, err)
	assert.Empty(t, m.Calls(), "nothing is sent")
}

// Cancelled mid-call, the batches not yet sent say so; the one that was
// out may have acted.
func TestRevokeManyCancelledMidCall(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	var batch atomic.Int32
	m.OnFunc("POST", "/api/v2/users/api_keys/revoke", func(r *http.Request) (int, string) {
		if batch.Add(1) == 2 {
			cancel()
			return 500, `{"error":{"detail":"cut short"}}` // its outcome is unknown
		}
		return revokeAllBut(t)(r)
	})
	given := ids(150)
	res, err := keys.New(m.Client).RevokeMany(ctx, given, keys.RevokeOptions{Concurrency: 1})
	require.ErrorIs(t, err, context.Canceled)
	accounted(t, given, res, err)
	assert.Equal(t, given[:50], res.Revoked)
	for _, id := range given[50:100] {
		assert.True(t, client.MayHaveActed(res.Failed[id]), "%s: its batch went out", id)
	}
	for _, id := range given[100:] {
		assert.Contains(t, res.Failed[id].Error(), "not sent")
		notActed(t, res.Failed[id], id)
	}
	assert.Equal(t, int32(2), batch.Load())
	for _, p := range m.Paths() {
		assert.NotContains(t, p, "DELETE", "nothing is tried alone once the caller gave up")
	}
}
