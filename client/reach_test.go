package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/tests/rawserver"
)

// refusedURL is a plain-http URL on this machine where nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// A transport failure names the host and where it came from, advises
// checking both (ActionExplainChain, auth.Chain.Explain in Go terms), and,
// when nothing listens there, says so after one quick retry instead of a
// whole retry budget.
func TestUnreachableHostNamesItsOrigin(t *testing.T) {
	wsOrigin := "/proc/1/environ (workspace injected environment)"
	tests := []struct {
		name       string
		env        string
		opts       func(base string) []client.Option
		wantOrigin string
		wantText   string
	}{
		{name: "option", opts: func(base string) []client.Option {
			return []client.Option{client.WithBaseURL(base), client.WithToken(canary)}
		}, wantOrigin: client.HostFromOption, wantText: "(the host given to the client)"},
		{name: "ANYSCALE_HOST", env: "set", opts: func(string) []client.Option {
			return []client.Option{client.WithToken(canary)}
		}, wantOrigin: auth.EnvHost, wantText: "(the host from ANYSCALE_HOST)"},
		{name: "workspace", opts: func(base string) []client.Option {
			return []client.Option{client.WithProvider(hostProvider{host: base})}
		}, wantOrigin: wsOrigin, wantText: "(the host from " + wsOrigin + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := refusedURL(t)
			t.Setenv(auth.EnvHost, "")
			if tt.env != "" {
				t.Setenv(auth.EnvHost, base)
			}
			var logs bytes.Buffer
			logger := newDebugLogger(&logs)
			// The default retry policy: the point is how long it takes.
			c, err := client.New(append(tt.opts(base), client.WithLogger(logger))...)
			require.NoError(t, err)
			start := time.Now()
			_, err = c.WhoAmI(context.Background())
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, syscall.ECONNREFUSED)
			assert.False(t, client.MayHaveActed(err))
			assert.Equal(t, []client.Advice{{Action: client.ActionExplainChain, Subject: base, Origin: tt.wantOrigin}}, client.AdviceOf(err))
			facts := checkFacts(t, err)
			assert.Contains(t, facts, "GET "+base+"/api/v2/userinfo/ "+tt.wantText+": ")
			assert.Contains(t, err.Error(), "auth.Chain.Explain", "the Go sentence points to the chain's explanation")
			assert.Equal(t, 2, strings.Count(logs.String(), `"msg":"anyscale: request"`), "one quick retry, not a whole budget")
			assert.Less(t, elapsed, 3*time.Second, "not the 5-6 s of a whole retry budget")
		})
	}
}

// The default host and an unknown host name say the same, without the
// network: the default host's origin is "default", and a name that does
// not resolve is retried once, as a refused connection is.
func TestUnreachableDefaultHost(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	for _, cause := range []error{
		fmt.Errorf("dial tcp 10.0.0.1:443: connect: %w", syscall.ECONNREFUSED),
		&net.DNSError{Err: "no such host", Name: "console.anyscale.com", IsNotFound: true},
	} {
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(httpmock.NewErrorResponder(cause))
		c, err := client.New(client.WithToken(canary), client.WithHTTPClient(&http.Client{Transport: mt}))
		require.NoError(t, err)
		_, err = c.WhoAmI(context.Background())
		require.Error(t, err)
		assert.Equal(t, 2, mt.GetTotalCallCount(), "%v: retried once", cause)
		assert.False(t, client.MayHaveActed(err))
		assert.Equal(t, []client.Advice{{Action: client.ActionExplainChain, Subject: client.DefaultBaseURL, Origin: auth.HostFromDefault}}, client.AdviceOf(err))
		assert.Contains(t, checkFacts(t, err), "GET "+client.DefaultBaseURL+"/api/v2/userinfo/ (the default host): ")
	}
}

