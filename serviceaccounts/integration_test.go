package serviceaccounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// quick keeps retries fast against the fake server.
var quick = client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})

type world struct {
	srv    *anyscaletest.Server
	owner  anyscaletest.User
	ada    anyscaletest.User // a collaborator
	own    *serviceaccounts.Service
	collab *serviceaccounts.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := anyscaletest.Start(t)
	w := &world{srv: srv, owner: srv.Owner(), ada: srv.AddUser("ada@example.com", anyscaletest.Collaborator)}
	oc, err := srv.Client(w.owner, quick)
	require.NoError(t, err)
	ac, err := srv.Client(w.ada, quick)
	require.NoError(t, err)
	w.own, w.collab = serviceaccounts.New(oc), serviceaccounts.New(ac)
	return w
}

// tokenClient returns a client of the server that authenticates with secret.
func (w *world) tokenClient(t *testing.T, secret credentials.Secret) *client.Client {
	t.Helper()
	c, err := w.srv.ClientWithToken(secret.Reveal(), quick)
	require.NoError(t, err)
	return c
}

// whoami returns the email the secret authenticates as, or the error.
func (w *world) whoami(t *testing.T, secret credentials.Secret) (string, error) {
	t.Helper()
	me, err := w.tokenClient(t, secret).WhoAmI(context.Background())
	if err != nil {
		return "", err
	}
	return me.Email, nil
}

// works asserts that secret authenticates as email.
func (w *world) works(t *testing.T, secret credentials.Secret, email string) {
	t.Helper()
	got, err := w.whoami(t, secret)
	require.NoError(t, err)
	assert.Equal(t, email, got)
}

// rejected asserts that secret no longer authenticates.
func (w *world) rejected(t *testing.T, secret credentials.Secret) {
	t.Helper()
	_, err := w.whoami(t, secret)
	assert.ErrorIs(t, err, client.ErrUnauthorized)
}

// serverUser is the server's view of the service account with email.
func (w *world) serverUser(t *testing.T, email string) anyscaletest.User {
	t.Helper()
	u, ok := w.srv.LookupUser(email)
	require.True(t, ok, "%s is a member", email)
	return u
}

// activeKeys returns the ids of u's unrevoked keys on the server.
func (w *world) activeKeys(u anyscaletest.User) []string {
	var ids []string
	for _, k := range w.srv.Keys(u) {
		if k.RevokedAt == nil {
			ids = append(ids, k.ID)
		}
	}
	return ids
}

// countNamed counts the current service accounts named name, as the
// owner lists them.
func (w *world) countNamed(t *testing.T, name string) int {
	t.Helper()
	n := 0
	for sa, err := range w.own.All(context.Background(), serviceaccounts.ListOptions{Name: name}) {
		require.NoError(t, err)
		if strings.EqualFold(sa.Name, name) {
			n++
		}
	}
	return n
}

func saEmail(srv *anyscaletest.Server, name string) string {
	return name + "@org-" + srv.OrgID() + ".serviceaccount.com"
}

func TestIntegrationCreate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()

	created, err := w.own.Create(ctx, "ci-deployer")
	require.NoError(t, err)
	sa := created.Account
	assert.Equal(t, "ci-deployer", sa.Name)
	assert.Equal(t, saEmail(w.srv, "ci-deployer"), sa.Email)
	assert.Regexp(t, `^ide_[a-z0-9]{26}$`, sa.IdentityID)
	assert.Equal(t, sa.IdentityID, sa.ID, "the deprecated ID holds the same value") // the deprecated spelling
	assert.Regexp(t, `^usr_[a-z0-9]{26}$`, sa.UserID)
	assert.Equal(t, "collaborator", sa.PermissionLevel)
	assert.True(t, w.srv.Now().Equal(sa.CreatedAt), "created now: %v", sa.CreatedAt)

	// The secret authenticates as the service account.
	w.works(t, created.Secret, sa.Email)

	// Its one key lives 100 years on the server, made by the owner.
	u := w.serverUser(t, sa.Email)
	assert.Equal(t, sa.UserID, u.ID)
	assert.Equal(t, sa.IdentityID, u.IdentityID)
	ks := w.srv.Keys(u)
	require.Len(t, ks, 1)
	require.NotNil(t, ks[0].ExpiresAt)
	assert.Equal(t, serviceaccounts.DefaultKeyLifetime, ks[0].ExpiresAt.Sub(ks[0].CreatedAt))
	assert.WithinDuration(t, w.srv.Now().Add(100*365*24*time.Hour), *ks[0].ExpiresAt, time.Second)
	assert.Equal(t, w.owner.ID, ks[0].CreatedBy)

	// The same name again conflicts and makes no second account.
	_, err = w.own.Create(ctx, "ci-deployer")
	require.ErrorIs(t, err, client.ErrConflict)
	assert.Equal(t, 1, w.countNamed(t, "ci-deployer"))
	assert.Len(t, w.srv.Keys(u), 1, "and no second key")

	// Get finds it as Create returned it.
	got, err := w.own.Get(ctx, serviceaccounts.ByName("ci-deployer"))
	require.NoError(t, err)
	assert.Equal(t, sa.IdentityID, got.IdentityID)
	assert.Equal(t, sa.UserID, got.UserID)
	assert.Equal(t, sa.Email, got.Email)
	assert.True(t, sa.CreatedAt.Equal(got.CreatedAt))
}

func TestIntegrationCreateWithExpiresIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	created, err := w.own.Create(context.Background(), "short", serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour})
	require.NoError(t, err)
	ks := w.srv.Keys(w.serverUser(t, created.Account.Email))
	require.Len(t, ks, 1)
	require.NotNil(t, ks[0].ExpiresAt)
	assert.Equal(t, 90*24*time.Hour, ks[0].ExpiresAt.Sub(ks[0].CreatedAt), "service account keys may outlive the 30-day user cap")

	w.srv.Advance(90*24*time.Hour - time.Second)
	w.works(t, created.Secret, created.Account.Email)
	w.srv.Advance(time.Second)
	w.rejected(t, created.Secret)
}

func TestIntegrationListAllGet(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	for _, name := range []string{"ci", "ci-a", "ci-b"} {
		_, err := w.own.Create(ctx, name)
		require.NoError(t, err)
	}
	batch := w.srv.AddServiceAccount("batch")
	w.srv.AddUser("ci@example.com", anyscaletest.Collaborator) // a user whose email matches "ci"

	// Both owner and collaborator may list and get.
	for role, s := range map[string]*serviceaccounts.Service{"owner": w.own, "collaborator": w.collab} {
		t.Run(role, func(t *testing.T) {
			page, err := s.List(ctx, serviceaccounts.ListOptions{PageSize: 2})
			require.NoError(t, err)
			assert.Len(t, page.Items, 2)
			assert.Equal(t, 4, page.Total, "only service accounts")
			assert.NotEmpty(t, page.NextPageToken)

			var names []string
			for sa, err := range s.All(ctx, serviceaccounts.ListOptions{PageSize: 1}) {
				require.NoError(t, err)
				names = append(names, sa.Name)
				assert.True(t, strings.HasSuffix(sa.Email, ".serviceaccount.com"), sa.Email)
			}
			assert.Equal(t, []string{"ci", "ci-a", "ci-b", "batch"}, names, "oldest first, no users")

			names = nil
			for sa, err := range s.All(ctx, serviceaccounts.ListOptions{Name: "ci"}) {
				require.NoError(t, err)
				names = append(names, sa.Name)
			}
			assert.Equal(t, []string{"ci", "ci-a", "ci-b"}, names, "the server matches names partially")

			names = nil
			for sa, err := range s.All(ctx, serviceaccounts.ListOptions{Email: "batch@"}) {
				require.NoError(t, err)
				names = append(names, sa.Name)
			}
			assert.Equal(t, []string{"batch"}, names)

			got, err := s.Get(ctx, serviceaccounts.ByName("ci"))
			require.NoError(t, err, "an exact match among partial ones")
			assert.Equal(t, "ci", got.Name)

			got, err = s.Get(ctx, serviceaccounts.ByEmail(strings.ToUpper(batch.Email)))
			require.NoError(t, err)
			assert.Equal(t, batch.IdentityID, got.IdentityID)
			assert.Equal(t, batch.ID, got.UserID)

			_, err = s.Get(ctx, serviceaccounts.ByName("ci-"))
			assert.ErrorIs(t, err, client.ErrNotFound, "a partial match is not enough")
			_, err = s.Get(ctx, serviceaccounts.ByEmail("ci@example.com"))
			assert.ErrorIs(t, err, client.ErrNotFound, "a user is not a service account")
			_, err = s.Get(ctx, serviceaccounts.ByName("nope"))
			assert.ErrorIs(t, err, client.ErrNotFound)
		})
	}
}

func TestIntegrationGetReadsEveryPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	// 51 accounts whose names contain "bot": the exact "bot" is last, on
	// page two.
	for i := range 50 {
		w.srv.AddServiceAccount("bot-" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	w.srv.AddServiceAccount("bot")
	got, err := w.own.Get(ctx, serviceaccounts.ByName("bot"))
	require.NoError(t, err)
	assert.Equal(t, "bot", got.Name)
}

func TestIntegrationCreateAPIKeyAndKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	created, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	ref := serviceaccounts.ByName("ci")
	u := w.serverUser(t, created.Account.Email)

	second, err := w.own.CreateKey(ctx, ref, serviceaccounts.KeyOptions{ExpiresIn: time.Hour})
	require.NoError(t, err)
	assert.NotEqual(t, created.Secret.Reveal(), second.Reveal())
	w.works(t, second, created.Account.Email)
	w.works(t, created.Secret, created.Account.Email) // the old one still works
	assert.Len(t, w.activeKeys(u), 2)

	var listed []string
	for k, err := range w.own.Keys(ctx, ref) {
		require.NoError(t, err)
		listed = append(listed, k.ID)
		assert.Equal(t, w.owner.ID, k.CreatedBy)
		assert.Equal(t, keys.Active, k.Status(w.srv.Now()))
	}
	assert.ElementsMatch(t, w.activeKeys(u), listed)

	// Keys of another account do not show up.
	other := w.srv.AddServiceAccount("other")
	theirs := 0
	for k, err := range w.own.Keys(ctx, serviceaccounts.ByEmail(other.Email)) {
		require.NoError(t, err)
		assert.NotContains(t, listed, k.ID)
		theirs++
	}
	require.NotEmpty(t, w.srv.Keys(other))
	assert.Equal(t, len(w.srv.Keys(other)), theirs, "the other account's own keys are listed, and only those")
}

func TestIntegrationRotateAPIKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	created, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	ref := serviceaccounts.ByEmail(strings.ToUpper(created.Account.Email))
	second, err := w.own.CreateKey(ctx, ref)
	require.NoError(t, err)

	rotated, err := w.own.RotateKeys(ctx, ref)
	require.NoError(t, err)
	w.rejected(t, created.Secret)
	w.rejected(t, second)
	w.works(t, rotated, created.Account.Email)

	u := w.serverUser(t, created.Account.Email)
	active := w.activeKeys(u)
	require.Len(t, active, 1)
	k, ok := w.srv.Key(active[0])
	require.True(t, ok)
	assert.Equal(t, serviceaccounts.DefaultKeyLifetime, k.ExpiresAt.Sub(k.CreatedAt))
	assert.Len(t, w.srv.Keys(u), 3, "revoked keys stay on record")

	var listed []string
	for k, err := range w.own.Keys(ctx, ref) {
		require.NoError(t, err)
		listed = append(listed, k.ID)
	}
	assert.Equal(t, active, listed)
}

func TestIntegrationRevokeAllAPIKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	created, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	ref := serviceaccounts.ByName("ci")
	second, err := w.own.CreateKey(ctx, ref)
	require.NoError(t, err)

	require.NoError(t, w.own.RevokeAllKeys(ctx, ref))
	w.rejected(t, created.Secret)
	w.rejected(t, second)
	u := w.serverUser(t, created.Account.Email)
	assert.Empty(t, w.activeKeys(u), "no new key either")
	for k, err := range w.own.Keys(ctx, ref) {
		require.NoError(t, err)
		t.Errorf("unexpected key %s", k.ID)
	}
	// The account remains, and revoking again is harmless.
	_, err = w.own.Get(ctx, ref)
	require.NoError(t, err)
	require.NoError(t, w.own.RevokeAllKeys(ctx, ref))
}

func TestIntegrationDelete(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	created, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	ref := serviceaccounts.ByName("ci")
	second, err := w.own.CreateKey(ctx, ref)
	require.NoError(t, err)
	keep, err := w.own.Create(ctx, "keep")
	require.NoError(t, err)

	require.NoError(t, w.own.Delete(ctx, ref))
	w.rejected(t, created.Secret)
	w.rejected(t, second)
	w.works(t, keep.Secret, keep.Account.Email) // only that one is gone
	_, err = w.own.Get(ctx, ref)
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, ok := w.srv.LookupUser(created.Account.Email)
	assert.False(t, ok)
	assert.ErrorIs(t, w.own.Delete(ctx, ref), client.ErrNotFound, "deleting twice is reported")

	// The DELETE named the identity id.
	var deletes []string
	for _, r := range w.srv.Requests() {
		if r.Method == "DELETE" {
			deletes = append(deletes, r.Path)
		}
	}
	assert.Equal(t, []string{"/api/v2/organization_collaborators/" + created.Account.IdentityID}, deletes)

	// The name is free again.
	again, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	assert.NotEqual(t, created.Account.UserID, again.Account.UserID)
}

