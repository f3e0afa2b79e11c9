package organization_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

func fixed(status int, body string) func(*http.Request) (int, string) {
	return func(*http.Request) (int, string) { return status, body }
}

const (
	ada = `{"id":"ide_ada","user_id":"usr_ada","email":"ada@example.com","name":"Ada","permission_level":"owner",
		"created_at":"2026-01-02T03:04:05Z","base_role":"owner","additional_roles":[],"is_service_account":false,"new_field":1}`
	bot = `{"id":"ide_bot","user_id":"usr_bot","email":"ci@org-x.serviceaccount.com","name":"ci","permission_level":"collaborator",
		"created_at":"2026-01-02T03:04:05Z","is_service_account":true}`
	old = `{"id":"ide_old","user_id":null,"email":"old@example.com","name":null,"permission_level":"collaborator","created_at":"2020-01-01T00:00:00Z"}`
	me  = `{"result":{"id":"usr_ada","email":"ada@example.com","organization_permission_level":"owner"}}`
)

func TestListDecodesAndQueries(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("n2", ada, bot, old)))
	page, err := organization.New(m.Client).List(context.Background(), organization.ListOptions{Email: "a", Name: "b", Kind: organization.ServiceAccounts, PageSize: 3, PageToken: "n1"})
	require.NoError(t, err)
	require.Len(t, m.Calls(), 1)
	assert.Equal(t, url.Values{"email": {"a"}, "name": {"b"}, "is_service_account": {"true"}, "collaborator_type": {"only_service_accounts"},
		"count": {"3"}, "paging_token": {"n1"}}, m.Calls()[0].Query)
	assert.Equal(t, "n2", page.NextPageToken)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, []organization.Member{
		withID(organization.Member{IdentityID: "ide_ada", UserID: "usr_ada", Email: "ada@example.com", Name: "Ada", PermissionLevel: "owner", CreatedAt: created}),
		withID(organization.Member{IdentityID: "ide_bot", UserID: "usr_bot", Email: "ci@org-x.serviceaccount.com", Name: "ci", PermissionLevel: "collaborator", ServiceAccount: true, CreatedAt: created}),
		withID(organization.Member{IdentityID: "ide_old", Email: "old@example.com", PermissionLevel: "collaborator", CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}),
	}, page.Items)
}

// withID sets the deprecated Member.ID, which holds IdentityID's value.
func withID(m organization.Member) organization.Member {
	m.ID = m.IdentityID
	return m
}

// The deprecated ID holds the identity id, as IdentityID does.
func TestMemberIDIsTheIdentityID(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", ada))
	page, err := organization.New(m.Client).List(context.Background(), organization.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "ide_ada", page.Items[0].IdentityID)
	assert.Equal(t, "ide_ada", page.Items[0].ID) // the deprecated spelling
	assert.Equal(t, "usr_ada", page.Items[0].UserID)
}

func TestListKinds(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("")))
	s := organization.New(m.Client)
	_, err := s.List(context.Background(), organization.ListOptions{Kind: organization.UserAccounts})
	require.NoError(t, err)
	assert.Equal(t, "false", m.Calls()[0].Query.Get("is_service_account"))
	assert.Equal(t, "only_user_accounts", m.Calls()[0].Query.Get("collaborator_type"))
	_, err = s.List(context.Background(), organization.ListOptions{})
	require.NoError(t, err)
	assert.False(t, m.Calls()[1].Query.Has("is_service_account"))
	assert.False(t, m.Calls()[1].Query.Has("collaborator_type"), "no Kind sends no filter")
	_, err = s.List(context.Background(), organization.ListOptions{Kind: organization.AllAccounts})
	require.NoError(t, err)
	assert.Equal(t, "all_accounts", m.Calls()[2].Query.Get("collaborator_type"))
	assert.False(t, m.Calls()[2].Query.Has("is_service_account"))
	_, err = s.List(context.Background(), organization.ListOptions{Kind: "robots"})
	assert.ErrorIs(t, err, client.ErrInvalid)
	_, err = s.List(context.Background(), organization.ListOptions{PageSize: 51})
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.Len(t, m.Calls(), 3)
}

func TestAllFollowsPages(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("paging_token") == "" {
			return 200, apimock.List("p2", ada)
		}
		return 200, apimock.List("", bot)
	})
	var emails []string
	for mem, err := range organization.New(m.Client).All(context.Background(), organization.ListOptions{}) {
		require.NoError(t, err)
		emails = append(emails, mem.Email)
	}
	assert.Equal(t, []string{"ada@example.com", "ci@org-x.serviceaccount.com"}, emails)
}

