package client_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/callopt"
)

func TestAPIErrorShapes(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name        string
		status      int
		body        string
		wantMessage string
		wantDetails []client.FieldError
		wantIs      error
	}{
		{name: "anyscale envelope", status: 409, body: `{"error":{"detail":"name already used"}}`, wantMessage: "name already used", wantIs: client.ErrConflict},
		{name: "fastapi list", status: 422, body: `{"detail":[{"loc":["body","duration"],"msg":"field required","type":"value_error.missing"},{"loc":["query","count",0],"msg":"too big","type":"value_error"}]}`,
			wantMessage: "request validation failed",
			wantDetails: []client.FieldError{{Loc: []string{"body", "duration"}, Msg: "field required", Type: "value_error.missing"}, {Loc: []string{"query", "count", "0"}, Msg: "too big", Type: "value_error"}},
			wantIs:      client.ErrInvalid},
		{name: "fastapi string", status: 400, body: `{"detail":"bad thing"}`, wantMessage: "bad thing", wantIs: client.ErrInvalid},
		{name: "raw text", status: 502, body: "<html>bad gateway</html>\n", wantMessage: "<html>bad gateway</html>", wantIs: client.ErrServer},
		{name: "raw bounded", status: 500, body: long, wantMessage: strings.Repeat("x", 512) + "…", wantIs: client.ErrServer},
		{name: "empty body", status: 404, body: "", wantMessage: "", wantIs: client.ErrNotFound},
		{name: "forbidden", status: 403, body: `{"error":{"detail":"owners only"}}`, wantMessage: "owners only", wantIs: client.ErrForbidden},
		{name: "unauthorized", status: 401, body: `{"error":{"detail":"expired"}}`, wantMessage: "expired", wantIs: client.ErrUnauthorized},
		{name: "rate limited", status: 429, body: `{"error":{"detail":"slow"}}`, wantMessage: "slow", wantIs: client.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(tt.status, tt.body))
			_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.Equal(t, tt.wantDetails, apiErr.Details)
			assert.Equal(t, "trace-123", apiErr.TraceID)
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, "/api/v2/x", apiErr.Path)
			assert.ErrorIs(t, err, tt.wantIs)
			for _, other := range []error{client.ErrUnauthorized, client.ErrForbidden, client.ErrNotFound, client.ErrConflict, client.ErrInvalid, client.ErrRateLimited, client.ErrServer} {
				if other != tt.wantIs {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.Contains(t, err.Error(), "trace id trace-123")
			assert.Less(t, len(err.Error()), 1500, "error text is bounded")
		})
	}
}

func TestAPIErrorNeverEchoesToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(400, `{"error":{"detail":"bad token `+canary+`"}}`))
	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), canary)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), canary)
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	t.Parallel()
	p := &fakeProvider{tokens: []string{canary, canary2}, source: auth.SourceFile}
	f := newFixture(t, client.WithProvider(p))
	var seen []string
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") == "Bearer "+canary2 {
			return jsonResponder(200, `{"result":{"id":"usr_1"}}`)(r)
		}
		return jsonResponder(401, `{"error":{"detail":"token expired"}}`)(r)
	})
	me, err := f.c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "usr_1", me.ID)
	assert.Equal(t, []string{"Bearer " + canary, "Bearer " + canary2}, seen)
	assert.Equal(t, 1, p.invalidated)
	assert.Equal(t, 2, p.calls)
}

func TestUnauthorizedTwiceNamesSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source auth.Source
		want   string
	}{
		{auth.SourceFile, "anyscale login"},
		{auth.SourceEnv, "ANYSCALE_CLI_TOKEN"},
		{auth.SourceWorkspace, "workspace"},
	}
	for _, tt := range tests {
		t.Run(string(tt.source), func(t *testing.T) {
			t.Parallel()
			p := &fakeProvider{tokens: []string{canary}, source: tt.source}
			f := newFixture(t, client.WithProvider(p))
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", jsonResponder(401, `{"error":{"detail":"token expired"}}`))
			_, err := f.c.WhoAmI(context.Background())
			require.ErrorIs(t, err, client.ErrUnauthorized)
			assert.Equal(t, 2, f.mt.GetTotalCallCount(), "one retry after the 401, no more")
			assert.Equal(t, 1, p.invalidated)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "origin-of-"+string(tt.source))
			assert.NotContains(t, err.Error(), canary)
		})
	}
}

func TestUnauthorizedWithStaticTokenIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // WithToken: a provider without Invalidate
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", jsonResponder(401, `{"error":{"detail":"revoked"}}`))
	_, err := f.c.WhoAmI(context.Background())
	require.ErrorIs(t, err, client.ErrUnauthorized)
	assert.Equal(t, 1, f.mt.GetTotalCallCount())
	assert.Contains(t, err.Error(), "given to the client")
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var otherAuth, sameAuth []string
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/away", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusFound, "")
		resp.Header.Set("Location", "https://other.test/steal")
		return resp, nil
	})
	f.mt.RegisterResponder(http.MethodGet, "https://other.test/steal", func(r *http.Request) (*http.Response, error) {
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
		return jsonResponder(200, `{"result":{}}`)(r)
	})
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/moved", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusMovedPermanently, "")
		resp.Header.Set("Location", "/api/v2/here")
		return resp, nil
	})
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/here", func(r *http.Request) (*http.Response, error) {
		sameAuth = append(sameAuth, r.Header.Get("Authorization"))
		return jsonResponder(200, `{"result":{}}`)(r)
	})
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/downgrade", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(http.StatusFound, "")
		resp.Header.Set("Location", "http://api.test/api/v2/here")
		return resp, nil
	})

	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/away", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{""}, otherAuth, "a cross-host redirect must not carry the token")

	_, err = f.c.Do(context.Background(), http.MethodGet, "/api/v2/moved", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer " + canary}, sameAuth, "a same-host redirect keeps the token")

	_, err = f.c.Do(context.Background(), http.MethodGet, "/api/v2/downgrade", nil, nil, nil)
	require.Error(t, err, "an https to http redirect is refused")
	assert.Len(t, sameAuth, 1)
	assert.NotContains(t, f.log.String(), canary)
}

func TestCanaryNeverLogged(t *testing.T) {
	t.Parallel()
	p := &fakeProvider{tokens: []string{canary, canary2}, source: auth.SourceEnv}
	f := newFixture(t, client.WithProvider(p))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", jsonResponder(401, `{"error":{"detail":"no"}}`))
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/flaky", jsonResponder(503, `{"error":{"detail":"busy"}}`).Times(1).Then(jsonResponder(200, `{"result":{}}`)))
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/fail", jsonResponder(500, `{"error":{"detail":"oops"}}`))

	var errs []error
	_, err := f.c.WhoAmI(context.Background())
	errs = append(errs, err)
	_, err = f.c.Do(context.Background(), http.MethodGet, "/api/v2/flaky", nil, nil, nil)
	require.NoError(t, err)
	_, err = f.c.Do(context.Background(), http.MethodPost, "/api/v2/fail", nil, map[string]string{"a": "b"}, nil)
	errs = append(errs, err)

	logs := f.log.String()
	require.Contains(t, logs, `"path":"/api/v2/flaky"`, "requests are logged at debug level")
	require.Contains(t, logs, `"attempt":2`)
	require.Contains(t, logs, `"trace_id":"trace-123"`)
	for _, tok := range []string{canary, canary2} {
		assert.NotContains(t, logs, tok)
		for _, e := range errs {
			require.Error(t, e)
			assert.NotContains(t, e.Error(), tok)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", e, e, e), tok)
		}
	}
	assert.NotContains(t, strings.ToLower(logs), "bearer")
}

func TestResponseDoesNotExposeToken(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(200, `{"result":{}}`))
	// As net/http's transport does, point the response at the request sent.
	setRequest := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := mt.RoundTrip(r)
		if resp != nil {
			resp.Request = r
		}
		return resp, err
	})
	f := newFixture(t, client.WithHTTPClient(&http.Client{Transport: setRequest}))
	resp, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	require.NoError(t, err)
	require.NotNil(t, resp.Request)
	assert.Empty(t, resp.Request.Header.Get("Authorization"))
	assert.NotContains(t, fmt.Sprintf("%v", resp.Request.Header), canary, "no header of the request shown holds the token")
}

