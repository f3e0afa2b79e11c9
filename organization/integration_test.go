package organization_test

import (
	"context"
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

// orgWorld is a fake organization: the seeded owner, a second owner, a
// collaborator and two service accounts, in that order of creation.
type orgWorld struct {
	srv                 *anyscaletest.Server
	owner, bob, alice   anyscaletest.User
	ciBot, nightly      anyscaletest.User
	ownerOrg, aliceOrg  *organization.Service
	ownerClient, aliceC *client.Client
}

func newOrgWorld(t *testing.T) *orgWorld {
	t.Helper()
	srv := anyscaletest.Start(t)
	w := &orgWorld{
		srv:     srv,
		owner:   srv.Owner(),
		bob:     srv.AddUser("bob@other.org", anyscaletest.Owner),
		alice:   srv.AddUser("Alice@Example.com", anyscaletest.Collaborator),
		ciBot:   srv.AddServiceAccount("ci-bot"),
		nightly: srv.AddServiceAccount("Nightly"),
	}
	w.ownerClient = w.clientOf(t, w.owner.Token)
	w.aliceC = w.clientOf(t, w.alice.Token)
	w.ownerOrg, w.aliceOrg = organization.New(w.ownerClient), organization.New(w.aliceC)
	return w
}

// clientOf returns a client of the server that authenticates with secret.
func (w *orgWorld) clientOf(t *testing.T, secret string) *client.Client {
	t.Helper()
	c, err := w.srv.ClientWithToken(secret, quick)
	require.NoError(t, err)
	return c
}

// emails lists the emails All yields for opts.
func emails(t *testing.T, s *organization.Service, opts organization.ListOptions) []string {
	t.Helper()
	var out []string
	for m, err := range s.All(context.Background(), opts) {
		require.NoError(t, err)
		out = append(out, m.Email)
	}
	return out
}

// deletes lists the paths of the DELETE requests the server received.
func deletes(srv *anyscaletest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method == "DELETE" {
			out = append(out, r.Path)
		}
	}
	return out
}

