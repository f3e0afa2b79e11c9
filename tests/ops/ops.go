package ops

import (
	"context"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
)

// Op is one public operation of the SDK that sends requests.
type Op struct {
	// Name is the operation as its package and method: "keys.Create",
	// "keys.Org.List" (the organization's keys, keys.OrgService).
	Name string
	// Scope is who may call it.
	Scope Scope
	// Requests are the requests the operation sends that decide its
	// result, in the order sent; the fault matrix has a row for each.
	Requests []Request
	// Start seeds w for the operation and returns its call.
	Start func(t *testing.T, w *World) Call
}

// Request is one request an operation sends.
type Request struct {
	// Method and Path are the request's method and path, or the start of
	// its path when the path ends with an id.
	Method, Path string
	// Label names the request in the fault matrix: "POST create_api_key",
	// "GET api_keys, page 1 of 3".
	Label string
	// Kind is how the client's retry rules treat it.
	Kind Kind
	// FreshConn, for a request marked not idempotent, is which connection
	// the call gets (from 1) carries the request: a fault that closes that
	// connection must meet a fresh one, which net/http never replays on,
	// though a warm one was there to reuse. 0: not checked.
	FreshConn int
}

// Kind is how the client's retry rules treat a request.
type Kind int

const (
	// Read is a GET that may be repeated (a list, a look-up).
	Read Kind = iota
	// Remove is a DELETE; repeated after it acted, it finds nothing (404).
	Remove
	// RevokeAll is the POST that revokes all of a user's keys, marked safe
	// to repeat; it answers 200 whatever is left.
	RevokeAll
	// Create is a POST that makes something (a key, a service account):
	// it is repeated only when the server cannot have acted.
	Create
	// Once is the rotation, a GET marked not idempotent: sent once, as a
	// create is.
	Once
	// Poll is the login poll, a GET marked not idempotent, repeated only
	// by the login's own polling.
	Poll
	// Bulk is RevokeMany's bulk POST, whose failure is settled id by id.
	Bulk
)

// Writes reports whether a request of kind k changes state on the server.
func (k Kind) Writes() bool { return k != Read }

// Scope is who may call an operation.
type Scope int

const (
	// Member is any member of the organization: the operation acts on the
	// caller's own keys, or reads what every member may read.
	Member Scope = iota
	// Owner is an owner of the organization only: a collaborator gets
	// client.ErrForbidden.
	Owner
	// Anonymous needs no token (the browser login).
	Anonymous
)

// Call is an operation seeded on a World.
type Call struct {
	// Do calls the operation with c and returns what it returned besides
	// the error. The suites call it with the World's client, or with
	// another (a collaborator's, one of a hostile server), once or more.
	Do func(ctx context.Context, c *client.Client) ([]any, error)
	// Check asserts what must hold after Do returned with the World's
	// client: its result, and the fake's state.
	Check func(t *testing.T, o Outcome)
}

// Outcome is what the suite knows of the call Check is about.
type Outcome struct {
	// Faulted is the index in Requests of the request a fault met, or -1
	// when none did.
	Faulted int
	// Err is the call's error.
	Err error
	// OK reports whether the call succeeded (the suite has checked that
	// it had to).
	OK bool
	// Acted reports whether the faulted request's change took effect on
	// the server; true when no fault was injected.
	Acted bool
	// Recovered reports whether the operation recovered from the fault
	// with other requests (RevokeMany id by id, Login by polling again).
	Recovered bool
}

// reads is the Call of an operation that returns one value: Do returns
// what call returned, and Check asserts that a failed call returned the
// zero value (a nil page, no items, no report) and hands a successful
// call's value to check.
func reads[T any](call func(context.Context, *client.Client) (T, error), check func(t *testing.T, got T)) Call {
	var got T
	return Call{
		Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
			got, err = call(ctx, c)
			return []any{got}, err
		},
		Check: func(t *testing.T, o Outcome) {
			if !o.OK {
				assert.Zero(t, got, "a failed call returns nothing, not part of its result")
				return
			}
			check(t, got)
		},
	}
}

// acts is the Call of an operation that returns nothing but its error.
func acts(call func(context.Context, *client.Client) error, check func(t *testing.T, o Outcome)) Call {
	return Call{
		Do:    func(ctx context.Context, c *client.Client) ([]any, error) { return nil, call(ctx, c) },
		Check: check,
	}
}