func TestIntegrationCollaboratorIsForbidden(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	created, err := w.own.Create(ctx, "ci")
	require.NoError(t, err)
	ref := serviceaccounts.ByName("ci")
	u := w.serverUser(t, created.Account.Email)
	before := w.srv.Keys(u)

	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"Create", func() error { _, err := w.collab.Create(ctx, "mine"); return err }},
		{"CreateKey", func() error { _, err := w.collab.CreateKey(ctx, ref); return err }},
		{"RotateKeys", func() error { _, err := w.collab.RotateKeys(ctx, ref); return err }},
		{"RevokeAllKeys", func() error { return w.collab.RevokeAllKeys(ctx, ref) }},
		{"Delete", func() error { return w.collab.Delete(ctx, ref) }},
		{"Keys", func() error {
			for _, err := range w.collab.Keys(ctx, ref) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		err := tc.run()
		require.ErrorIs(t, err, client.ErrForbidden, tc.name)
		assert.Contains(t, err.Error(), ownerPhrase, tc.name)
	}

	// Nothing changed on the server.
	assert.Equal(t, before, w.srv.Keys(u), "no key made or revoked")
	w.works(t, created.Secret, created.Account.Email)
	_, ok := w.srv.LookupUser(saEmail(w.srv, "mine"))
	assert.False(t, ok, "no account made")
	n := 0
	for _, err := range w.own.All(ctx, serviceaccounts.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
}

func TestIntegrationServiceAccountTokenIsNoOwner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	created, err := w.own.Create(context.Background(), "ci")
	require.NoError(t, err)
	_, err = serviceaccounts.New(w.tokenClient(t, created.Secret)).Create(context.Background(), "escalate")
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), ownerPhrase)
}

// A CI job runs on its service account's own token. Not an owner, it cannot
// use RotateKeys, and the error says what works: keys.New(c).Rotate,
// which revokes its keys and returns a new one. An owner service account
// can use RotateKeys like any owner.
func TestIntegrationServiceAccountRotatesItsOwnToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	bot := w.srv.AddServiceAccount("ci-bot")
	job := w.tokenClient(t, credentials.Secret(bot.Token))

	_, err := serviceaccounts.New(job).RotateKeys(ctx, serviceaccounts.ByName("ci-bot"))
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "keys.New(c).Rotate", "the error says what works for a service account")
	w.works(t, credentials.Secret(bot.Token), bot.Email)

	fresh, err := keys.New(job).Rotate(ctx)
	require.NoError(t, err)
	w.works(t, fresh, bot.Email)
	_, err = w.whoami(t, credentials.Secret(bot.Token))
	assert.ErrorIs(t, err, client.ErrUnauthorized, "the old token is revoked")

	admin := w.srv.AddServiceAccount("ops-bot", anyscaletest.Owner)
	rotated, err := serviceaccounts.New(w.tokenClient(t, credentials.Secret(admin.Token))).RotateKeys(ctx, serviceaccounts.ByName("ci-bot"))
	require.NoError(t, err, "an owner service account rotates others' keys")
	w.works(t, rotated, bot.Email)
	_, err = w.whoami(t, fresh)
	assert.ErrorIs(t, err, client.ErrUnauthorized)
}

// TestIntegrationCreateFaultNoDuplicate: the server makes the account but
// the answer is lost; the SDK must not retry the POST into a second one.
func TestIntegrationCreateFaultNoDuplicate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.srv.FailNext(anyscaletest.Fault{Method: "POST", PathPrefix: "/api/v2/users/service_accounts", Status: 500, AfterHandler: true})
	_, err := w.own.Create(ctx, "ci")
	require.Error(t, err)
	assert.ErrorIs(t, err, client.ErrServer)
	assert.Equal(t, 1, w.countNamed(t, "ci"), "exactly one account")

	var creates, keyCreates int
	for _, r := range w.srv.Requests() {
		switch {
		case r.Method == "POST" && r.Path == "/api/v2/users/service_accounts":
			creates++
		case r.Method == "POST" && r.Path == "/api/v2/users/create_api_key":
			keyCreates++
		}
	}
	assert.Equal(t, 1, creates, "the POST was not retried")
	assert.Equal(t, 0, keyCreates)

	// The way out: the account exists, so make its key.
	_, err = w.own.Create(ctx, "ci")
	require.ErrorIs(t, err, client.ErrConflict)
	secret, err := w.own.CreateKey(ctx, serviceaccounts.ByName("ci"))
	require.NoError(t, err)
	w.works(t, secret, saEmail(w.srv, "ci"))
}

