package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
)

func TestRetryRules(t *testing.T) {
	t.Parallel()
	netErr := errors.New("connection reset by peer")
	refused := fmt.Errorf("dial tcp 10.0.0.1:443: connect: %w", syscall.ECONNREFUSED)
	unknownHost := &net.DNSError{Err: "no such host", Name: "api.exmaple.com", IsNotFound: true}
	dnsDown := &net.DNSError{Err: "server misbehaving", Name: "api.example.com", IsTemporary: true}
	const all = 1 + 3 // first attempt plus fastRetry.MaxRetries
	tests := []struct {
		method     string
		status     int
		retryAfter string
		err        error
		wantCalls  int
		wantIs     error
	}{
		{method: "GET", status: 500, wantCalls: all, wantIs: client.ErrServer},
		{method: "GET", status: 502, wantCalls: all, wantIs: client.ErrServer},
		{method: "GET", status: 503, wantCalls: all, wantIs: client.ErrServer},
		{method: "GET", status: 504, wantCalls: all, wantIs: client.ErrServer},
		{method: "GET", status: 429, wantCalls: all, wantIs: client.ErrRateLimited},
		{method: "GET", status: 501, wantCalls: 1, wantIs: client.ErrServer},
		{method: "GET", status: 404, wantCalls: 1, wantIs: client.ErrNotFound},
		{method: "GET", status: 422, wantCalls: 1, wantIs: client.ErrInvalid},
		{method: "GET", status: 409, wantCalls: 1, wantIs: client.ErrConflict},
		{method: "GET", status: 403, wantCalls: 1, wantIs: client.ErrForbidden},
		{method: "GET", err: netErr, wantCalls: all},
		{method: "DELETE", status: 500, wantCalls: all, wantIs: client.ErrServer},
		{method: "DELETE", status: 503, wantCalls: all, wantIs: client.ErrServer},
		{method: "DELETE", err: netErr, wantCalls: all},
		{method: "POST", status: 500, wantCalls: 1, wantIs: client.ErrServer},
		{method: "POST", status: 502, wantCalls: 1, wantIs: client.ErrServer},
		{method: "POST", status: 504, wantCalls: 1, wantIs: client.ErrServer},
		{method: "POST", status: 503, wantCalls: 1, wantIs: client.ErrServer},
		{method: "POST", status: 503, retryAfter: "0", wantCalls: all, wantIs: client.ErrServer},
		{method: "POST", status: 429, wantCalls: all, wantIs: client.ErrRateLimited},
		{method: "POST", status: 429, retryAfter: "0", wantCalls: all, wantIs: client.ErrRateLimited},
		{method: "POST", err: netErr, wantCalls: 1},
		// Nothing at the host: one quick retry (a server restarting), no
		// more (a wrong host says so at once).
		{method: "POST", err: refused, wantCalls: 2},
		{method: "GET", err: refused, wantCalls: 2},
		{method: "GET", err: unknownHost, wantCalls: 2},
		{method: "POST", err: unknownHost, wantCalls: 2},
		{method: "GET", err: dnsDown, wantCalls: all},
		{method: "POST", err: dnsDown, wantCalls: 1},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %d %q %v", tt.method, tt.status, tt.retryAfter, tt.err)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var responder httpmock.Responder
			if tt.err != nil {
				responder = httpmock.NewErrorResponder(tt.err)
			} else {
				responder = jsonResponder(tt.status, `{"error":{"detail":"boom"}}`, "Retry-After", tt.retryAfter)
			}
			f.mt.RegisterResponder(tt.method, baseURL+"/api/v2/x", responder)
			_, err := f.c.Do(context.Background(), tt.method, "/api/v2/x", nil, nil, nil)
			require.Error(t, err)
			assert.Equal(t, tt.wantCalls, f.mt.GetTotalCallCount())
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.status, apiErr.StatusCode)
				assert.Equal(t, "boom", apiErr.Message)
			} else {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
}

func TestRetryRecovers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	calls := 0
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", func(r *http.Request) (*http.Response, error) {
		calls++
		if calls <= 2 {
			return jsonResponder(503, `{"error":{"detail":"busy"}}`)(r)
		}
		return jsonResponder(200, `{"result":{"id":"usr_1"}}`)(r)
	})
	me, err := f.c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "usr_1", me.ID)
	assert.Equal(t, 3, f.mt.GetTotalCallCount())
}

func TestRetryPostBodyIsResent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var bodies []string
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/x", func(r *http.Request) (*http.Response, error) {
		bodies = append(bodies, readBody(r))
		if len(bodies) == 1 {
			return jsonResponder(429, `{"error":{"detail":"slow down"}}`, "Retry-After", "0")(r)
		}
		return jsonResponder(200, `{"result":{}}`)(r)
	})
	_, err := f.c.Do(context.Background(), http.MethodPost, "/api/v2/x", nil, map[string]string{"k": "v"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{`{"k":"v"}`, `{"k":"v"}`}, bodies)
}

