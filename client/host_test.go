package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// hostProvider is a workspace-like source: its token names its own host.
type hostProvider struct{ host string }

func (p hostProvider) Token(context.Context) (auth.Token, error) {
	return auth.Token{Value: credentials.Secret(canary), Source: auth.SourceWorkspace,
		Origin: "/proc/1/environ (workspace injected environment)", Host: p.host}, nil
}

// userInfoServer answers userinfo and counts the requests that carry the
// canary token.
func userInfoServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var authed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+canary {
			authed.Add(1)
		}
		_, _ = w.Write([]byte(`{"result":{"id":"usr_1","email":"a@b.c"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &authed
}

// The host a workspace injected with its token is used when neither the
// process's ANYSCALE_HOST nor WithBaseURL names one; they win when set.
func TestBaseURLFollowsTheTokensHost(t *testing.T) {
	injected, injectedHits := userInfoServer(t)
	env, envHits := userInfoServer(t)
	given, givenHits := userInfoServer(t)
	ctx := context.Background()

	t.Setenv(auth.EnvHost, "")
	c, err := client.New(client.WithProvider(hostProvider{host: injected.URL}))
	require.NoError(t, err)
	assert.Equal(t, client.DefaultBaseURL, c.BaseURL(), "New does no I/O: the token's host is known at the first call")
	_, err = c.WhoAmI(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), injectedHits.Load(), "the workspace's host, with the token")

	t.Setenv(auth.EnvHost, env.URL)
	c, err = client.New(client.WithProvider(hostProvider{host: injected.URL}))
	require.NoError(t, err)
	_, err = c.WhoAmI(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), envHits.Load(), "the process's own ANYSCALE_HOST wins")

	c, err = client.New(client.WithBaseURL(given.URL), client.WithProvider(hostProvider{host: injected.URL}))
	require.NoError(t, err)
	_, err = c.WhoAmI(ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), givenHits.Load(), "WithBaseURL wins over both")
	assert.Equal(t, int32(1), injectedHits.Load())
}

func TestTokensHostMustBeSafe(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	for _, host := range []string{"http://api.example.com", "ftp://x", "https://user:hunter2@api.example.com", "::not a url"} {
		c, err := client.New(client.WithProvider(hostProvider{host: host}))
		require.NoError(t, err)
		_, err = c.WhoAmI(context.Background())
		require.ErrorIs(t, err, client.ErrInvalid, host)
		assert.Contains(t, err.Error(), "workspace injected environment", "the error names where the host came from")
		assert.NotContains(t, err.Error(), "hunter2")
		assert.NotContains(t, err.Error(), canary)
		assert.False(t, client.MayHaveActed(err), "nothing was sent")
	}
}

// switchingProvider is a chain whose source changes after Invalidate: the
// first token belongs to one host, the next to another.
type switchingProvider struct {
	first, next auth.Token
	invalidated atomic.Bool
}

func (p *switchingProvider) Token(context.Context) (auth.Token, error) {
	if p.invalidated.Load() {
		return p.next, nil
	}
	return p.first, nil
}

func (p *switchingProvider) Invalidate() { p.invalidated.Store(true) }

// After a 401, the fresh token goes to its own host, never to the host of
// the token it replaces.
func TestRefreshedTokenGoesToItsOwnHost(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	var oldHostSawNew, newHostSawNew atomic.Int32
	oldHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+canary2 {
			oldHostSawNew.Add(1)
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"detail":"expired"}}`))
	}))
	t.Cleanup(oldHost.Close)
	newHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+canary2 {
			newHostSawNew.Add(1)
		}
		_, _ = w.Write([]byte(`{"result":{"id":"usr_1","email":"a@b.c"}}`))
	}))
	t.Cleanup(newHost.Close)
	p := &switchingProvider{
		first: auth.Token{Value: credentials.Secret(canary), Source: auth.SourceWorkspace, Host: oldHost.URL},
		next:  auth.Token{Value: credentials.Secret(canary2), Source: auth.SourceFile, Host: newHost.URL},
	}
	c, err := client.New(client.WithProvider(p))
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Zero(t, oldHostSawNew.Load(), "the fresh token never goes to the old token's host")
	assert.Equal(t, int32(1), newHostSawNew.Load())
}

// A base URL's host is normalised before the loopback decision, and the
// client sends to the normalised form: what is decided is what is dialed.
// Plain http to anything else is refused, however it is spelled.
func TestBaseURLHostIsNormalised(t *testing.T) {
	t.Setenv(auth.EnvHost, "")
	for given, want := range map[string]string{
		"http://LOCALHOST:8080":           "http://localhost:8080",
		"http://LocalHost.:8080/api/":     "http://localhost:8080/api",
		"http://127.1:8080":               "http://127.0.0.1:8080",
		"http://0x7f.0.0.1":               "http://127.0.0.1",
		"http://2130706433:1":             "http://127.0.0.1:1",
		"http://[::ffff:127.0.0.1]:8080":  "http://127.0.0.1:8080",
		"http://[0:0:0:0:0:0:0:1]:8080":   "http://[::1]:8080",
		"https://API.Example.COM":         "https://api.example.com",
		"https://api.example.com.:8443/x": "https://api.example.com.:8443/x",
	} {
		c, err := client.New(client.WithBaseURL(given), client.WithToken(canary))
		require.NoError(t, err, given)
		assert.Equal(t, want, c.BaseURL(), given)
	}
	for _, refused := range []string{
		"http://api.localhost:8080", "http://localhost.localdomain", "http://127.0.0.1.example.com",
		"http://0.0.0.0:8080", "http://[::]:8080", "http://10.0.0.1", "http://localhost..:1", "http://ｌｏｃａｌｈｏｓｔ:1",
	} {
		_, err := client.New(client.WithBaseURL(refused), client.WithToken(canary))
		require.ErrorIs(t, err, client.ErrInvalid, refused)
		assert.Contains(t, err.Error(), "plain http", refused)
		t.Setenv(auth.EnvHost, refused)
		_, err = client.New(client.WithToken(canary))
		require.ErrorIs(t, err, client.ErrInvalid, "ANYSCALE_HOST=%s", refused)
		t.Setenv(auth.EnvHost, "")
	}
}
