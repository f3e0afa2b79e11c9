package faultmatrix_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/tests/ops"
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
	// world is the same, for the registry's operations.
	world *ops.World
}

func newEnv(t *testing.T) *env {
	srv := anyscaletest.Start(t)
	owner := srv.Owner()
	chain := &countingChain{Chain: auth.NewChain(auth.Static(owner.Token))}
	c, err := srv.ClientWithToken(owner.Token, client.WithProvider(chain), client.WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	return &env{srv: srv, owner: owner, c: c, chain: chain, world: &ops.World{Srv: srv, Owner: owner, Client: c}}
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
		if strings.HasPrefix(path, ops.PathLoginPoll) {
			path = ops.PathLoginPoll + "{otp}"
		}
		fmt.Fprintf(&b, "\n  %s %s %d", r.Method, path, r.Status)
	}
	return b.String()
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
