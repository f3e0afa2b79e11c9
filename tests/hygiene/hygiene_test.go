package hygiene_test

import (
	"errors"
	"iter"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// fast retries at once, so that error paths take milliseconds.
var fast = client.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Second}

// workspaceMarkers are the variables that make the Workspace provider
// think it runs in a workspace (docs/wire.md).
var workspaceMarkers = []string{"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID", "ANYSCALE_SESSION_ID", "ANYSCALE_CLUSTER_ID"}

// hermetic points HOME at a temporary directory and clears the variables
// the SDK reads, so that no real credentials are read or written.
func hermetic(t *testing.T) (home string) {
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(auth.EnvToken, "")
	t.Setenv(auth.EnvHost, "")
	for _, m := range workspaceMarkers {
		t.Setenv(m, "")
	}
	return home
}

// unsetenv removes a variable that hermetic set, for the rest of the test
// (t.Setenv restores the original at the end).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	require.NoError(t, os.Unsetenv(name))
}

// drain captures every item of an iteration, which must end without error.
func drain[T any](r *recorder, seq iter.Seq2[T, error]) []T {
	r.t.Helper()
	var out []T
	for v, err := range seq {
		if !r.ok(err) {
			break
		}
		r.value(v)
		out = append(out, v)
	}
	return out
}

// drainFails captures an iteration that must end with an error matching
// target.
func drainFails[T any](r *recorder, seq iter.Seq2[T, error], target error) {
	r.t.Helper()
	var last error
	for v, err := range seq {
		if err != nil {
			last = err
			break
		}
		r.value(v)
	}
	r.fails(last, target)
}

// TestSecretHygiene drives every public operation of the SDK against the
// fake server, and its error paths, and finds none of the tokens involved
// in any log line, error, printed or encoded value, or request record.
func TestSecretHygiene(t *testing.T) {
	start := time.Now()
	w := newWorld(t)
	w.authAndCredentials()
	w.clientOperations()
	w.ownKeys()
	w.orgKeys()
	w.members()
	w.serviceAccounts()
	w.login()
	w.rotationAndFaults()
	w.registry()
	n := w.r.records(w.srv)
	assert.Greater(t, n, 100, "the fake recorded the requests")
	w.r.check(kindClientLogJSON, kindClientLogText, kindChainLogJSON, kindChainLogText, kindError, kindValue, kindRecord)
	t.Logf("%d operations in %s", len(w.r.ops), time.Since(start).Round(time.Millisecond))
}

// assertAPIErrorKept checks that scrubbing an error left it what it was:
// one that matches a status's sentinel is still an *APIError to
// errors.As, with that status.
func assertAPIErrorKept(t *testing.T, what string, err error) {
	t.Helper()
	for _, sentinel := range []error{client.ErrUnauthorized, client.ErrForbidden, client.ErrNotFound, client.ErrConflict, client.ErrRateLimited, client.ErrServer} {
		if errors.Is(err, sentinel) {
			var ae *client.APIError
			if assert.ErrorAs(t, err, &ae, "%s: the error matches %v but is no *client.APIError", what, sentinel) {
				assert.GreaterOrEqual(t, ae.StatusCode, 400, what)
			}
			return
		}
	}
}

