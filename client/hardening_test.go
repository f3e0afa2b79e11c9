package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/tests/rawserver"
)

// A call that must not be repeated (a rotation: a GET marked not
// idempotent) whose answer is lost on a reused keep-alive connection is
// sent once: net/http does not replay it, and the error says the server
// may have acted.
func TestNotIdempotentGetIsNeverReplayed(t *testing.T) {
	t.Parallel()
	var rotations atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/warm" {
			_, _ = w.Write([]byte(`{"result":{}}`))
			return
		}
		rotations.Add(1)
		assert.Empty(t, r.TransferEncoding, "a GET goes out without a body")
		assert.Zero(t, r.ContentLength)
		// Acted; now the connection dies before the answer.
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Do(ctx, http.MethodGet, "/warm", nil, nil, &struct{}{}) // a keep-alive connection to reuse
	require.NoError(t, err)

	_, err = c.Do(client.WithIdempotency(ctx, false), http.MethodGet, "/rotate", nil, nil, &struct{}{})
	require.Error(t, err)
	assert.Equal(t, int32(1), rotations.Load(), "sent once: neither net/http nor the retry policy repeats it")
	assert.True(t, client.MayHaveActed(err))
	assert.Contains(t, err.Error(), "the server may have acted on the request, so it was not repeated")

	rotations.Store(0)
	_, err = c.Do(ctx, http.MethodGet, "/idempotent", nil, nil, &struct{}{})
	require.Error(t, err)
	assert.Greater(t, rotations.Load(), int32(1), "an idempotent GET is retried")
}

