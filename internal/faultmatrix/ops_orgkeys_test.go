package faultmatrix_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

// orgKeyOperations are the operations of keys.OrgService: every key of the
// organization, the owner calling.
var orgKeyOperations = []operation{
	{
		name: "keys.Org.List [GET admin/api_keys]", method: http.MethodGet, path: pathAdminKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			e.srv.AddKey(alice, "a", time.Hour)
			var page *client.Page[keys.Key]
			return func(ctx context.Context) (err error) {
					page, err = keys.New(e.c).Org().List(ctx, keys.ListOptions{})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, page)
						return
					}
					require.NotNil(t, page)
					assert.ElementsMatch(t, append(ids(e.active(e.owner)), ids(e.active(alice))...), keyIDs(page.Items))
				}
		},
	},
	{
		name: "keys.Org.All [GET admin/api_keys, page 1 of 3]", method: http.MethodGet, path: pathAdminKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			for _, n := range []string{"a", "b", "c"} {
				e.srv.AddKey(alice, n, time.Hour)
			}
			var got []keys.Key
			return func(ctx context.Context) error {
					return collect(keys.New(e.c).Org().All(ctx, keys.ListOptions{PageSize: 2}), &got)
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Empty(t, got, "the first page failed")
						return
					}
					assert.ElementsMatch(t, append(ids(e.active(e.owner)), ids(e.active(alice))...), keyIDs(got))
				}
		},
	},
	{
		name: "keys.Org.Revoke [DELETE admin/api_keys/{id}]", method: http.MethodDelete, path: pathAdminKey, class: remove,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			id, _ := e.srv.AddKey(alice, "victim", time.Hour)
			return func(ctx context.Context) error {
					return keys.New(e.c).Org().Revoke(ctx, id)
				}, func(t *testing.T, x expectation, _ error) {
					assert.Equal(t, x.done, e.revoked(t, id), "revoked")
				}
		},
	},
	{
		name: "keys.Org.RevokeMany [POST admin/api_keys/revoke, 1st]", method: http.MethodPost, path: pathAdminBulk, class: bulk,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			return revokeMany(t, e, alice, keys.New(e.c).Org().RevokeMany)
		},
	},
	{
		name: "keys.Org.RevokeAll [POST rotate_api_key_for_user]", method: http.MethodPost, path: pathRevokeAllUser, class: revokeAll,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			e.srv.AddKey(alice, "a", time.Hour)
			return func(ctx context.Context) error {
					return keys.New(e.c).Org().RevokeAll(ctx, organization.ByUserID(alice.ID))
				}, func(t *testing.T, x expectation, _ error) {
					assert.Len(t, e.active(alice), 2*b2i(!x.done), "every key of hers revoked, or none")
				}
		},
	},
	{
		name: "keys.Org.CreateFor [POST create_api_key]", method: http.MethodPost, path: pathCreateKey, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			var secret credentials.Secret
			return func(ctx context.Context) (err error) {
					var made *keys.CreatedKey
					if made, err = keys.New(e.c).Org().CreateFor(ctx, organization.ByUserID(bot.ID), keys.CreateRequest{ExpiresIn: 24 * time.Hour}); err == nil {
						secret = made.Secret
					}
					return err
				}, func(t *testing.T, x expectation, _ error) {
					assert.Len(t, e.srv.Keys(bot), 1+b2i(x.done), "keys made by the call: never two")
					if !x.outcome.succeeds() {
						assert.True(t, secret.IsZero())
						return
					}
					e.works(t, secret, bot.Email)
				}
		},
	},
	{
		name: "keys.Org.Audit [GET admin/api_keys, 1st listing]", method: http.MethodGet, path: pathAdminKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			alice := e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			legacy := e.srv.AddLegacyKey(alice, "legacy")
			var report *keys.AuditReport
			return func(ctx context.Context) (err error) {
					// One listing at a time, so that the first is the faulted one.
					report, err = keys.New(e.c).Org().Audit(ctx, keys.AuditOptions{Concurrency: 1})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, report, "no partial report")
						return
					}
					require.NotNil(t, report)
					assert.Equal(t, len(e.active(e.owner))+len(e.active(alice)), report.Checked, "every active key audited")
					assert.True(t, hasFinding(report, legacy, keys.FindingLegacy, alice.Email), "the legacy key is found, with its owner")
				}
		},
	},
}