// TestSecretHygieneHostileEchoes drives operations against servers and a
// proxy that echo the request's token back in every place an answer has:
// error details (raw, JSON-\u-escaped, percent-encoded, in pieces),
// FastAPI validation errors, raw bodies, the x-trace-id and Retry-After
// headers, malformed header and status lines, redirects, and the fields of
// a 2xx answer. Errors, logs and the client must not show it, and no other
// host may receive it. What a 2xx answer puts into returned values is the
// server's own data: it is reported, not failed.
func TestSecretHygieneHostileEchoes(t *testing.T) {
	start := time.Now()
	hermetic(t)
	r := newRecorder(t)
	tok := r.canary("the canary token that hostile servers echo")
	hostileClient := func(base string, hc *http.Client, token string) *client.Client {
		opts := []client.Option{client.WithBaseURL(base), client.WithLogger(r.clientLog), client.WithRetryPolicy(fast),
			client.WithProvider(auth.NewChain(auth.Static(token)).WithLogger(r.chainLog))}
		if hc != nil {
			opts = append(opts, client.WithHTTPClient(hc))
		}
		c, err := client.New(opts...)
		require.NoError(t, err)
		return c
	}
	hostile := hostileOps(t, r)
	// drive runs every operation against the client of a hostile mode;
	// answersError says that every answer of the mode is an error status,
	// so that an error matching a status's sentinel must be the
	// *client.APIError of an answer.
	drive := func(mode string, c *client.Client, answersError bool) {
		for _, op := range hostile {
			r.step(mode+" | "+op.name, func() {
				vs, err := op.run(withDeadline(t), c)
				r.err(err)
				if answersError {
					assertAPIErrorKept(t, mode+" | "+op.name, err)
				}
				for _, v := range vs {
					switch v := v.(type) {
					case *keys.RevokeResult, credentials.Secret:
						// The SDK's own accounting and a secret: no
						// server text belongs in them.
						r.value(v)
					case *client.Response:
						r.serverData(v)
						if v != nil {
							r.serverData(v.Response)
						}
					default:
						r.serverData(v)
					}
				}
			})
		}
		r.step(mode+" | the client printed", func() { r.value(c) })
	}

	p := newPeer(t)
	hs := newEchoServer(t)
	for _, e := range echoes(p.URL) {
		hs.current.Store(&e)
		before := hs.authorized.Load()
		drive("hostile server, "+e.name, hostileClient(hs.URL, nil, tok), e.answersError())
		assert.Greater(t, hs.authorized.Load(), before, "%s: the server saw the token", e.name)
	}
	rs := newRawServer(t)
	for _, e := range rawEchoes() {
		rs.current.Store(&e)
		before := rs.authorized.Load()
		// No raw answer is read as a status: none can be the SDK's
		// refusal of a 2xx answer.
		drive("hostile raw server, "+e.name, hostileClient(rs.URL, nil, tok), true)
		assert.Greater(t, rs.authorized.Load(), before, "%s: the server saw the token", e.name)
	}
	received := p.headers()
	require.NotEmpty(t, received, "the redirects reached the other host")
	for _, h := range received {
		assert.NotContains(t, strings.ToLower(h), "authorization:", "no Authorization header crosses to another host")
		r.add(kindPeer, "headers", h)
	}

	// A hostile proxy in front of the fake echoes the fake's own tokens.
	srv := anyscaletest.Start(t)
	owner, ada := srv.Owner(), srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	r.secret("the seeded owner's token", owner.Token)
	r.secret("ada's seeded token", ada.Token)
	r.secret("the seeded service account's token", srv.AddServiceAccount("bot").Token)
	px := newHostileProxy(t, srv.HTTPClient().Transport)
	for _, rw := range proxyRewrites() {
		px.current.Store(&rw)
		mode := "hostile proxy, " + rw.name
		oc := hostileClient(srv.URL, px.client(t), owner.Token)
		ac := hostileClient(srv.URL, px.client(t), ada.Token)
		ctx := withDeadline(t)
		r.step(mode+" | WhoAmI and Do", func() {
			me, err := oc.WhoAmI(ctx)
			if r.ok(err) {
				r.value(me)
			}
			var out client.UserInfo
			resp, err := oc.Do(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &out)
			if r.ok(err) {
				r.value(out)
				r.serverData(resp)
				r.serverData(resp.Response)
			}
			resp, err = oc.Do(ctx, http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]any{"duration": "x"}, &struct{}{})
			r.fails(err, client.ErrInvalid)
			if resp != nil {
				r.serverData(resp)
				r.serverData(resp.Response)
			}
		})
		r.step(mode+" | keys.Service.Create, Revoke, and the revoked key used", func() {
			made, err := keys.New(ac).Create(ctx, keys.CreateRequest{ExpiresIn: time.Hour})
			require.NoError(t, err)
			r.secret("a key made through the hostile proxy", made.Secret.Reveal())
			r.value(made)
			r.ok(keys.New(ac).Revoke(ctx, made.Key.ID))
			r.fails(keys.New(ac).Revoke(ctx, made.Key.ID), client.ErrNotFound)
			rc := hostileClient(srv.URL, px.client(t), made.Secret.Reveal())
			_, err = rc.WhoAmI(ctx)
			r.fails(err, client.ErrUnauthorized)
			_, err = keys.New(rc).Create(ctx, keys.CreateRequest{ExpiresIn: time.Hour})
			r.fails(err, client.ErrUnauthorized)
		})
		r.step(mode+" | 403 as a collaborator", func() {
			_, err := keys.New(ac).Org().List(ctx, keys.ListOptions{})
			r.fails(err, client.ErrForbidden)
			_, err = serviceaccounts.New(ac).CreateKey(ctx, serviceaccounts.ByName("bot"))
			r.fails(err, client.ErrForbidden)
			r.fails(organization.New(ac).Remove(ctx, owner.Email), client.ErrForbidden)
		})
		r.step(mode+" | look-ups that find nothing", func() {
			_, err := organization.New(oc).Get(ctx, organization.ByEmail("nobody@example.com"))
			r.fails(err, client.ErrNotFound)
			_, err = serviceaccounts.New(oc).Get(ctx, serviceaccounts.ByName("no-such-bot"))
			r.fails(err, client.ErrNotFound)
			r.fails(organization.New(oc).RemoveMember(ctx, organization.ByIdentityID("ide_00000000000000000000000000")), client.ErrNotFound)
		})
		r.step(mode+" | serviceaccounts.Service.CreateKey", func() {
			sec, err := serviceaccounts.New(oc).CreateKey(ctx, serviceaccounts.ByName("bot"), serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
			if r.ok(err) {
				r.secret("a service account key made through the hostile proxy", sec.Reveal())
				r.value(sec)
			}
		})
	}
	var authenticated int
	for _, q := range srv.Requests() {
		if q.Authenticated {
			authenticated++
		}
	}
	assert.Greater(t, authenticated, 10, "the proxy passed the tokens on")
	r.records(srv)
	observed := r.check(kindClientLogJSON, kindClientLogText, kindError, kindValue, kindServerData, kindPeer, kindRecord)
	t.Logf("%d operations in %s; %d observations of the servers' own answers in returned values", len(r.ops), time.Since(start).Round(time.Millisecond), len(dedupe(observed)))
}
