package keys_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

// quick keeps retries fast against the fake server.
var quick = client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

type world struct {
	srv   *anyscaletest.Server
	owner anyscaletest.User
	ada   anyscaletest.User // a collaborator
	oc    *client.Client    // the owner's client
	ac    *client.Client    // the collaborator's client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := anyscaletest.Start(t)
	w := &world{srv: srv, owner: srv.Owner(), ada: srv.AddUser("ada@example.com", anyscaletest.Collaborator)}
	var err error
	w.oc, err = srv.Client(w.owner, quick)
	require.NoError(t, err)
	w.ac, err = srv.Client(w.ada, quick)
	require.NoError(t, err)
	return w
}

// clientFor returns a client that authenticates with secret.
func (w *world) clientFor(t *testing.T, secret string) *client.Client {
	t.Helper()
	c, err := w.srv.ClientWithToken(secret, quick)
	require.NoError(t, err)
	return c
}

func activeNamed(srv *anyscaletest.Server, u anyscaletest.User, name string) int {
	n := 0
	for _, k := range srv.Keys(u) {
		if k.Name == name && k.RevokedAt == nil {
			n++
		}
	}
	return n
}

func TestIntegrationCreateListRevoke(t *testing.T) {
	t.Parallel()
	for _, role := range []string{"owner", "collaborator"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			c, u := w.oc, w.owner
			if role == "collaborator" {
				c, u = w.ac, w.ada
			}
			ctx := context.Background()
			ks := keys.New(c)
			created, err := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: keys.MaxLifetime})
			require.NoError(t, err)
			assert.Equal(t, "ci", created.Key.Name)
			require.NotNil(t, created.Key.ExpiresAt)
			assert.WithinDuration(t, created.Key.CreatedAt.Add(keys.MaxLifetime), *created.Key.ExpiresAt, time.Second)
			assert.Equal(t, u.ID, created.Key.CreatedBy)

			// The new secret authenticates as the same user.
			me, err := w.clientFor(t, created.Secret.Reveal()).WhoAmI(ctx)
			require.NoError(t, err)
			assert.Equal(t, u.Email, me.Email)

			page, err := ks.List(ctx, keys.ListOptions{Name: "ci"})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, created.Key.ID, page.Items[0].ID)

			require.NoError(t, ks.Revoke(ctx, created.Key.ID))
			_, err = w.clientFor(t, created.Secret.Reveal()).WhoAmI(ctx)
			assert.ErrorIs(t, err, client.ErrUnauthorized, "a revoked key stops working")
			assert.ErrorIs(t, ks.Revoke(ctx, created.Key.ID), client.ErrNotFound, "revoking twice is reported")
		})
	}
}

func TestIntegrationNamePolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	own, ada := keys.New(w.oc), keys.New(w.ac)

	first, err := own.Create(ctx, keys.CreateRequest{Name: "deploy", ExpiresIn: time.Hour})
	require.NoError(t, err)
	_, err = own.Create(ctx, keys.CreateRequest{Name: "deploy", ExpiresIn: time.Hour})
	require.ErrorIs(t, err, client.ErrConflict, "names are unique among a user's active keys")
	assert.Equal(t, 1, activeNamed(w.srv, w.owner, "deploy"))

	_, err = ada.Create(ctx, keys.CreateRequest{Name: "deploy", ExpiresIn: time.Hour})
	require.NoError(t, err, "another user may use the same name")

	require.NoError(t, own.Revoke(ctx, first.Key.ID))
	_, err = own.Create(ctx, keys.CreateRequest{Name: "deploy", ExpiresIn: time.Hour})
	require.NoError(t, err, "a name is reusable after revoke")

	_, err = own.Create(ctx, keys.CreateRequest{Name: "short", ExpiresIn: time.Minute})
	require.NoError(t, err)
	w.srv.Advance(2 * time.Minute)
	_, err = own.Create(ctx, keys.CreateRequest{Name: "short", ExpiresIn: time.Minute})
	require.NoError(t, err, "a name is reusable after expiry")

	a, err := own.Create(ctx, keys.CreateRequest{ExpiresIn: time.Hour})
	require.NoError(t, err)
	b, err := own.Create(ctx, keys.CreateRequest{ExpiresIn: time.Hour})
	require.NoError(t, err)
	assert.NotEmpty(t, a.Key.Name, "the server generates a name")
	assert.NotEqual(t, a.Key.Name, b.Key.Name)
	assert.Equal(t, a.Key.ID, mustFind(t, own, a.Key.Name).ID)
}

