package client_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
)

// proxyRecord is what reached a recording proxy.
type proxyRecord struct {
	method, target string
	authorization  bool
}

// recordingProxy is a proxy that records every request that reaches it
// (a CONNECT, or a request to forward) and refuses it with status.
type recordingProxy struct {
	*httptest.Server
	mu      sync.Mutex
	records []proxyRecord
}

func newRecordingProxy(t *testing.T, status int) *recordingProxy {
	t.Helper()
	p := &recordingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Host
		if r.Method != http.MethodConnect {
			target = r.URL.String()
		}
		p.mu.Lock()
		p.records = append(p.records, proxyRecord{method: r.Method, target: target, authorization: r.Header.Get("Authorization") != ""})
		p.mu.Unlock()
		if status == http.StatusProxyAuthRequired {
			w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *recordingProxy) seen() []proxyRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxyRecord(nil), p.records...)
}

func (p *recordingProxy) url(t *testing.T) *url.URL {
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	return u
}

// loopbackSpellings are base URLs that all name a plain-http server on
// this machine at port, spelled as people (and attackers) write them.
// The IPv6 ones are there only when the machine has ::1.
func loopbackSpellings(t *testing.T, port string, v6 bool) []string {
	t.Helper()
	spellings := []string{
		"http://LOCALHOST:" + port,
		"http://LocalHost.:" + port,
		"http://localhost:" + port,
		"http://127.0.0.1:" + port,
		"http://127.1:" + port,
		"http://0x7f.0.0.1:" + port,
		"http://2130706433:" + port,
		"http://127.0.0.1.:" + port,
		"http://[::ffff:127.0.0.1]:" + port,
	}
	if v6 {
		spellings = append(spellings, "http://[::1]:"+port, "http://[0:0:0:0:0:0:0:1]:"+port)
	}
	return spellings
}

// dualStackServer answers userinfo on 127.0.0.1 and, when the machine has
// it, on ::1 at the same port; it counts the calls that carry the canary.
func dualStackServer(t *testing.T) (port string, v6 bool, authed func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+canary {
			mu.Lock()
			n++
			mu.Unlock()
		}
		_, _ = w.Write([]byte(`{"result":{"id":"usr_1","email":"a@b.c"}}`))
	})
	ln4, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, _ = net.SplitHostPort(ln4.Addr().String())
	srv4 := &http.Server{Handler: h}
	go func() { _ = srv4.Serve(ln4) }()
	t.Cleanup(func() { _ = srv4.Close() })
	if ln6, err := net.Listen("tcp", "[::1]:"+port); err == nil {
		v6 = true
		srv6 := &http.Server{Handler: h}
		go func() { _ = srv6.Serve(ln6) }()
		t.Cleanup(func() { _ = srv6.Close() })
	}
	return port, v6, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// Plain http goes only where the token cannot leave the machine: a
// loopback base URL, in any spelling, given as an option, in
// ANYSCALE_HOST or as the host a workspace injected, never goes through a
// proxy, even one the transport sends everything to.
func TestLoopbackNeverGoesThroughAProxy(t *testing.T) {
	proxy := newRecordingProxy(t, http.StatusBadGateway)
	port, v6, authed := dualStackServer(t)
	proxied := func() *http.Client {
		return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy.url(t))}}
	}
	ctx := context.Background()
	want := 0
	for _, base := range loopbackSpellings(t, port, v6) {
		routes := map[string]func() (*client.Client, error){
			"option": func() (*client.Client, error) {
				t.Setenv(auth.EnvHost, "")
				return client.New(client.WithBaseURL(base), client.WithToken(canary), client.WithHTTPClient(proxied()))
			},
			"ANYSCALE_HOST": func() (*client.Client, error) {
				t.Setenv(auth.EnvHost, base)
				return client.New(client.WithToken(canary), client.WithHTTPClient(proxied()))
			},
			"workspace": func() (*client.Client, error) {
				t.Setenv(auth.EnvHost, "")
				return client.New(client.WithProvider(hostProvider{host: base}), client.WithHTTPClient(proxied()))
			},
		}
		for route, newClient := range routes {
			c, err := newClient()
			require.NoError(t, err, "%s via %s", base, route)
			_, err = c.WhoAmI(ctx)
			require.NoError(t, err, "%s via %s", base, route)
			want++
			assert.Equal(t, want, authed(), "%s via %s: the server got the call directly", base, route)
			c.CloseIdleConnections()
		}
	}
	assert.Empty(t, proxy.seen(), "nothing reached the proxy")
}