// A 2xx answer without the envelope the call expects is an error, never an
// empty result or an empty list.
func TestMalformedAnswersAreErrors(t *testing.T) {
	t.Parallel()
	type item struct {
		ID string `json:"id"`
	}
	for _, tc := range []struct {
		name, body string
		list       bool
	}{
		{"empty body, result", ``, false},
		{"empty object, result", `{}`, false},
		{"null result", `{"result":null}`, false},
		{"not JSON, result", `<html>gateway</html>`, false},
		{"array, result", `[]`, false},
		{"wrong type inside", `{"result":{"id":7}}`, false},
		{"empty body, list", ``, true},
		{"empty object, list", `{}`, true},
		{"result envelope, list", `{"result":{"results":[]}}`, true},
		{"null results", `{"results":null,"metadata":{}}`, true},
		{"no metadata", `{"results":[]}`, true},
		{"truncated JSON, list", `{"results":[{"id":"a"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(200, tc.body))
			var err error
			if tc.list {
				_, err = client.ListPage[item](context.Background(), f.c, "/api/v2/x", nil)
			} else {
				var out item
				_, err = f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, &out)
			}
			require.ErrorIs(t, err, client.ErrMalformedResponse)
			assert.True(t, client.MayHaveActed(err), "the server answered 2xx: it may have acted")
			assert.Contains(t, err.Error(), "trace id trace-123")
			assert.Equal(t, 1, f.mt.GetTotalCallCount(), "a malformed answer is not retried")
		})
	}
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(200, `{"results":[],"metadata":{"next_paging_token":null}}`))
	page, err := client.ListPage[item](context.Background(), f.c, "/api/v2/x", nil)
	require.NoError(t, err, "a real empty list is fine")
	assert.Empty(t, page.Items)
}

// An id that is a dot segment, or holds a slash, never goes on the wire,
// whichever service builds the path.
func TestDotSegmentsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, path := range []string{"/api/v2/users/api_keys/..", "/api/v2/users/api_keys/.", "/api/v2/users/api_keys/%2e%2e",
		"/api/v2/users/api_keys/a%2F..%2Fb", "/api/v2/users/api_keys/a%5Cb", "/api/v2/../x"} {
		_, err := f.c.Do(context.Background(), http.MethodDelete, path, nil, nil, nil)
		require.ErrorIs(t, err, client.ErrInvalid, path)
		assert.False(t, client.MayHaveActed(err))
	}
	assert.Zero(t, f.mt.GetTotalCallCount(), "nothing is sent")
}

// rawServer answers every connection with the raw HTTP response given.
func rawServer(t *testing.T, response string) string {
	t.Helper()
	return "http://" + rawserver.Start(t, func(conn net.Conn) {
		rawserver.ReadRequest(conn)
		_, _ = io.WriteString(conn, response)
	})
}

// A hostile server or proxy that echoes the token back, in any form, does
// not get it into an error or a log line.
func TestEchoedTokenIsScrubbed(t *testing.T) {
	t.Parallel()
	escaped := strings.NewReplacer("a", `\u0061`, "_", `\u005f`).Replace(canary)
	percent := strings.ReplaceAll(canary, "_", "%5F")
	for name, response := range map[string]string{
		"malformed header line": "HTTP/1.1 200 OK\r\nX-Echo " + canary + "\r\nContent-Length: 2\r\n\r\n{}",
		"json-escaped in error body": "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
			fmt.Sprint(len(`{"error":{"detail":"bad token `+escaped+`"}}`)) + "\r\n\r\n" + `{"error":{"detail":"bad token ` + escaped + `"}}`,
		"escaped in a raw body": "HTTP/1.1 400 Bad Request\r\nContent-Length: " + fmt.Sprint(len("bad "+escaped)) + "\r\n\r\nbad " + escaped,
		"percent-encoded":       "HTTP/1.1 400 Bad Request\r\nContent-Length: " + fmt.Sprint(len("bad "+percent)) + "\r\n\r\nbad " + percent,
		"in the trace id":       "HTTP/1.1 500 Internal Server Error\r\nX-Trace-Id: " + canary + "\r\nContent-Length: 2\r\n\r\n{}",
		"in a validation loc": "HTTP/1.1 422 Unprocessable Entity\r\nContent-Length: " +
			fmt.Sprint(len(`{"detail":[{"loc":["header","`+escaped+`"],"msg":"m","type":"t"}]}`)) + "\r\n\r\n" + `{"detail":[{"loc":["header","` + escaped + `"],"msg":"m","type":"t"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &log}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := client.New(client.WithBaseURL(rawServer(t, response)), client.WithToken(canary),
				client.WithLogger(logger), client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
			require.NoError(t, err)
			resp, err := c.Do(context.Background(), http.MethodGet, "/api/v2/userinfo/", nil, nil, &struct{}{})
			require.Error(t, err)
			shown := fmt.Sprintf("%v|%+v|%#v|%s", err, err, err, log.String())
			if resp != nil {
				shown += resp.TraceID
			}
			for _, form := range []string{canary, canary[5:25], escaped, percent} {
				assert.NotContains(t, shown, form)
			}
		})
	}
}

// A Retry-After too large for int64 is over any cap: the retries stop.
func TestHugeRetryAfterStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(503, `{}`, "Retry-After", "99999999999999999999999999"))
	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 1, f.mt.GetTotalCallCount(), "not retried")
	assert.Equal(t, 24*time.Hour, apiErr.RetryAfter)
	assert.Contains(t, err.Error(), "MaxRetryAfter")
	assert.Equal(t, []client.Advice{{Action: client.ActionWait}}, client.AdviceOf(err))
}

// cutServer answers the first n requests with a body cut mid-way, then
// whole ones.
func cutServer(t *testing.T, n int32) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `{"result":{"id":"usr_1","email":"a@b.c"}}`
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if hits.Add(1) <= n {
			_, _ = io.WriteString(w, body[:10])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &hits
}

func TestCutBodyIsRetriedOnlyWhenIdempotent(t *testing.T) {
	t.Parallel()
	url, hits := cutServer(t, 1)
	c, err := client.New(client.WithBaseURL(url), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	me, err := c.WhoAmI(context.Background())
	require.NoError(t, err, "a GET whose body was cut is retried, as network errors are")
	assert.Equal(t, "a@b.c", me.Email)
	assert.Equal(t, int32(2), hits.Load())

	url, hits = cutServer(t, 1)
	c, err = client.New(client.WithBaseURL(url), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]int{"duration": 60}, &struct{}{})
	require.Error(t, err)
	assert.Equal(t, int32(1), hits.Load(), "a POST whose answer was cut is not repeated")
	assert.True(t, client.MayHaveActed(err))
	assert.Contains(t, err.Error(), "cut after 10 of")
}