func mustFind(t *testing.T, s *keys.Service, name string) keys.Key {
	t.Helper()
	for k, err := range s.All(context.Background(), keys.ListOptions{Name: name}) {
		require.NoError(t, err)
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key named %s", name)
	return keys.Key{}
}

func TestIntegrationExpiryPolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	_, err := keys.New(w.oc).Create(ctx, keys.CreateRequest{Name: "x", ExpiresIn: keys.MaxLifetime + time.Hour})
	require.ErrorIs(t, err, client.ErrInvalid)
	before := len(w.srv.Requests())

	// The server enforces the same rule for callers that skip the SDK's check.
	_, err = w.oc.Do(ctx, http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]any{"duration": 31 * 24 * 3600}, nil)
	require.ErrorIs(t, err, client.ErrInvalid)
	_, err = w.oc.Do(ctx, http.MethodPost, "/api/v2/users/create_api_key", nil, map[string]any{"name": "no-expiry"}, nil)
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Len(t, w.srv.Requests(), before+2, "the SDK's own check sent nothing")
}

func TestIntegrationScopes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	adaKey, err := keys.New(w.ac).Create(ctx, keys.CreateRequest{Name: "laptop", ExpiresIn: time.Hour})
	require.NoError(t, err)
	ownerKey, err := keys.New(w.oc).Create(ctx, keys.CreateRequest{Name: "server", ExpiresIn: time.Hour})
	require.NoError(t, err)

	// A collaborator sees only its own keys and cannot use the admin scope.
	seen := 0
	for k, err := range keys.New(w.ac).All(ctx, keys.ListOptions{}) {
		require.NoError(t, err)
		assert.Equal(t, w.ada.ID, k.CreatedBy)
		seen++
	}
	assert.Equal(t, 2, seen, "her seeded key and laptop")
	_, err = keys.New(w.ac).Org().List(ctx, keys.ListOptions{})
	assert.ErrorIs(t, err, client.ErrForbidden)
	assert.ErrorIs(t, keys.New(w.ac).Revoke(ctx, ownerKey.Key.ID), client.ErrNotFound, "someone else's key id is not found")
	assert.ErrorIs(t, keys.New(w.ac).Org().Revoke(ctx, ownerKey.Key.ID), client.ErrForbidden)
	res, err := keys.New(w.ac).Org().RevokeMany(ctx, []string{ownerKey.Key.ID})
	assert.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, res.Failed, ownerKey.Key.ID)
	res, err = keys.New(w.ac).RevokeMany(ctx, []string{ownerKey.Key.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{ownerKey.Key.ID}, res.NotFound, "the own bulk revoke skips others' keys, and says so")
	assert.Equal(t, 1, activeNamed(w.srv, w.owner, "server"))

	// The owner filters by email and revokes the collaborator's key.
	var names []string
	for k, err := range keys.New(w.oc).Org().All(ctx, keys.ListOptions{Owner: organization.ByEmail("ADA@example.com")}) {
		require.NoError(t, err)
		names = append(names, k.Name)
	}
	assert.Contains(t, names, "laptop")
	assert.NotContains(t, names, "server")
	require.NoError(t, keys.New(w.oc).Org().Revoke(ctx, adaKey.Key.ID))
	_, err = w.clientFor(t, adaKey.Secret.Reveal()).WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized)

	_, err = keys.New(w.oc).Org().List(ctx, keys.ListOptions{Owner: organization.ByEmail("nobody@example.com")})
	assert.ErrorIs(t, err, client.ErrNotFound)
}

func TestIntegrationPageLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	_, err := keys.New(w.oc).List(ctx, keys.ListOptions{PageSize: 51})
	require.ErrorIs(t, err, client.ErrInvalid)
	_, err = w.oc.Do(ctx, http.MethodGet, "/api/v2/users/api_keys", map[string][]string{"count": {"51"}}, nil, nil)
	assert.ErrorIs(t, err, client.ErrInvalid, "the server rejects count over 50 too")
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprintf("k%d", i)
	}
	_, err = w.oc.Do(ctx, http.MethodPost, "/api/v2/users/api_keys/revoke", nil, map[string][]string{"api_key_ids": ids}, nil)
	assert.ErrorIs(t, err, client.ErrInvalid, "the server rejects a bulk revoke of more than 50")
}

