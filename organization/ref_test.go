package organization_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

func TestRefForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref                                organization.Ref
		str, email, name, userID, identity string
	}{
		{ref: organization.ByEmail(" Ada@Example.COM "), str: `email "ada@example.com"`, email: "ada@example.com"},
		{ref: organization.ByEmail("\u212Aate@x.com"), str: "email \"\u212Aate@x.com\"", email: "\u212Aate@x.com"},
		{ref: organization.ByName(" ci "), str: `name "ci"`, name: "ci"},
		{ref: organization.ByUserID("usr_1"), str: `user id "usr_1"`, userID: "usr_1"},
		{ref: organization.ByIdentityID("ide_1"), str: `identity id "ide_1"`, identity: "ide_1"},
		{ref: organization.Ref{}, str: "no member"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.str, tt.ref.String())
			assert.Equal(t, tt.email, tt.ref.Email())
			assert.Equal(t, tt.name, tt.ref.Name())
			assert.Equal(t, tt.userID, tt.ref.UserID())
			assert.Equal(t, tt.identity, tt.ref.IdentityID())
		})
	}
	assert.Equal(t, organization.ByName("ci"), organization.ByName(" ci"), "a comparable value")
	assert.NotEqual(t, organization.ByName("ci"), organization.ByEmail("ci"))
}

func TestRefValidate(t *testing.T) {
	t.Parallel()
	for _, ref := range []organization.Ref{organization.ByEmail("a@b.c"), organization.ByName("n"), organization.ByUserID("usr_1"),
		organization.ByIdentityID("ide_1"), organization.ByUserID("u1"), organization.ByIdentityID("i1")} {
		assert.NoError(t, ref.Validate(), ref)
	}
	for _, ref := range []organization.Ref{{}, organization.ByEmail(" "), organization.ByName(""), organization.ByUserID(""), organization.ByIdentityID(""),
		organization.ByUserID("ide_1"), organization.ByIdentityID("usr_1"), organization.ByIdentityID("."), organization.ByUserID(".."),
		organization.ByUserID("usr_1/x")} {
		err := ref.Validate()
		assert.ErrorIs(t, err, client.ErrInvalid, ref)
		if err != nil {
			advicetest.NoGoIdentifier(t, err)
		}
	}
}

func TestRefMatches(t *testing.T) {
	t.Parallel()
	m := organization.Member{IdentityID: "ide_1", UserID: "usr_1", Email: "ada@example.com", Name: "Ada"}
	for _, ref := range []organization.Ref{organization.ByEmail("ADA@example.com"), organization.ByName("Ada"), organization.ByUserID("usr_1"), organization.ByIdentityID("ide_1")} {
		assert.True(t, ref.Matches(m), ref)
	}
	for _, ref := range []organization.Ref{organization.ByEmail("\u212Ada@example.com"), organization.ByName("ada"), organization.ByUserID("ide_1"),
		organization.ByIdentityID("usr_1"), organization.ByEmail("ada@example"), {}} {
		assert.False(t, ref.Matches(m), ref)
	}
}

func TestGetByEachForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref   organization.Ref
		query url.Values
	}{
		{organization.ByEmail("ADA@example.com"), url.Values{"email": {"ada@example.com"}, "count": {"50"}}},
		{organization.ByName("Ada"), url.Values{"name": {"Ada"}, "count": {"50"}}},
		{organization.ByUserID("usr_ada"), url.Values{"collaborator_type": {"all_accounts"}, "count": {"50"}}},
		{organization.ByIdentityID("ide_ada"), url.Values{"collaborator_type": {"all_accounts"}, "count": {"50"}}},
	}
	for _, tt := range tests {
		t.Run(tt.ref.String(), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", bot, old, ada))
			got, err := organization.New(m.Client).Get(context.Background(), tt.ref)
			require.NoError(t, err)
			assert.Equal(t, "ide_ada", got.IdentityID)
			require.Len(t, m.Calls(), 1)
			assert.Equal(t, tt.query, m.Calls()[0].Query)
		})
	}
}

// twins are two members with one email, as a server may hold.
const (
	twinA = `{"id":"ide_twin1","user_id":"usr_twin1","email":"twin@example.com","name":"Twin","permission_level":"collaborator","created_at":"2026-01-02T03:04:05Z"}`
	twinB = `{"id":"ide_twin2","user_id":"usr_twin2","email":"TWIN@example.com","name":"Twin","permission_level":"collaborator","created_at":"2026-01-02T03:04:05Z"}`
)

func TestGetSeveralIsAConflict(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("paging_token") == "" {
			return 200, apimock.List("p2", twinA, ada)
		}
		return 200, apimock.List("", twinB)
	})
	_, err := organization.New(m.Client).Get(context.Background(), organization.ByEmail("twin@example.com"))
	require.ErrorIs(t, err, client.ErrConflict)
	assert.Contains(t, err.Error(), "ide_twin1, ide_twin2", "the error lists the candidates")
	assert.Len(t, m.Calls(), 2, "every page is read")
}