// An answer over the bound is refused with an error that says so; it is
// not cut and misread, nor retried.
func TestAnswerOverTheBound(t *testing.T) {
	t.Parallel()
	for name, chunked := range map[string]bool{"with Content-Length": false, "chunked": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				size := client.MaxResponseBytes + 100
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(size))
				}
				_, _ = io.WriteString(w, `{"result":"`+strings.Repeat("x", size-13)+`"}`)
			}))
			t.Cleanup(srv.Close)
			c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
			require.NoError(t, err)
			var out string
			_, err = c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "larger than the 8 MiB the client reads")
			assert.Contains(t, err.Error(), "8 MiB")
			assert.NotContains(t, err.Error(), "unexpected end of JSON")
			assert.Equal(t, int32(1), hits.Load(), "not retried")
		})
	}
}

func TestMayHaveActedByAttempt(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + ln.Addr().String()
	ln.Close() // nothing listens: every connection is refused

	c, err := client.New(client.WithBaseURL(refused), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		_, err = c.Do(context.Background(), method, "/api/v2/x", nil, nil, nil)
		require.Error(t, err)
		assert.False(t, client.MayHaveActed(err), "%s: a refused connection sent nothing", method)
	}

	// A DELETE whose first answer was lost to a 502, then 404: the first
	// attempt may have acted.
	f := newFixture(t)
	n := 0
	f.mt.RegisterResponder(http.MethodDelete, baseURL+"/api/v2/k/1", func(*http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			return httpmock.NewStringResponse(502, `{}`), nil
		}
		return httpmock.NewStringResponse(404, `{"error":{"detail":"no such key"}}`), nil
	})
	_, err = f.c.Do(context.Background(), http.MethodDelete, "/api/v2/k/1", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.True(t, client.MayHaveActed(err), "the first attempt may have removed it")

	// Every answer refused the call: nothing was done.
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/p", func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(503, `{}`)
		resp.Header.Set("Retry-After", "0")
		return resp, nil
	})
	_, err = f.c.Do(context.Background(), http.MethodPost, "/api/v2/p", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrServer)
	assert.False(t, client.MayHaveActed(err), "a 503 with Retry-After says the server did not act")
}

// A token that can never be sent (a custom provider's, with a line break)
// fails at once: no attempt, no retry, not "may have acted".
func TestEveryTokenIsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, bad := range []string{canary + "\n", "Bearer " + canary, "", canary + "\x00"} {
		p := auth.ProviderFunc(func(context.Context) (auth.Token, error) {
			return auth.Token{Value: credentials.Secret(bad), Source: "custom"}, nil
		})
		_, err := f.c.WithAuth(p).WhoAmI(context.Background())
		require.ErrorIs(t, err, client.ErrInvalid)
		assert.ErrorIs(t, err, credentials.ErrInvalidToken)
		assert.False(t, client.MayHaveActed(err))
		assert.NotContains(t, err.Error(), canary)
	}
	assert.Zero(t, f.mt.GetTotalCallCount(), "no attempt, so no retry")
}

func TestBaseURLErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"https://user:hunter2@api.example.com", "https://user:hunter2@api example.com", "https://user:hunter2@[::1", "http://user:hunter2@api.example.com:x/"} {
		_, err := client.New(client.WithBaseURL(u))
		require.ErrorIs(t, err, client.ErrInvalid, u)
		assert.NotContains(t, err.Error(), "hunter2", u)
	}
}

// A call that must not be repeated still follows a 307 or 308 redirect:
// it is kept from net/http's replay by a connection of its own, not by a
// body that cannot be rewound.
func TestNotIdempotentGetFollowsRedirects(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/old" {
				http.Redirect(w, r, "/new", status)
				return
			}
			hits.Add(1)
			_, _ = w.Write([]byte(`{"result":{"server_session_id":"x"}}`))
		}))
		c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
		require.NoError(t, err)
		_, err = c.Do(client.WithIdempotency(context.Background(), false), http.MethodGet, "/old", nil, nil, &struct{}{})
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, int32(1), hits.Load())
		srv.Close()
	}
}