func TestIntegrationPagingStableWhileAdding(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	ks := keys.New(w.oc)
	for i := range 5 {
		_, err := ks.Create(ctx, keys.CreateRequest{Name: fmt.Sprintf("k%d", i), ExpiresIn: time.Hour})
		require.NoError(t, err)
	}
	before := map[string]bool{}
	for k, err := range ks.All(ctx, keys.ListOptions{}) {
		require.NoError(t, err)
		before[k.ID] = true
	}
	seen := map[string]int{}
	n := 0
	for k, err := range ks.All(ctx, keys.ListOptions{PageSize: 2}) {
		require.NoError(t, err)
		seen[k.ID]++
		n++
		if n%2 == 0 { // a key is added between pages
			_, err := ks.Create(ctx, keys.CreateRequest{Name: fmt.Sprintf("added%d", n), ExpiresIn: time.Hour})
			require.NoError(t, err)
		}
	}
	for id := range before {
		assert.Equal(t, 1, seen[id], "key %s seen exactly once", id)
	}
	for id, count := range seen {
		assert.Equal(t, 1, count, "key %s duplicated", id)
	}
}

func TestIntegrationRevokeManyBatchesAndAccounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	ks := keys.New(w.ac)
	var ids []string
	for i := range 60 {
		k, err := ks.Create(ctx, keys.CreateRequest{Name: fmt.Sprintf("bulk-%02d", i), ExpiresIn: time.Hour})
		require.NoError(t, err)
		ids = append(ids, k.Key.ID)
	}
	require.NoError(t, ks.Revoke(ctx, ids[0]))
	start := len(w.srv.Requests())
	res, err := keys.New(w.oc).Org().RevokeMany(ctx, append(ids, "unknown-id"))
	require.NoError(t, err)
	assert.Len(t, res.Revoked, 59)
	assert.Equal(t, []string{ids[0], "unknown-id"}, res.NotFound, "already revoked and unknown are reported, in the order given")
	assert.Empty(t, res.Failed)
	var batches []int
	for _, r := range w.srv.Requests()[start:] {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/revoke") {
			var body struct {
				IDs []string `json:"api_key_ids"`
			}
			require.NoError(t, json.Unmarshal(r.Body, &body))
			batches = append(batches, len(body.IDs))
		}
	}
	slices.Sort(batches) // batches go out at once, in any order
	assert.Equal(t, []int{11, 50}, batches, "batches of at most 50")
	for _, k := range w.srv.Keys(w.ada) {
		if strings.HasPrefix(k.Name, "bulk-") {
			assert.NotNil(t, k.RevokedAt, "key %s revoked", k.Name)
		}
	}
}

func TestIntegrationRotateAndRevokeAll(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	second, err := keys.New(w.ac).Create(ctx, keys.CreateRequest{Name: "second", ExpiresIn: time.Hour})
	require.NoError(t, err)
	fresh, err := keys.New(w.ac).Rotate(ctx)
	require.NoError(t, err)
	for _, old := range []string{w.ada.Token, second.Secret.Reveal()} {
		_, err = w.clientFor(t, old).WhoAmI(ctx)
		assert.ErrorIs(t, err, client.ErrUnauthorized, "rotate revokes every old key")
	}
	me, err := w.clientFor(t, fresh.Reveal()).WhoAmI(ctx)
	require.NoError(t, err)
	assert.Equal(t, w.ada.Email, me.Email)

	require.NoError(t, keys.New(w.oc).Org().RevokeAll(ctx, organization.ByEmail(w.ada.Email)))
	_, err = w.clientFor(t, fresh.Reveal()).WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized)
	assert.ErrorIs(t, keys.New(w.ac).Org().RevokeAll(ctx, organization.ByUserID(w.owner.ID)), client.ErrUnauthorized)
}

