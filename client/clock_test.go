package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// skewedServer answers userinfo (or status, when not 200) with a Date
// header off by skew from the local clock.
func skewedServer(t *testing.T, skew time.Duration, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{"result":{"id":"usr_1","email":"a@b.c"}}`))
		} else {
			_, _ = w.Write([]byte(`{"error":{"detail":"no"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// within asserts that got is want, give or take the Date header's second
// and a slow machine.
func within(t *testing.T, want, got time.Time, msg string) {
	t.Helper()
	assert.WithinDuration(t, want, got, 3*time.Second, msg)
}

// Now is the local time until a successful answer came, then the
// server's time: 48 hours ahead or behind. An error page (a 404, a proxy's
// 407, a gateway's 502) may be another machine's, and moves nothing.
func TestNowFollowsTheServersDate(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{48 * time.Hour, -48 * time.Hour} {
		for _, status := range []int{http.StatusOK, http.StatusNotFound, http.StatusProxyAuthRequired, http.StatusBadGateway} {
			srv := skewedServer(t, skew, status)
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
			require.NoError(t, err)
			within(t, time.Now(), c.Now(), "no answer yet: the local time")
			_, _ = c.WhoAmI(context.Background())
			want := time.Now()
			if status == http.StatusOK {
				want = want.Add(skew)
			}
			within(t, want, c.Now(), fmt.Sprintf("after a %d", status))
			copied := c.WithAuth(auth.StaticSecret(credentials.Secret(canary2)))
			within(t, want, copied.Now(), "a copy made with WithAuth shares the measure")
		}
	}
}

// A server whose clock agrees with the local one leaves Now on the local
// time: the Date header's second is no skew.
func TestNowKeepsAnAgreeingClock(t *testing.T) {
	t.Parallel()
	srv := skewedServer(t, 0, http.StatusOK)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary))
	require.NoError(t, err)
	for range 5 {
		_, err := c.WhoAmI(context.Background())
		require.NoError(t, err)
		before := time.Now()
		now := c.Now()
		after := time.Now()
		assert.False(t, now.Before(before.Round(0)) || now.After(after.Round(0)), "the local time, not a second off")
	}
}

// A Retry-After given as a date is the server's: it counts from the
// answer's own Date, so a local clock 48 hours behind neither waits two
// days (over the cap: an error) nor retries at once.
func TestRetryAfterDateIsTheServers(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	skew := 48 * time.Hour
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		date := time.Now().Add(skew).UTC().Format(http.TimeFormat)
		w.Header().Set("Date", date)
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", date) // now, by the server's clock
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{"result":{"id":"usr_1"}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(2), calls.Load(), "retried after the wait the server meant")
}

// Now is safe while calls measure the clock.
func TestNowUnderConcurrency(t *testing.T) {
	t.Parallel()
	srv := skewedServer(t, time.Hour, http.StatusOK)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 20 {
				_, err := c.WhoAmI(context.Background())
				assert.NoError(t, err)
			}
		}()
		go func() {
			defer wg.Done()
			for range 200 {
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	within(t, time.Now().Add(time.Hour), c.Now(), "the server's time")
}

func BenchmarkNow(b *testing.B) {
	c, err := client.New(client.WithBaseURL(baseURL), client.WithToken(canary))
	require.NoError(b, err)
	b.ReportAllocs()
	for range b.N {
		_ = c.Now()
	}
}
