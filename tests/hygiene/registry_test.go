package hygiene_test

import (
	"fmt"
	"reflect"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/tests/ops"
)

// registryFaults are the faults every request of every operation of the
// registry meets once, for the errors they make: refused before the
// server acts, the answer lost, cut mid-body, and not JSON.
var registryFaults = []struct {
	name  string
	fault anyscaletest.Fault
}{
	{"a 500", anyscaletest.Fault{Status: 500}},
	{"an answer lost after acting", anyscaletest.Fault{Drop: true, AfterHandler: true}},
	{"an answer cut mid-body", anyscaletest.Fault{CutBody: true}},
	{"a 200 that is not JSON", anyscaletest.Fault{Body: anyscaletest.MalformedJSON, AfterHandler: true}},
}

// registry drives every operation of the registry (tests/ops), each on a
// fake of its own: as its scope says (the login with no token, the others
// as the owner), and checked as the registry says; under each of
// registryFaults on each of its requests; and as a collaborator, who an
// owner's operation refuses (client.ErrForbidden) and a member's does not.
func (w *world) registry() {
	r, ctx, t := w.r, w.ctx, w.t
	for _, op := range ops.All {
		r.step("registry | "+op.Name, func() {
			ow := w.opsWorld()
			call := op.Start(t, ow)
			c := ow.Client
			if op.Scope == ops.Anonymous {
				c = w.fakeClient(ow.Srv, client.WithProvider(auth.NewChain()))
			}
			vs, err := call.Do(ctx, c)
			r.ok(err)
			w.returned(op.Name, vs)
			call.Check(t, ops.NoFault(err))
			r.records(ow.Srv)
		})
		for _, req := range op.Requests {
			for _, f := range registryFaults {
				r.step(fmt.Sprintf("registry | %s [%s] under %s", op.Name, req.Label, f.name), func() {
					ow := w.opsWorld()
					call := op.Start(t, ow)
					fault := f.fault
					fault.Method, fault.PathPrefix = req.Method, req.Path
					ow.Srv.FailNext(fault)
					vs, err := call.Do(ctx, ow.Client)
					r.err(err)
					w.returned(op.Name, vs)
					assert.Zero(t, ow.Srv.ClearFaults(), "%s: the fault met the request", op.Name)
					r.records(ow.Srv)
				})
			}
		}
		r.step("registry | "+op.Name+" as a collaborator", func() {
			ow := w.opsWorld()
			call := op.Start(t, ow)
			carol := ow.AddUser("carol@example.com", anyscaletest.Collaborator)
			vs, err := call.Do(ctx, w.fakeClient(ow.Srv, client.WithToken(carol.Token)))
			if op.Scope == ops.Owner {
				r.fails(err, client.ErrForbidden)
			} else {
				r.err(err)
				assert.NotErrorIs(t, err, client.ErrForbidden, "%s is for every member", op.Name)
			}
			w.returned(op.Name, vs)
			r.records(ow.Srv)
		})
	}
}

// opsWorld starts a fake of its own for an operation of the registry, with
// a client of its owner; every token it issues is a secret to search for.
func (w *world) opsWorld() *ops.World {
	w.t.Helper()
	srv := anyscaletest.Start(w.t)
	owner := srv.Owner()
	w.r.secret("a registry fake's owner's token", owner.Token)
	return &ops.World{Srv: srv, Owner: owner, Client: w.fakeClient(srv, client.WithToken(owner.Token)),
		Secret: w.r.secret, Code: w.r.code}
}

// fakeClient is a client of srv with the recorder's debug logger and fast
// retries, and opts.
func (w *world) fakeClient(srv *anyscaletest.Server, opts ...client.Option) *client.Client {
	w.t.Helper()
	c, err := client.New(append([]client.Option{client.WithBaseURL(srv.URL), client.WithHTTPClient(srv.HTTPClient()),
		client.WithLogger(w.r.clientLog), client.WithRetryPolicy(fast)}, opts...)...)
	require.NoError(w.t, err)
	return c
}

// returned captures the values an operation returned, and adds the
// secrets among them to those searched for.
func (w *world) returned(op string, vs []any) {
	for _, v := range vs {
		for _, s := range secretsIn(reflect.ValueOf(v), 0) {
			w.r.secret("a key made by "+op, s.Reveal())
		}
		w.r.value(v)
	}
}

// secretsIn finds the credentials.Secret values in v: v itself, or the
// fields of a struct it is or points to (a created key, a login's result),
// at any depth up to 4.
func secretsIn(v reflect.Value, depth int) []credentials.Secret {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && !v.IsNil() {
		v = v.Elem()
	}
	switch {
	case !v.IsValid() || depth > 4:
		return nil
	case v.Type() == reflect.TypeFor[credentials.Secret]():
		if s := v.Interface().(credentials.Secret); !s.IsZero() {
			return []credentials.Secret{s}
		}
	case v.Kind() == reflect.Struct:
		var out []credentials.Secret
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, secretsIn(v.Field(i), depth+1)...)
			}
		}
		return out
	}
	return nil
}