func TestIntegrationListKinds(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	users := []string{w.owner.Email, "bob@other.org", "alice@example.com"}
	bots := []string{w.ciBot.Email, w.nightly.Email}

	// Every member may list; oldest first.
	for role, s := range map[string]*organization.Service{"owner": w.ownerOrg, "collaborator": w.aliceOrg} {
		t.Run(role, func(t *testing.T) {
			assert.Equal(t, append(append([]string{}, users...), bots...), emails(t, s, organization.ListOptions{}))
			assert.Equal(t, append(append([]string{}, users...), bots...), emails(t, s, organization.ListOptions{Kind: organization.AllAccounts}))
			assert.Equal(t, users, emails(t, s, organization.ListOptions{Kind: organization.UserAccounts}))
			assert.Equal(t, bots, emails(t, s, organization.ListOptions{Kind: organization.ServiceAccounts}))
			assert.Equal(t, append(append([]string{}, users...), bots...), emails(t, s, organization.ListOptions{PageSize: 1}), "paged one by one")
		})
	}

	page, err := w.ownerOrg.List(context.Background(), organization.ListOptions{Kind: organization.UserAccounts, PageSize: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, page.Total)
	require.Len(t, page.Items, 2)
	require.NotEmpty(t, page.NextPageToken)
	rest, err := w.ownerOrg.List(context.Background(), organization.ListOptions{Kind: organization.UserAccounts, PageSize: 2, PageToken: page.NextPageToken})
	require.NoError(t, err)
	require.Len(t, rest.Items, 1)
	assert.Empty(t, rest.NextPageToken)
	assert.Equal(t, "alice@example.com", rest.Items[0].Email)

	// The decoded members.
	all := map[string]organization.Member{}
	for m, err := range w.ownerOrg.All(context.Background(), organization.ListOptions{}) {
		require.NoError(t, err)
		all[m.Email] = m
	}
	for _, u := range []anyscaletest.User{w.owner, w.bob, w.alice, w.ciBot, w.nightly} {
		m := all[u.Email]
		assert.Equal(t, u.IdentityID, m.IdentityID, u.Email)
		assert.Equal(t, u.ID, m.UserID, u.Email)
		assert.Equal(t, u.Name, m.Name, u.Email)
		assert.Equal(t, string(u.Role), m.PermissionLevel, u.Email)
		assert.True(t, w.srv.Now().Equal(m.CreatedAt), u.Email)
	}
	assert.False(t, all[w.owner.Email].ServiceAccount)
	assert.False(t, all["alice@example.com"].ServiceAccount)
	assert.True(t, all[w.ciBot.Email].ServiceAccount)
	assert.Equal(t, "Nightly", all[w.nightly.Email].Name)
	assert.Equal(t, "owner", all["bob@other.org"].PermissionLevel)
	assert.Equal(t, "collaborator", all["alice@example.com"].PermissionLevel)
}

func TestIntegrationListFilters(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	s := w.ownerOrg
	assert.Equal(t, []string{w.owner.Email, "alice@example.com"}, emails(t, s, organization.ListOptions{Email: "example.com"}))
	assert.Equal(t, []string{"alice@example.com"}, emails(t, s, organization.ListOptions{Email: "ALICE"}), "the server matches without regard to case")
	assert.Equal(t, []string{w.ciBot.Email, w.nightly.Email}, emails(t, s, organization.ListOptions{Email: "serviceaccount.com"}))
	assert.Equal(t, []string{w.nightly.Email}, emails(t, s, organization.ListOptions{Name: "night"}))
	assert.Equal(t, []string{w.ciBot.Email}, emails(t, s, organization.ListOptions{Name: "ci", Kind: organization.ServiceAccounts}))
	assert.Empty(t, emails(t, s, organization.ListOptions{Name: "ci-bot", Kind: organization.UserAccounts}), "filters combine")
	assert.Equal(t, []string{"bob@other.org"}, emails(t, s, organization.ListOptions{Name: "bob", Email: "other.org"}))
	assert.Empty(t, emails(t, s, organization.ListOptions{Email: "nobody"}))
}

func TestIntegrationGet(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	for _, s := range []*organization.Service{w.ownerOrg, w.aliceOrg} {
		m, err := s.Get(ctx, organization.ByEmail("ALICE@example.COM"))
		require.NoError(t, err)
		assert.Equal(t, w.alice.IdentityID, m.IdentityID)
		assert.Equal(t, "alice@example.com", m.Email)

		m, err = s.Get(ctx, organization.ByEmail(strings.ToUpper(w.ciBot.Email)))
		require.NoError(t, err)
		assert.Equal(t, w.ciBot.IdentityID, m.IdentityID)
		assert.True(t, m.ServiceAccount)

		// Every form of reference finds the same member.
		for _, ref := range []organization.Ref{organization.ByName("Nightly"), organization.ByUserID(w.nightly.ID), organization.ByIdentityID(w.nightly.IdentityID)} {
			m, err = s.Get(ctx, ref)
			require.NoError(t, err, ref)
			assert.Equal(t, w.nightly.IdentityID, m.IdentityID, ref)
			assert.Equal(t, w.nightly.ID, m.UserID, ref)
		}

		_, err = s.Get(ctx, organization.ByEmail("ice@example.com"))
		assert.ErrorIs(t, err, client.ErrNotFound, "a partial match is no match")
		_, err = s.Get(ctx, organization.ByEmail("nobody@example.com"))
		assert.ErrorIs(t, err, client.ErrNotFound)
		_, err = s.Get(ctx, organization.ByName("nightly"))
		assert.ErrorIs(t, err, client.ErrNotFound, "names match exactly")
		_, err = s.Get(ctx, organization.ByUserID(w.alice.IdentityID))
		assert.ErrorIs(t, err, client.ErrInvalid, "an identity id is not a user id")
	}
}

// FindByEmail, deprecated, finds members as it did.
func TestIntegrationFindByEmail(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	m, err := w.aliceOrg.FindByEmail(context.Background(), "ALICE@example.COM") // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, w.alice.IdentityID, m.IdentityID)
	_, err = w.aliceOrg.FindByEmail(context.Background(), "nobody@example.com") // the deprecated spelling
	assert.ErrorIs(t, err, client.ErrNotFound)
}

func TestIntegrationRemove(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()

	// Alice makes a key of her own, besides her seeded one.
	made, err := keys.New(w.aliceC).Create(ctx, keys.CreateRequest{Name: "laptop", ExpiresIn: time.Hour})
	require.NoError(t, err)
	laptop := w.clientOf(t, made.Secret.Reveal())
	_, err = laptop.WhoAmI(ctx)
	require.NoError(t, err)

	require.NoError(t, w.ownerOrg.Remove(ctx, "Alice@Example.com"))
	assert.Equal(t, []string{"/api/v2/organization_collaborators/" + w.alice.IdentityID}, deletes(w.srv), "removed by identity id")

	// Every key of hers stops working.
	_, err = w.aliceC.WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized, "the seeded key")
	_, err = laptop.WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized, "the key she made")
	for _, k := range w.srv.Keys(w.alice) {
		assert.NotNil(t, k.RevokedAt, k.Name)
	}

	// She is gone from the list; nobody else is.
	assert.NotContains(t, emails(t, w.ownerOrg, organization.ListOptions{}), "alice@example.com")
	assert.Len(t, emails(t, w.ownerOrg, organization.ListOptions{}), 4)
	_, err = w.ownerOrg.Get(ctx, organization.ByEmail("alice@example.com"))
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = w.clientOf(t, w.bob.Token).WhoAmI(ctx)
	assert.NoError(t, err, "other members keep their keys")

	// Removing her again: not found, and no second DELETE.
	assert.ErrorIs(t, w.ownerOrg.Remove(ctx, "alice@example.com"), client.ErrNotFound)
	assert.Len(t, deletes(w.srv), 1)
}

