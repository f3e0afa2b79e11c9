package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/callopt"
)

// One call's 429 with Retry-After holds back every call of the client,
// from whichever goroutine, until the wait is over.
func TestRetryAfterPacesEveryCall(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var throttledAt, otherAt time.Time
	first := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/a" && first:
			first = false
			throttledAt = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		case r.URL.Path == "/b":
			otherAt = time.Now()
		}
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary))
	require.NoError(t, err)

	var hooked atomic.Int32
	throttled := make(chan struct{})
	ctx := callopt.OnThrottle(context.Background(), func() {
		if hooked.Add(1) == 1 {
			close(throttled) // the client has seen the 429
		}
	})
	done := make(chan error)
	go func() {
		_, err := c.Do(ctx, http.MethodGet, "/a", nil, nil, &struct{}{})
		done <- err
	}()
	<-throttled
	_, err = c.Do(context.Background(), http.MethodGet, "/b", nil, nil, &struct{}{})
	require.NoError(t, err)
	require.NoError(t, <-done)
	mu.Lock()
	defer mu.Unlock()
	assert.GreaterOrEqual(t, otherAt.Sub(throttledAt), 900*time.Millisecond, "the other goroutine's call waited for the Retry-After")
	assert.Equal(t, int32(1), hooked.Load(), "OnThrottle ran once, for the 429")
}

// A call whose context ends while the client waits out a Retry-After
// sends nothing.
func TestRetryAfterWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), http.MethodGet, "/a", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrRateLimited)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, http.MethodPost, "/b", nil, nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, client.MayHaveActed(err), "held back: nothing was sent")
	assert.Equal(t, int32(1), hits.Load())
}