func TestGetNameDiffersInCase(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", ada))
	_, err := organization.New(m.Client).Get(context.Background(), organization.ByName("ada"))
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.Contains(t, err.Error(), `"Ada" differs only in case`)
}

func TestRemoveMemberByEachForm(t *testing.T) {
	t.Parallel()
	for _, ref := range []organization.Ref{organization.ByEmail("old@example.com"), organization.ByUserID("usr_bot"), organization.ByIdentityID("ide_old"), organization.ByName("ci")} {
		t.Run(ref.String(), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/userinfo/", 200, me)
			m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", bot, old))
			m.On("DELETE", "/api/v2/organization_collaborators/ide_old", 204, "")
			m.On("DELETE", "/api/v2/organization_collaborators/ide_bot", 204, "")
			require.NoError(t, organization.New(m.Client).RemoveMember(context.Background(), ref))
			require.Len(t, m.Calls(), 3)
			assert.Equal(t, "DELETE", m.Calls()[2].Method)
		})
	}
}

// An email two members have is refused before anything is sent.
func TestRemoveMemberRefusesAnAmbiguousEmail(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, me)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", twinA, twinB))
	m.On("DELETE", "/api/v2/organization_collaborators/ide_twin1", 204, "")
	m.On("DELETE", "/api/v2/organization_collaborators/ide_twin2", 204, "")
	err := organization.New(m.Client).Remove(context.Background(), "twin@example.com")
	require.ErrorIs(t, err, client.ErrConflict)
	assert.Equal(t, []string{"GET /api/v2/userinfo/", "GET /api/v2/organization_collaborators/"}, m.Paths(), "no DELETE was sent")
}

// The caller's own account is refused by every form of reference.
func TestRemoveMemberRefusesSelf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref   organization.Ref
		paths []string
	}{
		{organization.ByEmail("ADA@example.com"), []string{"GET /api/v2/userinfo/"}},
		{organization.ByUserID("usr_ada"), []string{"GET /api/v2/userinfo/"}},
		{organization.ByIdentityID("ide_ada"), []string{"GET /api/v2/userinfo/", "GET /api/v2/organization_collaborators/"}},
		{organization.ByName("Ada"), []string{"GET /api/v2/userinfo/", "GET /api/v2/organization_collaborators/"}},
	}
	for _, tt := range tests {
		t.Run(tt.ref.String(), func(t *testing.T) {
			t.Parallel()
			m := apimock.New(t)
			m.On("GET", "/api/v2/userinfo/", 200, me)
			m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", ada, old))
			m.On("DELETE", "/api/v2/organization_collaborators/ide_ada", 204, "")
			err := organization.New(m.Client).RemoveMember(context.Background(), tt.ref)
			require.ErrorIs(t, err, client.ErrForbidden)
			assert.Contains(t, err.Error(), "nobody can remove themselves")
			assert.Equal(t, tt.paths, m.Paths(), "no DELETE was sent")
		})
	}
}

func TestRemoveMemberValidatesFirst(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	s := organization.New(m.Client)
	for _, ref := range []organization.Ref{{}, organization.ByEmail(""), organization.ByIdentityID("usr_ada")} {
		assert.ErrorIs(t, s.RemoveMember(context.Background(), ref), client.ErrInvalid, ref)
	}
	assert.ErrorIs(t, s.Remove(context.Background(), "  "), client.ErrInvalid)
	assert.Empty(t, m.Calls())
}

// Every error of the package that says what to do next carries it as
// data, and its facts name no Go identifier.
func TestAdvice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, `{"result":{"id":"usr_c","email":"c@example.com","organization_permission_level":"collaborator"}}`)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", twinA, twinB, ada))
	s := organization.New(m.Client)
	_, notFound := s.Get(ctx, organization.ByEmail("nobody@example.com"))
	_, notFoundName := s.Get(ctx, organization.ByName("ada"))
	_, conflict := s.Get(ctx, organization.ByEmail("twin@example.com"))
	_, deprecated := s.FindByEmail(ctx, "nobody@example.com") // the deprecated spelling
	notOwner := s.Remove(ctx, "ada@example.com")
	_, badKind := s.List(ctx, organization.ListOptions{Kind: "robots"})
	_, badRef := s.Get(ctx, organization.Ref{})
	advicetest.Check(t, []advicetest.Case{
		{Name: "not found", Err: notFound, Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "nobody@example.com"}}},
		{Name: "not found by name", Err: notFoundName, Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "ada"}}},
		{Name: "several", Err: conflict, Want: []advice.Advice{{Action: client.ActionRefine, Subject: "twin@example.com"}}},
		{Name: "FindByEmail not found", Err: deprecated, Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "nobody@example.com"}}},
		{Name: "not an owner", Err: notOwner, Want: []advice.Advice{{Action: client.ActionNeedOwner}}},
		{Name: "unknown kind", Err: badKind},
		{Name: "empty reference", Err: badRef},
	})
	assert.Contains(t, notFound.Error(), "organization.All", "the advice, in Go terms, ends the text")
	assert.Equal(t, 1, strings.Count(notFound.Error(), "organization:"), "one package prefix: %v", notFound)
}
