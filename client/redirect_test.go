package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
)

// A redirect that would turn a call into a GET (net/http follows a 301,
// 302 or 303 to a POST or DELETE that way) is refused: the GET's answer is
// not the call's. After a 303 the server may have acted, and the call is
// not repeated, even when the redirect points at a refused port.
func TestRedirectThatChangesTheMethodIsRefused(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	for _, tt := range []struct {
		method   string
		status   int
		location string
		acted    bool
	}{
		{http.MethodPost, http.StatusSeeOther, "/elsewhere", true},
		{http.MethodPost, http.StatusSeeOther, closed, true},
		{http.MethodPost, http.StatusFound, "/elsewhere", true},
		{http.MethodDelete, http.StatusFound, "/sso/login", true},
		{http.MethodDelete, http.StatusMovedPermanently, "/elsewhere", true},
	} {
		t.Run(fmt.Sprintf("%s %d to %s", tt.method, tt.status, tt.location), func(t *testing.T) {
			t.Parallel()
			var calls, gets atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					gets.Add(1)
					_, _ = w.Write([]byte(`{"result":{"server_session_id":"from-a-GET"}}`))
					return
				}
				calls.Add(1)
				http.Redirect(w, r, tt.location, tt.status)
			}))
			t.Cleanup(srv.Close)
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
			require.NoError(t, err)
			var out struct {
				S string `json:"server_session_id"`
			}
			_, err = c.Do(context.Background(), tt.method, "/api/v2/x", nil, map[string]string{"a": "b"}, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "refusing a redirect that turns a "+tt.method+" into a GET")
			assert.Empty(t, out.S, "nothing is read from the GET's answer")
			assert.Equal(t, int32(1), calls.Load(), "the call is sent once")
			assert.Zero(t, gets.Load(), "the redirect is not followed")
			assert.Equal(t, tt.acted, client.MayHaveActed(err))
		})
	}
}

// closedPort returns the URL of a port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + ln.Addr().String() + "/gone"
	require.NoError(t, ln.Close())
	return u
}

// A 429 or 503 asking for a wait over the cap ends the retries even when
// its body is cut: the call fails at once instead of sleeping out the
// wait.
func TestRetryAfterOverTheCapWithACutBody(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.Header().Set("Content-Length", "32")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":`)) // then the connection ends
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c.Do(ctx, http.MethodGet, "/api/v2/x", nil, nil, nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the call did not wait out the Retry-After")
	assert.Equal(t, int32(1), hits.Load(), "no retry after a wait over the cap")
}

// After a 401 and a fresh token, what the call shows holds neither token:
// the answer to the second attempt may echo the first.
func TestRefreshedCallScrubsBothTokens(t *testing.T) {
	t.Parallel()
	var attempt atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempt.Add(1) == 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":{"detail":"the earlier token %s was bad"}}`, canary)
	}))
	t.Cleanup(srv.Close)
	// A second token with no piece in common with the first.
	p := &fakeProvider{tokens: []string{canary, "aph0_unrelatedZYXWVUTSRQPONMLKJIHGFEDCBA9876"}, source: auth.SourceEnv}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithProvider(p), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Equal(t, int32(2), attempt.Load())
	assert.Contains(t, err.Error(), "the earlier token")
	assert.NotContains(t, err.Error(), canary)
	assert.NotContains(t, err.Error(), "CANARYtoken")
}

// A Response shows no request with the token, also among the redirects
// that led to its answer.
func TestResponseRedirectChainHasNoToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary))
	require.NoError(t, err)
	resp, err := c.Do(context.Background(), http.MethodGet, "/old", nil, nil, nil)
	require.NoError(t, err)
	hops := 0
	for req := resp.Request; req != nil; {
		assert.Empty(t, req.Header.Get("Authorization"), "request to %s", req.URL.Path)
		hops++
		if req.Response == nil {
			break
		}
		req = req.Response.Request
	}
	assert.Equal(t, 2, hops, "the answer's request and the redirected one")
}

// MayHaveActed over joined errors (a bulk call's failures) is true when
// any of them may have acted, in whatever order.
func TestMayHaveActedJoined(t *testing.T) {
	t.Parallel()
	refused, acted := callErrors(t)
	require.False(t, client.MayHaveActed(refused))
	require.True(t, client.MayHaveActed(acted))
	assert.True(t, client.MayHaveActed(errors.Join(refused, acted)))
	assert.True(t, client.MayHaveActed(errors.Join(acted, refused)))
	assert.True(t, client.MayHaveActed(fmt.Errorf("batch: %w", errors.Join(refused, fmt.Errorf("id: %w", acted)))))
	assert.False(t, client.MayHaveActed(errors.Join(refused, refused)))
	assert.False(t, client.MayHaveActed(errors.Join(refused, fmt.Errorf("%w: bad id", client.ErrInvalid))))
}

// callErrors returns an error of a call refused before it acted (a 404)
// and one of a call that may have acted (a 500).
func callErrors(t *testing.T) (refused, acted error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary),
		client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	_, refused = c.Do(context.Background(), http.MethodDelete, "/missing", nil, nil, nil)
	_, acted = c.Do(context.Background(), http.MethodDelete, "/broken", nil, nil, nil)
	require.Error(t, refused)
	require.Error(t, acted)
	return refused, acted
}

// A refused redirect whose URL echoes the token shows it nowhere: not in
// the text, nor in net/http's *url.Error under it.
func TestRefusedRedirectHidesAnEchoedToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo/"+canary, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), http.MethodPost, "/api/v2/x", nil, nil, nil)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "POST "+srv.URL+"/api/v2/x (the host given to the client): refusing a redirect"), err.Error())
	var ue *url.Error
	require.ErrorAs(t, err, &ue)
	assert.NotContains(t, ue.URL, canary)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), canary)
}