func TestGetByEmail(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", old, ada)))
	s := organization.New(m.Client)
	got, err := s.Get(context.Background(), organization.ByEmail("  ADA@example.com "))
	require.NoError(t, err)
	assert.Equal(t, "ide_ada", got.IdentityID)
	assert.Equal(t, url.Values{"email": {"ada@example.com"}, "count": {"50"}}, m.Calls()[0].Query, "sent lower-cased")
	_, err = s.Get(context.Background(), organization.ByEmail("someone@example.com"))
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = s.Get(context.Background(), organization.ByEmail(""))
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.Len(t, m.Calls(), 2, "an empty email is refused before any request")
}

// FindByEmail, deprecated, still finds a member by email as it did.
func TestFindByEmailStillWorks(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", old, ada)))
	s := organization.New(m.Client)
	got, err := s.FindByEmail(context.Background(), "  ADA@example.com ") // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, "ide_ada", got.IdentityID)
	assert.Equal(t, "ada@example.com", m.Calls()[0].Query.Get("email"), "sent lower-cased")
	_, err = s.FindByEmail(context.Background(), "someone@example.com") // the deprecated spelling
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = s.FindByEmail(context.Background(), "") // the deprecated spelling
	assert.ErrorIs(t, err, client.ErrInvalid)
}

func TestRemove(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/userinfo/", fixed(200, me))
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", bot, old)))
	m.OnFunc("DELETE", "/api/v2/organization_collaborators/ide_old", fixed(204, ""))
	require.NoError(t, organization.New(m.Client).Remove(context.Background(), "old@example.com"))
	require.Len(t, m.Calls(), 3)
	assert.Equal(t, apimock.Call{Method: "DELETE", Path: "/api/v2/organization_collaborators/ide_old", Query: url.Values{}}, m.Calls()[2])
}

func TestRemoveRefusesSelfBeforeSending(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/userinfo/", fixed(200, me))
	err := organization.New(m.Client).Remove(context.Background(), "Ada@Example.com")
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "nobody can remove themselves")
	require.Len(t, m.Calls(), 1, "only WhoAmI was sent")
}

func TestRemoveAsCollaborator(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/userinfo/", fixed(200, `{"result":{"id":"usr_c","email":"c@example.com","organization_permission_level":"collaborator"}}`))
	err := organization.New(m.Client).Remove(context.Background(), "ada@example.com")
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "organization owner")
	assert.Len(t, m.Calls(), 1)
}

func TestRemoveServerErrors(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/userinfo/", fixed(200, me))
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", old)))
	m.OnFunc("DELETE", "/api/v2/organization_collaborators/ide_old", fixed(403, `{"error":{"detail":"protected account"}}`))
	err := organization.New(m.Client).Remove(context.Background(), "old@example.com")
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "protected account")
	assert.ErrorIs(t, organization.New(m.Client).RemoveMember(context.Background(), organization.ByIdentityID("")), client.ErrInvalid)
	assert.ErrorIs(t, organization.New(m.Client).RemoveByID(context.Background(), ""), client.ErrInvalid) // the deprecated spelling
}

// A removal whose answer was lost after the server may have acted says
// what it was removing, once, and advises looking before removing again;
// a refusal advises nothing of the kind.
func TestRemoveLostAnswerAdvisesLooking(t *testing.T) {
	t.Parallel()
	for status, acted := range map[int]bool{502: true, 403: false} {
		m := apimock.New(t)
		m.OnFunc("GET", "/api/v2/userinfo/", fixed(200, me))
		m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", old)))
		m.OnFunc("DELETE", "/api/v2/organization_collaborators/ide_old", fixed(status, `{"error":{"detail":"boom"}}`))
		err := organization.New(m.Client).Remove(context.Background(), "old@example.com")
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "organization: removing old@example.com: DELETE "), err.Error())
		assert.Equal(t, acted, client.MayHaveActed(err), "%d", status)
		assert.Equal(t, acted, slices.Contains(client.AdviceOf(err), client.Advice{Action: client.ActionGetFirst, Subject: "old@example.com"}), "%d: %v", status, err)
	}
}

// folding answers every member-list query with the same members, as a
// server that matches its email filter loosely (with Unicode folding, say)
// could: the SDK's own exact match must tell them apart.
func folding(m *apimock.API) {
	member := func(id, email string) string {
		return fmt.Sprintf(`{"id":"ide_%s","user_id":"usr_%[1]s","email":%q,"permission_level":"collaborator","created_at":"2026-01-02T03:04:05Z"}`, id, email)
	}
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		member("kate", "kate@example.com"), member("ida", "ida@example.com"), member("kim", "kim@example.com"),
		member("sam", "sam@example.com"), member("upper", "Upper@Example.com")))
}