func TestErrorBodyScrubbedBeforeDecoding(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"cut across the limit": `{"error":{"detail":"` + strings.Repeat("x", 490) + `Bearer ` + canary + `"}}`,
		"in fastapi details":   `{"detail":[{"loc":["header","` + canary + `"],"msg":"bad token ` + canary + `","type":"t"}]}`,
		"raw body":             "token " + canary + " rejected",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(400, body))
			_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
			require.Error(t, err)
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			assert.NotContains(t, text, canary)
			assert.NotContains(t, text, canary[:20], "not even a cut piece of the token")
		})
	}
}

func TestPathLabelHidesSecretPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/users/request_otp_token/SECRETOTP", jsonResponder(404, `{"error":{"detail":"gone"}}`))
	ctx := callopt.WithPathLabel(context.Background(), "/api/v2/users/request_otp_token/{otp}")
	_, err := f.c.Do(ctx, http.MethodGet, "/api/v2/users/request_otp_token/SECRETOTP", nil, nil, nil)
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.NotContains(t, err.Error(), "SECRETOTP")
	assert.Contains(t, err.Error(), "{otp}")
	assert.NotContains(t, f.log.String(), "SECRETOTP")
	assert.Contains(t, f.log.String(), "{otp}")
}

func TestAPIErrorCountsAttempts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/x", jsonResponder(503, `{}`))
	_, err := f.c.Do(context.Background(), http.MethodGet, "/api/v2/x", nil, nil, nil)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 4, apiErr.Attempts)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMayHaveActed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/500", jsonResponder(500, `{}`))
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/409", jsonResponder(409, `{}`))
	f.mt.RegisterResponder(http.MethodPost, baseURL+"/api/v2/drop", httpmock.NewErrorResponder(fmt.Errorf("connection reset")))
	do := func(path string) error {
		_, err := f.c.Do(context.Background(), http.MethodPost, path, nil, nil, nil)
		require.Error(t, err)
		return err
	}
	assert.True(t, client.MayHaveActed(do("/api/v2/500")))
	assert.True(t, client.MayHaveActed(do("/api/v2/drop")))
	assert.False(t, client.MayHaveActed(do("/api/v2/409")))
	assert.False(t, client.MayHaveActed(do("relative")), "a bad argument is caught before sending")

	noToken, err := client.New(client.WithBaseURL(baseURL), client.WithProvider(auth.NewChain()), client.WithHTTPClient(&http.Client{Transport: f.mt}))
	require.NoError(t, err)
	_, err = noToken.Do(context.Background(), http.MethodPost, "/api/v2/500", nil, nil, nil)
	require.Error(t, err)
	assert.False(t, client.MayHaveActed(err), "no token, nothing sent")
	assert.False(t, client.MayHaveActed(nil))
}

// TestUnauthorizedRefreshesARealChain: the client's 401 refresh reaches
// *auth.Chain's Invalidate, so a token renewed on disk (by `anyscale
// login` in another terminal) is picked up.
func TestUnauthorizedRefreshesARealChain(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json")
	require.NoError(t, credentials.Save(path, canary))
	chain := auth.NewChain(auth.File(auth.WithPath(path)))
	f := newFixture(t, client.WithProvider(chain))
	var seen []string
	f.mt.RegisterResponder(http.MethodGet, baseURL+"/api/v2/userinfo/", func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") == "Bearer "+canary {
			require.NoError(t, credentials.Save(path, canary2))
			return jsonResponder(401, `{"error":{"detail":"expired"}}`)(r)
		}
		return jsonResponder(200, `{"result":{"id":"usr_1"}}`)(r)
	})
	_, err := f.c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer " + canary, "Bearer " + canary2}, seen)
	tok, err := chain.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, canary2, tok.Value.Reveal(), "the chain now caches the renewed token")
}