// all collects every item of seq, up to the first error.
func all[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var got []T
	for item, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, item)
	}
	return got, nil
}

// NoFault is the outcome of a call that met no fault and had to succeed.
func NoFault(err error) Outcome { return Outcome{Faulted: -1, Err: err, OK: err == nil, Acted: true} }

// All is the registry: every operation, in the order the fault matrix
// prints them.
var All = slices.Concat(keyOps, orgKeyOps, memberOps, serviceAccountOps)

// World is the fake an operation runs against: a server of its own, its
// owner, and the owner's client.
type World struct {
	Srv   *anyscaletest.Server
	Owner anyscaletest.User
	// Client is the owner's client: the suites call with it, and Check
	// signs in through it with the keys an operation made.
	Client *client.Client
	// Secret, when set, is told every token the seeding makes; Code every
	// login code an approval sees.
	Secret, Code func(label, raw string)
}

// AddUser adds a member with role to the fake (anyscaletest.Server.AddUser).
func (w *World) AddUser(email string, role anyscaletest.Role) anyscaletest.User {
	u := w.Srv.AddUser(email, role)
	w.secret(u.Email+"'s seeded token", u.Token)
	return u
}

// AddServiceAccount adds a collaborator service account to the fake.
func (w *World) AddServiceAccount(name string) anyscaletest.User {
	u := w.Srv.AddServiceAccount(name)
	w.secret("service account "+name+"'s seeded token", u.Token)
	return u
}

// AddKey gives u a key of lifetime (0: a legacy key, which never expires)
// and returns its id.
func (w *World) AddKey(u anyscaletest.User, name string, lifetime time.Duration) string {
	id, secret := w.Srv.AddKey(u, name, lifetime)
	w.secret(u.Email+"'s key "+name, secret)
	return id
}

func (w *World) secret(label, raw string) {
	if w.Secret != nil {
		w.Secret(label, raw)
	}
}

// approve is a browser that approves the login at link as the owner, when
// the fake is the server that started it.
func (w *World) approve(_ context.Context, link string) error {
	code := link[strings.LastIndex(link, "/")+1:]
	if w.Code != nil && code != "" {
		w.Code("a login code", code)
	}
	if slices.Contains(w.Srv.PendingLogins(), code) {
		w.Srv.ApproveLogin(code, w.Owner)
	}
	return nil
}

// active returns u's keys that are neither revoked nor expired.
func (w *World) active(u anyscaletest.User) []anyscaletest.Key {
	now := w.Srv.Now()
	var out []anyscaletest.Key
	for _, k := range w.Srv.Keys(u) {
		if k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(now)) {
			out = append(out, k)
		}
	}
	return out
}

// named returns u's keys called name, revoked ones included.
func (w *World) named(u anyscaletest.User, name string) []anyscaletest.Key {
	var out []anyscaletest.Key
	for _, k := range w.Srv.Keys(u) {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// revoked reports whether the key with id is revoked on the server.
func (w *World) revoked(t *testing.T, id string) bool {
	t.Helper()
	k, found := w.Srv.Key(id)
	require.True(t, found, "key %s is on the server", id)
	return k.RevokedAt != nil
}

// works asserts that secret signs in on the server as email.
func (w *World) works(t *testing.T, secret credentials.Secret, email string) {
	t.Helper()
	me, err := w.Client.WithAuth(auth.StaticSecret(secret)).WhoAmI(context.Background())
	require.NoError(t, err, "the new key signs in")
	assert.Equal(t, email, me.Email)
}

// member looks up a current member by email.
func (w *World) member(email string) (anyscaletest.User, bool) { return w.Srv.LookupUser(email) }

// count counts the requests with method and a path starting with prefix.
func (w *World) count(method, prefix string) int {
	n := 0
	for _, r := range w.Srv.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// serviceAccountEmail is the email the API gives the service account name.
func (w *World) serviceAccountEmail(name string) string {
	return strings.ToLower(name + "@org-" + w.Srv.OrgID() + ".serviceaccount.com")
}

// ids returns the ids of keys.
func ids(keys []anyscaletest.Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.ID
	}
	return out
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
