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
			var page *client.Page[organization.Member]
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					page, err = organization.New(c).List(ctx, organization.ListOptions{})
					return []any{page}, err
				},
				Check: func(t *testing.T, o Outcome) {
					if !o.OK {
						assert.Nil(t, page)
						return
					}
					require.NotNil(t, page)
					assert.ElementsMatch(t, []string{w.Owner.Email, alice.Email}, memberEmails(page.Items))
				},
			}
		},
	},
	{
		Name: "organization.All", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators, page 1 of 3", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			bob := w.AddUser("bob@example.com", anyscaletest.Owner)
			var got []organization.Member
			return Call{
				Do: func(ctx context.Context, c *client.Client) ([]any, error) {
					got = nil
					err := collect(organization.New(c).All(ctx, organization.ListOptions{PageSize: 1}), &got)
					return []any{got}, err
				},
				Check: func(t *testing.T, o Outcome) {
					if !o.OK {
						assert.Empty(t, got, "the first page failed")
						return
					}
					assert.ElementsMatch(t, []string{w.Owner.Email, alice.Email, bob.Email}, memberEmails(got))
				},
			}
		},
	},
	{
		Name: "organization.FindByEmail", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			var m *organization.Member
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					m, err = organization.New(c).FindByEmail(ctx, alice.Email)
					return []any{m}, err
				},
				Check: func(t *testing.T, o Outcome) {
					if !o.OK {
						assert.Nil(t, m)
						return
					}
					require.NotNil(t, m)
					assert.Equal(t, alice.IdentityID, m.ID)
				},
			}
		},
	},
	{
		Name: "organization.Remove", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathMembers, Label: "DELETE organization_collaborators/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return Call{
				Do: func(ctx context.Context, c *client.Client) ([]any, error) {
					return nil, organization.New(c).Remove(ctx, alice.Email)
				},
				Check: func(t *testing.T, o Outcome) {
					_, present := w.member(alice.Email)
					assert.Equal(t, !o.Acted, present, "removed")
					assert.Len(t, w.active(alice), b2i(!o.Acted), "her key goes with her")
				},
			}
		},
	},
	{
		Name: "organization.RemoveByID", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathMembers, Label: "DELETE organization_collaborators/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return Call{
				Do: func(ctx context.Context, c *client.Client) ([]any, error) {
					return nil, organization.New(c).RemoveByID(ctx, alice.IdentityID)
				},
				Check: func(t *testing.T, o Outcome) {
					_, present := w.member(alice.Email)
					assert.Equal(t, !o.Acted, present, "removed")
				},
			}
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