func TestIntegrationCollaboratorCannotRevokeAllForOthers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	err := keys.New(w.ac).Org().RevokeAll(context.Background(), organization.ByUserID(w.owner.ID))
	assert.ErrorIs(t, err, client.ErrForbidden)
	_, err = w.clientFor(t, w.owner.Token).WhoAmI(context.Background())
	assert.NoError(t, err)
}

func TestIntegrationAudit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	bot := w.srv.AddServiceAccount("bot")
	legacy := w.srv.AddLegacyKey(w.ada, "old-laptop")
	w.srv.SetLastUsed(legacy, w.srv.Now())
	soon, err := keys.New(w.ac).Create(ctx, keys.CreateRequest{Name: "soon", ExpiresIn: 2 * 24 * time.Hour})
	require.NoError(t, err)
	w.srv.SetLastUsed(soon.Key.ID, w.srv.Now())
	spare, _ := w.srv.AddKey(w.ada, "spare", 10*24*time.Hour)
	botKey := w.srv.Keys(bot)[0].ID
	w.srv.SetLastUsed(botKey, w.srv.Now().Add(-40*24*time.Hour))

	report, err := keys.New(w.oc).Org().Audit(ctx, keys.AuditOptions{Now: w.srv.Now})
	require.NoError(t, err)
	type named struct {
		kind  keys.FindingKind
		owner string
	}
	got := map[string][]named{}
	for _, f := range report.Findings {
		got[f.Key.ID] = append(got[f.Key.ID], named{f.Kind, f.OwnerEmail})
	}
	assert.Equal(t, []named{{keys.FindingLegacy, w.ada.Email}}, got[legacy])
	assert.Equal(t, []named{{keys.FindingExpiringSoon, w.ada.Email}}, got[soon.Key.ID])
	assert.Equal(t, []named{{keys.FindingUnused, bot.Email}}, got[botKey], "idle for 40 days; its 100-year life is no finding")
	assert.Equal(t, []named{{keys.FindingUnused, w.ada.Email}}, got[spare], "never used")
	assert.Empty(t, got[w.srv.Keys(w.ada)[0].ID], "her seeded key made the key named soon")
	assert.Empty(t, got[w.srv.Keys(w.owner)[0].ID], "the owner's key is in use: this very audit uses it")
	assert.Equal(t, 6, report.Checked)

	_, err = keys.New(w.ac).Org().Audit(ctx, keys.AuditOptions{})
	assert.ErrorIs(t, err, client.ErrForbidden)
}

// The real bulk-revoke answer's fields are unknown: against a server that
// answers in a shape the SDK does not know, RevokeMany still accounts for
// every id from what the server says one id at a time. The first batch's
// own bulk request revoked its keys, so alone they are found gone; the
// Service's later calls revoke one at a time from the start.
func TestIntegrationRevokeManyUnknownAnswer(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t, anyscaletest.WithUnknownRevokeAnswer())
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	ac, err := srv.Client(ada, quick)
	require.NoError(t, err)
	ctx := context.Background()
	create := func(n int, prefix string) []string {
		var out []string
		for i := range n {
			k, err := keys.New(ac).Create(ctx, keys.CreateRequest{Name: fmt.Sprintf("%s%d", prefix, i), ExpiresIn: time.Hour})
			require.NoError(t, err)
			out = append(out, k.Key.ID)
		}
		return out
	}
	ids := create(3, "a")
	require.NoError(t, keys.New(ac).Revoke(ctx, ids[2]))
	ks := keys.New(ac)
	given := append(ids, "unknown-id")
	res, err := ks.RevokeMany(ctx, given)
	require.NoError(t, err)
	accounted(t, given, res, err)
	assert.Equal(t, given, res.NotFound, "its bulk request revoked them; alone, each is found gone")
	for _, id := range ids {
		k, _ := srv.Key(id)
		assert.NotNil(t, k.RevokedAt)
	}

	more := create(2, "b")
	srv.ResetRequests()
	res, err = ks.RevokeMany(ctx, append(more, "unknown-id"))
	require.NoError(t, err)
	assert.Equal(t, more, res.Revoked, "the Service learned: one at a time, each reported as it is")
	assert.Equal(t, []string{"unknown-id"}, res.NotFound)
	for _, r := range srv.Requests() {
		assert.NotEqual(t, http.MethodPost, r.Method, "no more bulk requests")
	}
}
