package faultmatrix_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// env is one cell's world: a fresh fake server and a client acting as its
// seeded owner.
type env struct {
	srv   *anyscaletest.Server
	owner anyscaletest.User
	// c authenticates through chain, which the client can tell to
	// resolve the token again after a 401.
	c     *client.Client
	chain *countingChain
}

func newEnv(t *testing.T) *env {
	srv := anyscaletest.Start(t)
	owner := srv.Owner()
	chain := &countingChain{Chain: auth.NewChain(auth.Static(owner.Token))}
	c, err := srv.ClientWithToken(owner.Token, client.WithProvider(chain), client.WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	return &env{srv: srv, owner: owner, c: c, chain: chain}
}

// countingChain is an *auth.Chain that counts the times the client told it
// to drop its cached token.
type countingChain struct {
	*auth.Chain
	invalidated atomic.Int32
}

func (c *countingChain) Invalidate() {
	c.invalidated.Add(1)
	c.Chain.Invalidate()
}

// sends counts the requests that are the first one matching method and
// path prefix, sent again: the same method, path, query and body.
func (e *env) sends(t *testing.T, method, prefix string) int {
	t.Helper()
	var first *anyscaletest.Request
	n := 0
	for _, r := range e.srv.Requests() {
		if first == nil && r.Method == method && strings.HasPrefix(r.Path, prefix) {
			first = &r
		}
		if first != nil && r.Method == first.Method && r.Path == first.Path &&
			encode(r.Query) == encode(first.Query) && string(r.Body) == string(first.Body) {
			n++
		}
	}
	return n
}

func encode(q url.Values) string { return q.Encode() }

// requestLog lists the requests the server saw, as "METHOD path status",
// with the login code of a poll's path hidden (it is a secret while the
// login is pending).
func (e *env) requestLog() string {
	var b strings.Builder
	for _, r := range e.srv.Requests() {
		path := r.Path
		if strings.HasPrefix(path, pathLoginPoll) {
			path = pathLoginPoll + "{otp}"
		}
		fmt.Fprintf(&b, "\n  %s %s %d", r.Method, path, r.Status)
	}
	return b.String()
}

// active returns u's keys that are neither revoked nor expired.
func (e *env) active(u anyscaletest.User) []anyscaletest.Key {
	now := e.srv.Now()
	var out []anyscaletest.Key
	for _, k := range e.srv.Keys(u) {
		if k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(now)) {
			out = append(out, k)
		}
	}
	return out
}

// ids returns the ids of keys.
func ids(keys []anyscaletest.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// named returns u's keys called name, revoked ones included.
func (e *env) named(u anyscaletest.User, name string) []anyscaletest.Key {
	var out []anyscaletest.Key
	for _, k := range e.srv.Keys(u) {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// revoked reports whether the key with id is revoked on the server.
func (e *env) revoked(t *testing.T, id string) bool {
	t.Helper()
	k, found := e.srv.Key(id)
	require.True(t, found, "key %s is on the server", id)
	return k.RevokedAt != nil
}

// works asserts that secret signs in on the server as email.
func (e *env) works(t *testing.T, secret credentials.Secret, email string) {
	t.Helper()
	me, err := e.c.WithAuth(auth.StaticSecret(secret)).WhoAmI(context.Background())
	require.NoError(t, err, "the new key signs in")
	assert.Equal(t, email, me.Email)
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
