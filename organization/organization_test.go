package organization_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/apimock"
	"github.com/anyscale-go/anyscale/organization"
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
		{ID: "ide_ada", UserID: "usr_ada", Email: "ada@example.com", Name: "Ada", PermissionLevel: "owner", CreatedAt: created},
		{ID: "ide_bot", UserID: "usr_bot", Email: "ci@org-x.serviceaccount.com", Name: "ci", PermissionLevel: "collaborator", ServiceAccount: true, CreatedAt: created},
		{ID: "ide_old", Email: "old@example.com", PermissionLevel: "collaborator", CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	}, page.Items)
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
	_, err = s.List(context.Background(), organization.ListOptions{Kind: "robots"})
	assert.ErrorIs(t, err, client.ErrInvalid)
	_, err = s.List(context.Background(), organization.ListOptions{PageSize: 51})
	assert.ErrorIs(t, err, client.ErrInvalid)
	assert.Len(t, m.Calls(), 2)
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

func TestFindByEmail(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", fixed(200, apimock.List("", old, ada)))
	s := organization.New(m.Client)
	got, err := s.FindByEmail(context.Background(), "  ADA@example.com ")
	require.NoError(t, err)
	assert.Equal(t, "ide_ada", got.ID)
	assert.Equal(t, "ada@example.com", m.Calls()[0].Query.Get("email"), "sent lower-cased")
	_, err = s.FindByEmail(context.Background(), "someone@example.com")
	assert.ErrorIs(t, err, client.ErrNotFound)
	_, err = s.FindByEmail(context.Background(), "")
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
	assert.ErrorIs(t, organization.New(m.Client).RemoveByID(context.Background(), ""), client.ErrInvalid)
}