// The proxy variables are read by net/http once per process: the check
// with HTTP_PROXY and HTTPS_PROXY set runs in a process of its own.
const proxyChildEnv = "CLIENT_TEST_PROXY_CHILD_BASES"

func TestLoopbackIgnoresProxyVariables(t *testing.T) {
	if bases := os.Getenv(proxyChildEnv); bases != "" {
		for _, base := range strings.Split(bases, " ") {
			c, err := client.New(client.WithBaseURL(base), client.WithToken(canary))
			require.NoError(t, err)
			_, err = c.WhoAmI(context.Background())
			assert.NoError(t, err, base)
			c.CloseIdleConnections()
		}
		return
	}
	proxy := newRecordingProxy(t, http.StatusBadGateway)
	port, v6, authed := dualStackServer(t)
	bases := loopbackSpellings(t, port, v6)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoopbackIgnoresProxyVariables$", "-test.count=1")
	cmd.Env = append(os.Environ(), proxyChildEnv+"="+strings.Join(bases, " "),
		"HTTP_PROXY="+proxy.URL, "HTTPS_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "https_proxy="+proxy.URL,
		"NO_PROXY=", "no_proxy=", "REQUEST_METHOD=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, len(bases), authed(), "every call reached the server directly")
	assert.Empty(t, proxy.seen(), "nothing reached the proxy")
}

// A proxy that refuses the tunnel (407) is not "may have acted": nothing
// reached the API. No retry can pass, so there is none, and the error
// says which proxy refused.
func TestProxyRefusalIsNotActedNorRetried(t *testing.T) {
	t.Parallel()
	// A host that is not this machine, so that the proxy is used; the
	// proxy refuses before anything would resolve it.
	const api = "https://api.example.invalid"
	proxy := newRecordingProxy(t, http.StatusProxyAuthRequired)
	tr := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", User: url.UserPassword("me", "hunter2"), Host: proxy.Listener.Addr().String()})}
	c, err := client.New(client.WithBaseURL(api), client.WithToken(canary), client.WithHTTPClient(&http.Client{Transport: tr}),
		client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)

	for _, method := range []string{http.MethodPost, http.MethodGet} {
		before := len(proxy.seen())
		_, err = c.Do(context.Background(), method, "/api/v2/users/create_api_key", nil, nil, nil)
		require.Error(t, err, method)
		assert.False(t, client.MayHaveActed(err), "%s: the proxy refused before anything reached the API: %v", method, err)
		assert.Len(t, proxy.seen()[before:], 1, "%s: one CONNECT, no retry", method)
		assert.Contains(t, err.Error(), "the proxy http://"+proxy.Listener.Addr().String()+" refused", method)
		assert.Contains(t, err.Error(), "407", method)
		assert.NotContains(t, err.Error(), "hunter2", "the proxy's password never shows")
		assert.NotContains(t, err.Error(), "may have acted", method)
	}
	for _, r := range proxy.seen() {
		assert.Equal(t, http.MethodConnect, r.method)
		assert.False(t, r.authorization)
	}
}

// A plain-http request (WithInsecureHTTP) that a proxy answers with 407
// says so, naming the proxy; it did not act and is not retried.
func TestProxyAnswer407IsNamed(t *testing.T) {
	t.Parallel()
	proxy := newRecordingProxy(t, http.StatusProxyAuthRequired)
	tr := &http.Transport{Proxy: http.ProxyURL(proxy.url(t))}
	c, err := client.New(client.WithBaseURL("http://api.example.invalid"), client.WithInsecureHTTP(), client.WithToken(canary),
		client.WithHTTPClient(&http.Client{Transport: tr}), client.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	require.Error(t, err)
	assert.False(t, client.MayHaveActed(err))
	assert.Len(t, proxy.seen(), 1, "not retried")
	assert.Contains(t, err.Error(), "407 Proxy Authentication Required")
	assert.Contains(t, err.Error(), "the proxy "+proxy.URL+" answered, not the API")
}