func TestIntegrationRemoveServiceAccountAndOwner(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	// An owner may remove a service account, and another owner.
	require.NoError(t, w.ownerOrg.Remove(ctx, w.ciBot.Email))
	_, err := w.clientOf(t, w.ciBot.Token).WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized)

	require.NoError(t, w.ownerOrg.Remove(ctx, "BOB@other.org"))
	_, err = w.clientOf(t, w.bob.Token).WhoAmI(ctx)
	assert.ErrorIs(t, err, client.ErrUnauthorized)
	assert.Equal(t, []string{w.owner.Email, "alice@example.com", w.nightly.Email}, emails(t, w.ownerOrg, organization.ListOptions{}))
}

func TestIntegrationRemoveSelfRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	for _, email := range []string{w.owner.Email, strings.ToUpper(w.owner.Email), " " + w.owner.Email + " "} {
		err := w.ownerOrg.Remove(ctx, email)
		require.ErrorIs(t, err, client.ErrForbidden, email)
		assert.Contains(t, err.Error(), "nobody can remove themselves")
	}
	// A collaborator removing itself is refused the same way.
	err := w.aliceOrg.Remove(ctx, "alice@example.com")
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "nobody can remove themselves")

	assert.Empty(t, deletes(w.srv), "no DELETE was sent")
	_, err = w.ownerClient.WhoAmI(ctx)
	assert.NoError(t, err)
}

func TestIntegrationServerRefusesSelfRemoval(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	// RemoveByID, deprecated, does not check who calls; the server does.
	err := w.ownerOrg.RemoveByID(ctx, w.owner.IdentityID) // the deprecated spelling
	require.ErrorIs(t, err, client.ErrForbidden)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "nobody can remove themselves")
	assert.NotEmpty(t, apiErr.TraceID)

	var sent []anyscaletest.Request
	for _, r := range w.srv.Requests() {
		if r.Method == "DELETE" {
			sent = append(sent, r)
		}
	}
	require.Len(t, sent, 1, "the DELETE was sent once, not retried")
	assert.Equal(t, "/api/v2/organization_collaborators/"+w.owner.IdentityID, sent[0].Path)
	assert.Equal(t, 403, sent[0].Status)
	assert.Equal(t, w.owner.Email, sent[0].UserEmail)

	me, err := w.ownerClient.WhoAmI(ctx)
	require.NoError(t, err, "still a member")
	assert.Equal(t, w.owner.Email, me.Email)
}

func TestIntegrationRemoveAsCollaborator(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	for _, email := range []string{"bob@other.org", w.ciBot.Email, w.owner.Email, "nobody@example.com"} {
		err := w.aliceOrg.Remove(ctx, email)
		require.ErrorIs(t, err, client.ErrForbidden, email)
		assert.Contains(t, err.Error(), "organization owner", email)
	}
	assert.Empty(t, deletes(w.srv), "refused before sending")

	// The server refuses too, when asked directly.
	err := w.aliceOrg.RemoveByID(ctx, w.bob.IdentityID)
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Len(t, deletes(w.srv), 1)
	assert.Len(t, emails(t, w.ownerOrg, organization.ListOptions{}), 5, "nobody was removed")
	_, err = w.clientOf(t, w.bob.Token).WhoAmI(ctx)
	assert.NoError(t, err)
}

