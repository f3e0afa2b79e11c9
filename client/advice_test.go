package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
)

// goIdentifier matches what facts never hold: the SDK's one pattern of Go
// words (and the other CLI's command).
var goIdentifier = advicetest.GoWord

// checkFacts checks that err's facts name no Go identifier and are not
// empty, and returns them.
func checkFacts(t *testing.T, err error) string {
	t.Helper()
	facts := client.Facts(err)
	assert.NotRegexp(t, goIdentifier, facts)
	assert.NotEmpty(t, facts)
	return facts
}

// An APIError carries its advice as data: AdviceOf finds it through
// fmt.Errorf's wrapping, Facts leaves its sentence (the Hint) out, and the
// text still ends with it.
func TestAPIErrorAdvice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		method    string
		opts      []client.Option
		responder func(calls int) (int, string, []string)
		want      []client.Advice
		factsHave string
	}{
		{
			name:   "401 renews the token, naming where it came from",
			method: http.MethodGet,
			opts:   []client.Option{client.WithProvider(&fakeProvider{tokens: []string{canary}, source: auth.SourceFile})},
			responder: func(int) (int, string, []string) {
				return 401, `{"error":{"detail":"token expired"}}`, nil
			},
			want:      []client.Advice{{Action: client.ActionRenewToken, Source: "file", Origin: "origin-of-file"}},
			factsHave: "GET /api/v2/x: 401 Unauthorized: token expired (trace id trace-123)",
		},
		{
			name:   "a Retry-After over the cap asks to wait",
			method: http.MethodGet,
			responder: func(int) (int, string, []string) {
				return 429, `{}`, []string{"Retry-After", "3600"}
			},
			want:      []client.Advice{{Action: client.ActionWait}},
			factsHave: "GET /api/v2/x: 429 Too Many Requests: {} (trace id trace-123) (retry after 1h0m0s)",
		},
		{
			name:   "a server error on a call that may have acted: check first",
			method: http.MethodPost,
			responder: func(int) (int, string, []string) {
				return 500, `{"error":{"detail":"boom"}}`, nil
			},
			want:      []client.Advice{{Action: client.ActionCheckFirst}},
			factsHave: "POST /api/v2/x: 500 Internal Server Error: boom (trace id trace-123); the server may have acted on the request, so it was not repeated",
		},
		{
			name:   "a retried DELETE that finds nothing: a fact, no advice",
			method: http.MethodDelete,
			responder: func(calls int) (int, string, []string) {
				if calls == 1 {
					return 502, `{}`, nil
				}
				return 404, `{"error":{"detail":"not found"}}`, nil
			},
			factsHave: "DELETE /api/v2/x: 404 Not Found: not found (trace id trace-123); it is gone; an earlier attempt whose answer was lost may have removed it",
		},
		{
			name:   "a plain 404: no advice",
			method: http.MethodGet,
			responder: func(int) (int, string, []string) {
				return 404, `{"error":{"detail":"not found"}}`, nil
			},
			factsHave: "GET /api/v2/x: 404 Not Found: not found (trace id trace-123)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts...)
			calls := 0
			f.mt.RegisterResponder(tt.method, baseURL+"/api/v2/x", func(r *http.Request) (*http.Response, error) {
				calls++
				status, body, header := tt.responder(calls)
				return jsonResponder(status, body, header...)(r)
			})
			_, err := f.c.Do(context.Background(), tt.method, "/api/v2/x", nil, nil, nil)
			require.Error(t, err)
			wrapped := fmt.Errorf("keys: revoking k1: %w", err)

			var apiErr *client.APIError
			require.ErrorAs(t, wrapped, &apiErr)
			assert.Equal(t, tt.want, client.AdviceOf(wrapped))
			own, ok := apiErr.AdviceOf()
			assert.Equal(t, len(tt.want) > 0, ok)
			if ok {
				assert.Equal(t, tt.want[0], own)
				assert.Equal(t, tt.want[0], apiErr.Advice)
				hint := apiErr.Hint
				require.NotEmpty(t, hint, "the advice has its sentence")
				assert.Equal(t, hint, apiErr.AdviceText())
				assert.Equal(t, "; "+hint, wrapped.Error()[len(wrapped.Error())-len(hint)-2:], "the sentence ends the text")
			}
			facts := checkFacts(t, wrapped)
			assert.Equal(t, "keys: revoking k1: "+tt.factsHave, facts)
			assert.NotContains(t, wrapped.Error(), "anyscale: ", "no package prefix under the caller's")
		})
	}
}

