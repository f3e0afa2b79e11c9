package parallel

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/callopt"
)

// A throttled call halves the bound, down to one, and never below.
func TestLimiterHalvesOnThrottle(t *testing.T) {
	l := newLimiter(8)
	for range 8 {
		l.acquire()
	}
	l.throttled()
	assert.Equal(t, 4, l.limit)
	for range 5 {
		l.release()
	}
	l.acquire() // 4 of 4
	started := make(chan struct{})
	go func() {
		l.acquire() // waits for a release
		close(started)
	}()
	assert.Never(t, func() bool {
		select {
		case <-started:
			return true
		default:
			return false
		}
	}, 100*time.Millisecond, 5*time.Millisecond, "a fifth call started under a bound of four")
	l.release()
	<-started
	for range 5 {
		l.throttled()
	}
	assert.Equal(t, 1, l.limit, "never below one")
}

// Run's calls carry the hook: a 429 from the server lowers the bound.
func TestRunLowersTheBoundOn429(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken("aph0_0123456789abcdefghijklmnop"),
		client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 2, MinWait: 1, MaxWait: 1}))
	require.NoError(t, err)
	l := newLimiter(8)
	runWith(context.Background(), l, 3, callopt.OnThrottle, func(ctx context.Context, i int) {
		_, err := c.Do(ctx, http.MethodGet, "/x", nil, nil, &struct{}{})
		assert.NoError(t, err)
	})
	assert.Equal(t, 4, l.limit, "one 429, one halving")
}