func TestIntegrationRemoveUnknown(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	err := w.ownerOrg.Remove(ctx, "nobody@example.com")
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "nobody@example.com")
	// A partial match of a member's email is not that member.
	assert.ErrorIs(t, w.ownerOrg.Remove(ctx, "ice@example.com"), client.ErrNotFound)
	assert.Empty(t, deletes(w.srv))

	// RemoveMember with an unknown id, or a user id instead of an
	// identity id: nothing is sent.
	assert.ErrorIs(t, w.ownerOrg.RemoveMember(ctx, organization.ByIdentityID("ide_nosuchmember000000000000000")), client.ErrNotFound)
	assert.ErrorIs(t, w.ownerOrg.RemoveMember(ctx, organization.ByIdentityID(w.alice.ID)), client.ErrInvalid)
	assert.Empty(t, deletes(w.srv))

	// RemoveByID, deprecated, sends them, and the server finds nothing.
	assert.ErrorIs(t, w.ownerOrg.RemoveByID(ctx, "ide_nosuchmember000000000000000"), client.ErrNotFound) // the deprecated spelling
	assert.ErrorIs(t, w.ownerOrg.RemoveByID(ctx, w.alice.ID), client.ErrNotFound)                        // the deprecated spelling
	assert.Len(t, emails(t, w.ownerOrg, organization.ListOptions{}), 5)
}

func TestIntegrationRemoveConcurrentSafe(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	targets := []string{"bob@other.org", "alice@example.com", w.ciBot.Email, w.nightly.Email}
	errs := make(chan error, len(targets))
	for _, email := range targets {
		go func() { errs <- w.ownerOrg.Remove(ctx, email) }()
	}
	for range targets {
		assert.NoError(t, <-errs)
	}
	assert.Equal(t, []string{w.owner.Email}, emails(t, w.ownerOrg, organization.ListOptions{}))
}

// TestIntegrationRemoveLostAnswer: the removal acted but its answer was
// lost; the retry finds nothing, and the error says what probably happened.
func TestIntegrationRemoveLostAnswer(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	w.srv.FailNext(anyscaletest.Fault{Method: "DELETE", PathPrefix: "/api/v2/organization_collaborators/", Status: 502, AfterHandler: true})
	err := w.ownerOrg.Remove(context.Background(), w.alice.Email)
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), "may have removed it")
	_, found := w.srv.LookupUser(w.alice.Email)
	assert.False(t, found, "the first attempt did remove her")
}

// TestIntegrationRemoveLookalikeIsRefused: the fake's email filter
// lower-cases with Unicode rules, so it answers a KELVIN SIGN with kate;
// the SDK matches as the server stores emails and removes nobody.
func TestIntegrationRemoveLookalikeIsRefused(t *testing.T) {
	t.Parallel()
	w := newOrgWorld(t)
	ctx := context.Background()
	kate := w.srv.AddUser("kate@example.com", anyscaletest.Collaborator)
	for _, lookalike := range []string{"\u212Aate@example.com", "\u212AATE@example.com"} {
		_, err := w.ownerOrg.Get(ctx, organization.ByEmail(lookalike))
		require.ErrorIs(t, err, client.ErrNotFound, "%+q", lookalike)
		err = w.ownerOrg.Remove(ctx, lookalike)
		require.ErrorIs(t, err, client.ErrNotFound, "%+q", lookalike)
		assert.Contains(t, err.Error(), "U+212A")
	}
	assert.Empty(t, deletes(w.srv), "no DELETE was sent")
	_, found := w.srv.LookupUser(kate.Email)
	assert.True(t, found, "kate is still a member")

	// The same address in ASCII capitals is kate.
	require.NoError(t, w.ownerOrg.Remove(ctx, "KATE@example.com"))
	assert.Equal(t, []string{"/api/v2/organization_collaborators/" + kate.IdentityID}, deletes(w.srv))
}