// The renew-token advice's sentence may name the other CLI; its facts
// never do, whatever the token's source.
func TestRenewTokenFactsNameNoCommand(t *testing.T) {
	t.Parallel()
	for _, source := range []auth.Source{auth.SourceEnv, auth.SourceFile, auth.SourceWorkspace, auth.SourceStatic, "custom"} {
		t.Run(string(source), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, client.WithProvider(&fakeProvider{tokens: []string{canary}, source: source}))
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", jsonResponder(401, `{"error":{"detail":"revoked"}}`))
			_, err := f.c.WhoAmI(context.Background())
			require.ErrorIs(t, err, client.ErrUnauthorized)
			assert.Equal(t, []client.Advice{{Action: client.ActionRenewToken, Source: string(source), Origin: "origin-of-" + string(source)}},
				client.AdviceOf(err))
			assert.Equal(t, "GET /api/v2/userinfo/: 401 Unauthorized: revoked (trace id trace-123)", checkFacts(t, err))
			assert.NotContains(t, client.Facts(err), canary)
		})
	}
}

// A call that lost its answer and may have acted advises checking first;
// a timed-out attempt names the option that sets the bound in its advice
// sentence only, not in its facts, and advises checking the host and
// where it came from, as every other failure to reach it does.
func TestTransportErrorAdvice(t *testing.T) {
	t.Parallel()
	t.Run("lost answer", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/x", func(*http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("connection reset by peer")
		})
		_, err := f.c.Do(context.Background(), http.MethodPost, "/api/v2/x", nil, nil, nil)
		require.Error(t, err)
		require.True(t, client.MayHaveActed(err))
		err = fmt.Errorf("serviceaccounts: creating ci: %w", err)
		assert.Equal(t, []client.Advice{{Action: client.ActionCheckFirst}}, client.AdviceOf(err))
		facts := checkFacts(t, err)
		assert.True(t, strings.HasPrefix(facts, "serviceaccounts: creating ci: POST https://api.test/api/v2/x (the host given to the client): connection reset by peer; "), facts)
		assert.NotContains(t, facts, `Post "`, "one clause names the call")
		var ue *url.Error
		assert.ErrorAs(t, err, &ue, "net/http's error is still there")
		assert.Contains(t, facts, "the answer was lost and the server may have acted on the request, so it was not repeated")
		assert.Equal(t, facts+"; check before repeating it", err.Error())
	})
	t.Run("attempt timeout", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, client.WithAttemptTimeout(time.Millisecond), client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
		f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})
		_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
		require.Error(t, err)
		assert.Equal(t, []client.Advice{{Action: client.ActionExplainChain, Subject: baseURL, Origin: client.HostFromOption}}, client.AdviceOf(err))
		assert.Contains(t, err.Error(), "client.WithAttemptTimeout")
		facts := checkFacts(t, err)
		assert.Contains(t, facts, "each attempt may take at most 1ms")
	})
}

// An option given a bad value says what is wrong in plain words; the
// option's name is the advice, for the Go program that passed it.
func TestOptionErrorsNameNoOption(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]client.Option{
		"WithBaseURL":        client.WithBaseURL(""),
		"WithToken":          client.WithToken("sk-live-123"),
		"WithProvider":       client.WithProvider(nil),
		"WithHTTPClient":     client.WithHTTPClient(nil),
		"WithAttemptTimeout": client.WithAttemptTimeout(-time.Second),
		"WithLogger":         client.WithLogger(nil),
		"WithUserAgent":      client.WithUserAgent("a\nb"),
	} {
		_, err := client.New(opt)
		require.ErrorIs(t, err, client.ErrInvalid, name)
		assert.False(t, client.MayHaveActed(err), name)
		assert.Contains(t, err.Error(), "client."+name, "a Go program learns which option")
		assert.NotRegexp(t, goIdentifier, client.Facts(err), name)
		assert.Empty(t, client.AdviceOf(err), "no action: the program must change its arguments")
	}
}