func TestRetryAfterCap(t *testing.T) {
	t.Parallel()
	for _, ra := range []string{"3600", time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)} {
		t.Run(ra, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Minute}))
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(429, `{"error":{"detail":"rate limited"}}`, "Retry-After", ra))
			_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
			require.ErrorIs(t, err, client.ErrRateLimited)
			assert.Equal(t, 1, f.mt.GetTotalCallCount(), "a Retry-After over the cap is not waited for")
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.GreaterOrEqual(t, apiErr.RetryAfter, time.Hour-time.Minute)
			assert.Contains(t, err.Error(), "MaxRetryAfter")
		})
	}
}

func TestRetryAfterWithinCapIsObeyed(t *testing.T) {
	t.Parallel()
	// MinWait and MaxWait are an hour: only an obeyed "Retry-After: 0"
	// lets this test finish.
	f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 1, MinWait: time.Hour, MaxWait: time.Hour}))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x",
		jsonResponder(429, `{}`, "Retry-After", "0").Times(1).Then(jsonResponder(200, `{"result":{}}`)))
	done := make(chan error, 1)
	go func() {
		_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
		assert.Equal(t, 2, f.mt.GetTotalCallCount())
	case <-time.After(30 * time.Second):
		t.Fatal("Retry-After: 0 was not obeyed: the client waited for its own backoff")
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 3, MinWait: time.Hour, MaxWait: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", func(r *http.Request) (*http.Response, error) {
		// The first answer is retryable; cancel while the client waits.
		time.AfterFunc(10*time.Millisecond, cancel)
		return jsonResponder(503, `{}`)(r)
	})
	done := make(chan error, 1)
	go func() {
		_, err := f.c.Do(ctx, http.MethodGet, "/api/v2/x", nil, nil, nil)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, f.mt.GetTotalCallCount())
	case <-time.After(30 * time.Second):
		t.Fatal("cancelling the context did not stop the backoff wait")
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(200, `{"result":{}}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.c.Do(ctx, http.MethodGet, "/api/v2/x", nil, nil, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, f.mt.GetTotalCallCount(), "a cancelled call sends nothing")
}

func TestRetriesOffWithNegativeMax(t *testing.T) {
	t.Parallel()
	f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(503, `{}`))
	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	assert.ErrorIs(t, err, client.ErrServer)
	assert.Equal(t, 1, f.mt.GetTotalCallCount())
}

func TestWithIdempotencyOverridesMethod(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/safe", jsonResponder(500, `{}`))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/unsafe", jsonResponder(500, `{}`))
	_, err := f.c.Do(client.WithIdempotency(context.Background(), true), http.MethodPost, "/api/v2/safe", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrServer)
	_, err = f.c.Do(client.WithIdempotency(context.Background(), false), http.MethodGet, "/api/v2/unsafe", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrServer)
	info := f.mt.GetCallCountInfo()
	assert.Equal(t, 4, info["POST "+baseURL+"/api/v2/safe"], "a POST marked idempotent is retried")
	assert.Equal(t, 1, info["GET "+baseURL+"/api/v2/unsafe"], "a GET marked non-idempotent is not")
}

func TestRetriedDeleteNotFoundSaysItMayBeGone(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodDelete, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			calls := 0
			f.mt.RegisterResponder(method, baseURL+"/api/v2/x", func(r *http.Request) (*http.Response, error) {
				calls++
				if calls == 1 { // the first attempt acted, but its answer was lost
					return jsonResponder(502, `{}`)(r)
				}
				return jsonResponder(404, `{"error":{"detail":"not found"}}`)(r)
			})
			_, err := f.c.Do(context.Background(), method, "/api/v2/x", nil, nil, nil)
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 2, apiErr.Attempts)
			if method == http.MethodDelete {
				assert.Contains(t, err.Error(), "may have removed it")
			} else {
				assert.NotContains(t, err.Error(), "removed", "only a DELETE can have removed what it looks for")
			}
		})
	}
}

func TestDefaultRetryAfterCapIsAMinute(t *testing.T) {
	t.Parallel()
	// Zero durations take the defaults: MaxRetryAfter is 60s.
	f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(429, `{}`, "Retry-After", "61"))
	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrRateLimited)
	assert.Equal(t, 1, f.mt.GetTotalCallCount())
	assert.Contains(t, err.Error(), "MaxRetryAfter (1m0s)")
	assert.Equal(t, time.Minute, client.DefaultRetryPolicy().MaxRetryAfter)
}