// Nothing that failed before the request was written says "may have
// acted", whatever the failure surfaced as: a done context, a TLS
// handshake the server cut, a certificate that is not trusted.
func TestNothingWrittenIsNotActed(t *testing.T) {
	t.Parallel()
	// A server that accepts and closes: a TLS handshake never completes.
	cut := "https://" + rawserver.Start(t, func(net.Conn) {})
	untrusted := newTLSServer(t)

	for _, base := range []string{cut, untrusted} {
		c, err := client.New(client.WithBaseURL(base), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
		require.NoError(t, err)
		_, err = c.Do(context.Background(), http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]int{"duration": 60}, nil)
		require.Error(t, err, base)
		assert.False(t, client.MayHaveActed(err), "%s: nothing was written: %v", base, err)
		assert.NotContains(t, err.Error(), "may have acted", base)
	}

	// A context already done, over net/http and over a test double, with
	// a provider that does not look at the context.
	srv, hits := userInfoServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, opts := range [][]client.Option{
		{client.WithBaseURL(srv.URL)},
		{client.WithBaseURL(baseURL), client.WithHTTPClient(&http.Client{Transport: httpmock.NewMockTransport()})},
	} {
		c, err := client.New(append(opts, client.WithProvider(&fakeProvider{tokens: []string{canary}}))...)
		require.NoError(t, err)
		_, err = c.Do(ctx, http.MethodPost, "/api/v2/users/create_api_key", nil, nil, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, client.MayHaveActed(err))
	}
	assert.Zero(t, hits.Load())
}

// The SDK's own checks, and errors it never saw, did not act; a marked
// service error and a joined one with a marked part did.
func TestMayHaveActedRule(t *testing.T) {
	t.Parallel()
	_, err := client.New(client.WithToken("sk-live-123"))
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.False(t, client.MayHaveActed(err), "an argument check")
	for _, err := range []error{
		errors.New("something of the caller's"),
		context.Canceled,
		fmt.Errorf("organization: %w: ada@example.com is your own account", client.ErrForbidden),
		fmt.Errorf("organization: %w: no member has the email x", client.ErrNotFound),
		&auth.ChainError{},
	} {
		assert.False(t, client.MayHaveActed(err), "%v", err)
	}
	assert.True(t, client.MayHaveActed(&client.APIError{StatusCode: 502}), "a 5xx made by hand")
}

// newTLSServer returns the URL of a TLS server whose certificate the
// client does not trust.
func newTLSServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("reached: %s %s", r.Method, r.URL)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(srv.Close)
	return srv.URL
}

func newDebugLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(&lockedWriter{w: buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// A token source that acted on the server itself (a renewing provider
// that made a key, then failed) keeps its verdict through the call that
// asked it for a token, though the call itself sent nothing.
func TestProviderThatActedKeepsItsVerdict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err   error
		acted bool
	}{
		{acted.Mark(errors.New("made a key, then could not save it")), true},
		{errors.New("no token here"), false},
	} {
		c, err := client.New(client.WithBaseURL("http://127.0.0.1:1"), client.WithRetryPolicy(fastRetry),
			client.WithProvider(auth.ProviderFunc(func(context.Context) (auth.Token, error) { return auth.Token{}, tc.err })))
		require.NoError(t, err)
		_, err = c.WhoAmI(context.Background())
		require.ErrorIs(t, err, tc.err)
		assert.Equal(t, tc.acted, client.MayHaveActed(err), "%v", err)
	}
}

// A 407 that came through no proxy says nothing of a proxy: nothing tells
// who answered, and nothing is concluded.
func TestA407WithoutAProxyClaimsNoProxy(t *testing.T) {
	t.Parallel()
	base := rawServer(t, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	c, err := client.New(client.WithBaseURL(base), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "proxy", "no proxy was involved")
}

// A host that answered, though its answer was cut on every attempt, was
// reached: no advice to check which host it is.
func TestACutAnswerIsNoUnreachableHost(t *testing.T) {
	t.Parallel()
	base := rawServer(t, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"result\":")
	c, err := client.New(client.WithBaseURL(base), client.WithToken(canary), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	require.Error(t, err)
	for _, a := range client.AdviceOf(err) {
		assert.NotEqual(t, client.ActionExplainChain, a.Action, "%v", err)
	}
}