// lookalikes are addresses that Unicode case folding or lower-casing
// would take for a member's, and the server's rule does not.
var lookalikes = []struct{ name, email string }{
	{"kelvin sign", "\u212Aate@example.com"},
	{"kelvin sign, ASCII upper around it", "\u212AATE@EXAMPLE.COM"},
	{"dotted capital I", "\u0130da@example.com"},
	{"dotless i", "k\u0131m@example.com"},
	{"long s", "\u017Fam@example.com"},
	{"fullwidth letters", "\uFF2B\uFF41te@example.com"},
	{"fullwidth lower k", "\uFF4Bate@example.com"},
	{"zero width space", "kate\u200B@example.com"},
}

func TestGetByEmailMatchesAsTheServerStores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, email, wantQuery, wantID string
	}{
		{name: "exact", email: "kate@example.com", wantQuery: "kate@example.com", wantID: "ide_kate"},
		{name: "ASCII upper", email: "KATE@Example.COM", wantQuery: "kate@example.com", wantID: "ide_kate"},
		{name: "surrounding space", email: " \tKate@example.com\n", wantQuery: "kate@example.com", wantID: "ide_kate"},
		{name: "I and i", email: "IDA@example.com", wantQuery: "ida@example.com", wantID: "ide_ida"},
		{name: "S and s", email: "SAM@example.com", wantQuery: "sam@example.com", wantID: "ide_sam"},
		{name: "stored with upper case", email: "upper@example.com", wantQuery: "upper@example.com", wantID: "ide_upper"},
	}
	for _, l := range lookalikes {
		tests = append(tests, struct{ name, email, wantQuery, wantID string }{name: l.name, email: l.email, wantQuery: strings.Map(asciiOnlyUpper, l.email)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			folding(m)
			got, err := organization.New(m.Client).Get(context.Background(), organization.ByEmail(tt.email))
			require.Len(t, m.Calls(), 1)
			assert.Equal(t, tt.wantQuery, m.Calls()[0].Query.Get("email"), "only ASCII letters are lower-cased in the filter")
			if tt.wantID == "" {
				require.ErrorIs(t, err, client.ErrNotFound, "a look-alike is no match")
				assert.Nil(t, got)
				assert.Contains(t, err.Error(), "non-ASCII character")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, got.IdentityID)
		})
	}
}

// asciiOnlyUpper keeps every rune but the ASCII capitals, which it
// lower-cases: the expected filter, built independently of the SDK.
func asciiOnlyUpper(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

func TestRemoveNeverOnALookalike(t *testing.T) {
	t.Parallel()
	for _, l := range lookalikes {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/userinfo/", 200, me)
			folding(m)
			m.On("DELETE", "/api/v2/organization_collaborators/ide_kate", 204, "")
			m.On("DELETE", "/api/v2/organization_collaborators/ide_ida", 204, "")
			m.On("DELETE", "/api/v2/organization_collaborators/ide_kim", 204, "")
			m.On("DELETE", "/api/v2/organization_collaborators/ide_sam", 204, "")
			err := organization.New(m.Client).Remove(context.Background(), l.email)
			require.ErrorIs(t, err, client.ErrNotFound)
			assert.Equal(t, []string{"GET /api/v2/userinfo/", "GET /api/v2/organization_collaborators/"}, m.Paths(), "no DELETE was sent")
		})
	}
}

func TestRemoveSelfCheckIsExact(t *testing.T) {
	t.Parallel()
	// The caller is kate; a look-alike of her address is neither her own
	// account (refused as self) nor any member.
	const kate = `{"result":{"id":"usr_kate","email":"kate@example.com","organization_permission_level":"owner"}}`
	tests := []struct {
		name, email string
		wantErr     error
		wantPaths   []string
	}{
		{name: "own address in another ASCII case", email: " KATE@example.com ", wantErr: client.ErrForbidden,
			wantPaths: []string{"GET /api/v2/userinfo/"}},
		{name: "kelvin sign", email: "\u212Aate@example.com", wantErr: client.ErrNotFound,
			wantPaths: []string{"GET /api/v2/userinfo/", "GET /api/v2/organization_collaborators/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/userinfo/", 200, kate)
			folding(m)
			err := organization.New(m.Client).Remove(context.Background(), tt.email)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantPaths, m.Paths())
		})
	}
}

// A member the server does not mark is a service account when its address
// has that form; the server's own mark wins.
func TestMemberServiceAccountFromItsAddress(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		`{"id":"ide_1","user_id":"usr_1","email":"bot@org-x.serviceaccount.com","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`,
		`{"id":"ide_2","user_id":"usr_2","email":"kate@example.com","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`,
		`{"id":"ide_3","user_id":"usr_3","email":"odd@org-x.serviceaccount.com","permission_level":"collaborator","is_service_account":false,"created_at":"2026-01-01T00:00:00Z"}`))
	page, err := organization.New(m.Client).List(context.Background(), organization.ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	assert.True(t, page.Items[0].ServiceAccount)
	assert.False(t, page.Items[1].ServiceAccount)
	assert.False(t, page.Items[2].ServiceAccount, "the server's own mark wins")
}
