package ops

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/organization"
)

// memberOps are the operations of organization.Service.
var memberOps = []Op{
	{
		Name: "organization.List", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return reads(func(ctx context.Context, c *client.Client) (*client.Page[organization.Member], error) {
				return organization.New(c).List(ctx, organization.ListOptions{})
			}, func(t *testing.T, page *client.Page[organization.Member]) {
				require.NotNil(t, page)
				assert.ElementsMatch(t, []string{w.Owner.Email, alice.Email}, memberEmails(page.Items))
			})
		},
	},
	{
		Name: "organization.All", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators, page 1 of 3", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			bob := w.AddUser("bob@example.com", anyscaletest.Owner)
			return reads(func(ctx context.Context, c *client.Client) ([]organization.Member, error) {
				return all(organization.New(c).All(ctx, organization.ListOptions{PageSize: 1}))
			}, func(t *testing.T, got []organization.Member) {
				assert.ElementsMatch(t, []string{w.Owner.Email, alice.Email, bob.Email}, memberEmails(got))
			})
		},
	},
	{
		Name: "organization.Get", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return reads(func(ctx context.Context, c *client.Client) (*organization.Member, error) {
				return organization.New(c).Get(ctx, organization.ByEmail(alice.Email))
			}, func(t *testing.T, m *organization.Member) {
				require.NotNil(t, m)
				assert.Equal(t, alice.IdentityID, m.IdentityID)
			})
		},
	},
	{
		Name: "organization.Remove", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathMembers, Label: "DELETE organization_collaborators/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return acts(func(ctx context.Context, c *client.Client) error {
				return organization.New(c).Remove(ctx, alice.Email)
			}, func(t *testing.T, o Outcome) {
				_, present := w.member(alice.Email)
				assert.Equal(t, !o.Acted, present, "removed")
				assert.Len(t, w.active(alice), b2i(!o.Acted), "her key goes with her")
			})
		},
	},
	{
		Name: "organization.RemoveMember", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathMembers, Label: "DELETE organization_collaborators/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return acts(func(ctx context.Context, c *client.Client) error {
				return organization.New(c).RemoveMember(ctx, organization.ByIdentityID(alice.IdentityID))
			}, func(t *testing.T, o Outcome) {
				_, present := w.member(alice.Email)
				assert.Equal(t, !o.Acted, present, "removed")
			})
		},
	},
}

func memberEmails(ms []organization.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Email
	}
	return out
}