// TestIntegrationCreateKeyFaultNoDuplicate: the first key is made but the
// answer is lost; the SDK must not retry into a second key, and says how
// to recover.
func TestIntegrationCreateKeyFaultNoDuplicate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.srv.FailNext(anyscaletest.Fault{Method: "POST", PathPrefix: "/api/v2/users/create_api_key", Status: 500, AfterHandler: true})
	_, err := w.own.Create(ctx, "ci")
	require.ErrorIs(t, err, client.ErrServer)
	assert.Contains(t, err.Error(), "the answer to its first key was lost")
	assert.Contains(t, err.Error(), "RotateKeys")
	u := w.serverUser(t, saEmail(w.srv, "ci"))
	assert.Len(t, w.srv.Keys(u), 1, "one key, not retried")

	// The advice works: rotating leaves exactly one active key, the one
	// whose secret we hold.
	secret, err := w.own.RotateKeys(ctx, serviceaccounts.ByName("ci"))
	require.NoError(t, err)
	active := 0
	for _, k := range w.srv.Keys(u) {
		if k.RevokedAt == nil {
			active++
		}
	}
	assert.Equal(t, 1, active)
	w.works(t, secret, saEmail(w.srv, "ci"))
}

func TestIntegrationRetryAfter503(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// A 503 with Retry-After means the server did not act: safe to retry.
	w.srv.FailNext(anyscaletest.Fault{Method: "POST", PathPrefix: "/api/v2/users/service_accounts", Status: 503, RetryAfter: "0"})
	created, err := w.own.Create(context.Background(), "ci")
	require.NoError(t, err)
	w.works(t, created.Secret, created.Account.Email)
	assert.Equal(t, 1, w.countNamed(t, "ci"))
}

func TestIntegrationGetIsExact(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	_, err := w.own.Create(ctx, "prod")
	require.NoError(t, err)
	_, err = w.own.Get(ctx, serviceaccounts.ByName("Prod"))
	require.ErrorIs(t, err, client.ErrNotFound, "a name that differs in case is not the account")
	assert.Contains(t, err.Error(), `"prod" differs only in case`)
	err = w.own.Delete(ctx, serviceaccounts.ByName("Prod"))
	require.ErrorIs(t, err, client.ErrNotFound)
	_, err = w.own.Get(ctx, serviceaccounts.ByName(" prod "))
	assert.NoError(t, err, "surrounding white space is trimmed")
}

// TestIntegrationLookalikeEmailActsOnNothing: the fake's email filter
// lower-cases with Unicode rules, so it answers a KELVIN SIGN with the
// kiosk account; Get matches as the server stores emails, and no key of
// that account is revoked, made or deleted.
func TestIntegrationLookalikeEmailActsOnNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	made, err := w.own.Create(ctx, "kiosk")
	require.NoError(t, err)
	lookalike := serviceaccounts.ByEmail(strings.Replace(made.Account.Email, "k", "\u212A", 1))
	w.srv.ResetRequests()

	_, err = w.own.Get(ctx, lookalike)
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "U+212A")
	_, err = w.own.RotateKeys(ctx, lookalike)
	require.ErrorIs(t, err, client.ErrNotFound)
	require.ErrorIs(t, w.own.RevokeAllKeys(ctx, lookalike), client.ErrNotFound)
	require.ErrorIs(t, w.own.Delete(ctx, lookalike), client.ErrNotFound)
	require.NotEmpty(t, w.srv.Requests(), "the look-ups were sent")
	for _, r := range w.srv.Requests() {
		assert.Equal(t, "GET", r.Method, "only lists were sent: %s %s", r.Method, r.Path)
	}
	w.works(t, made.Secret, made.Account.Email)

	got, err := w.own.Get(ctx, serviceaccounts.ByEmail(strings.ToUpper(made.Account.Email)))
	require.NoError(t, err, "ASCII capitals still match")
	assert.Equal(t, made.Account.UserID, got.UserID)
}
