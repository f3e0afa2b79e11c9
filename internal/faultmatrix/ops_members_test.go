package faultmatrix_test

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

// memberOperations are the operations of organization.Service.
var memberOperations = []operation{
	{
		name: "organization.List [GET organization_collaborators]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			var page *client.Page[organization.Member]
			return func(ctx context.Context) (err error) {
					page, err = organization.New(e.c).List(ctx, organization.ListOptions{})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, page)
						return
					}
					require.NotNil(t, page)
					assert.ElementsMatch(t, []string{e.owner.Email, alice.Email}, memberEmails(page.Items))
				}
		},
	},
	{
		name: "organization.All [GET organization_collaborators, page 1 of 3]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			bob := e.srv.AddUser("bob@example.com", anyscaletest.Owner)
			var got []organization.Member
			return func(ctx context.Context) error {
					return collect(organization.New(e.c).All(ctx, organization.ListOptions{PageSize: 1}), &got)
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Empty(t, got, "the first page failed")
						return
					}
					assert.ElementsMatch(t, []string{e.owner.Email, alice.Email, bob.Email}, memberEmails(got))
				}
		},
	},
	{
		name: "organization.Get [GET organization_collaborators]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			var m *organization.Member
			return func(ctx context.Context) (err error) {
					m, err = organization.New(e.c).Get(ctx, organization.ByEmail(alice.Email))
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, m)
						return
					}
					require.NotNil(t, m)
					assert.Equal(t, alice.IdentityID, m.IdentityID)
				}
		},
	},
	{
		name: "organization.Remove [DELETE organization_collaborators/{id}]", method: http.MethodDelete, path: pathMembers, class: remove,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			return func(ctx context.Context) error {
					return organization.New(e.c).Remove(ctx, alice.Email)
				}, func(t *testing.T, x expectation, _ error) {
					_, present := e.member(alice.Email)
					assert.Equal(t, !x.done, present, "removed")
					assert.Len(t, e.active(alice), b2i(!x.done), "her key goes with her")
				}
		},
	},
	{
		name: "organization.RemoveMember [DELETE organization_collaborators/{id}]", method: http.MethodDelete, path: pathMembers, class: remove,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			return func(ctx context.Context) error {
					return organization.New(e.c).RemoveMember(ctx, organization.ByIdentityID(alice.IdentityID))
				}, func(t *testing.T, x expectation, _ error) {
					_, present := e.member(alice.Email)
					assert.Equal(t, !x.done, present, "removed")
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

// member looks up a current member by email.
func (e *env) member(email string) (anyscaletest.User, bool) { return e.srv.LookupUser(email) }
