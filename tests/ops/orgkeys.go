package ops

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

// orgKeyOps are the operations of keys.OrgService: every key of the
// organization, an owner calling.
var orgKeyOps = []Op{
	{
		Name: "keys.Org.List", Scope: Owner,
		Requests: []Request{{Method: http.MethodGet, Path: pathAdminKeys, Label: "GET admin/api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			w.AddKey(alice, "a", time.Hour)
			return reads(func(ctx context.Context, c *client.Client) (*client.Page[keys.Key], error) {
				return keys.New(c).Org().List(ctx, keys.ListOptions{})
			}, func(t *testing.T, page *client.Page[keys.Key]) {
				require.NotNil(t, page)
				assert.ElementsMatch(t, append(ids(w.active(w.Owner)), ids(w.active(alice))...), keyIDs(page.Items))
			})
		},
	},
	{
		Name: "keys.Org.All", Scope: Owner,
		Requests: []Request{{Method: http.MethodGet, Path: pathAdminKeys, Label: "GET admin/api_keys, page 1 of 3", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			for _, n := range []string{"a", "b", "c"} {
				w.AddKey(alice, n, time.Hour)
			}
			return reads(func(ctx context.Context, c *client.Client) ([]keys.Key, error) {
				return all(keys.New(c).Org().All(ctx, keys.ListOptions{PageSize: 2}))
			}, func(t *testing.T, got []keys.Key) {
				assert.ElementsMatch(t, append(ids(w.active(w.Owner)), ids(w.active(alice))...), keyIDs(got))
			})
		},
	},
	{
		Name: "keys.Org.Resolve", Scope: Owner,
		Requests: []Request{{Method: http.MethodGet, Path: pathAdminKeys, Label: "GET admin/api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			id := w.AddKey(alice, "target", time.Hour)
			w.AddKey(w.Owner, "other", time.Hour)
			return reads(func(ctx context.Context, c *client.Client) (*keys.Key, error) {
				return keys.New(c).Org().Resolve(ctx, "target")
			}, func(t *testing.T, k *keys.Key) {
				require.NotNil(t, k)
				assert.Equal(t, id, k.ID)
			})
		},
	},
	{
		Name: "keys.Org.Revoke", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathAdminKey, Label: "DELETE admin/api_keys/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			id := w.AddKey(alice, "victim", time.Hour)
			return acts(func(ctx context.Context, c *client.Client) error {
				return keys.New(c).Org().Revoke(ctx, id)
			}, func(t *testing.T, o Outcome) {
				assert.Equal(t, o.Acted, w.revoked(t, id), "revoked")
			})
		},
	},
	{
		Name: "keys.Org.RevokeMany", Scope: Owner,
		Requests: []Request{{Method: http.MethodPost, Path: pathAdminBulk, Label: "POST admin/api_keys/revoke, 1st", Kind: Bulk}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			return revokeMany(w, alice, func(ctx context.Context, c *client.Client, ids []string) (*keys.RevokeResult, error) {
				return keys.New(c).Org().RevokeMany(ctx, ids)
			})
		},
	},
	{
		Name: "keys.Org.RevokeAll", Scope: Owner,
		Requests: []Request{{Method: http.MethodPost, Path: pathRevokeAllUser, Label: "POST rotate_api_key_for_user", Kind: RevokeAll}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			w.AddKey(alice, "a", time.Hour)
			return acts(func(ctx context.Context, c *client.Client) error {
				return keys.New(c).Org().RevokeAll(ctx, organization.ByUserID(alice.ID))
			}, func(t *testing.T, o Outcome) {
				assert.Len(t, w.active(alice), 2*b2i(!o.Acted), "every key of hers revoked, or none")
			})
		},
	},
	{
		Name: "keys.Org.CreateFor", Scope: Owner,
		Requests: []Request{{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key", Kind: Create}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			var secret credentials.Secret
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					var made *keys.CreatedKey
					if made, err = keys.New(c).Org().CreateFor(ctx, organization.ByUserID(bot.ID), keys.CreateRequest{ExpiresIn: 24 * time.Hour}); err == nil {
						secret = made.Secret
					}
					return []any{made}, err
				},
				Check: func(t *testing.T, o Outcome) {
					assert.Len(t, w.Srv.Keys(bot), 1+b2i(o.Acted), "keys made by the call: never two")
					if !o.OK {
						assert.True(t, secret.IsZero())
						return
					}
					w.works(t, secret, bot.Email)
				},
			}
		},
	},
	{
		Name: "keys.Org.Audit", Scope: Owner,
		Requests: []Request{{Method: http.MethodGet, Path: pathAdminKeys, Label: "GET admin/api_keys, 1st listing", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			alice := w.AddUser(Alice, anyscaletest.Collaborator)
			legacy := w.AddKey(alice, "legacy", 0)
			return reads(func(ctx context.Context, c *client.Client) (*keys.AuditReport, error) {
				// One listing at a time, so that the first is the faulted one.
				return keys.New(c).Org().Audit(ctx, keys.AuditOptions{Concurrency: 1})
			}, func(t *testing.T, report *keys.AuditReport) {
				require.NotNil(t, report)
				assert.Equal(t, len(w.active(w.Owner))+len(w.active(alice)), report.Checked, "every active key audited")
				assert.True(t, hasFinding(report, legacy, keys.FindingLegacy, alice.Email), "the legacy key is found, with its owner")
			})
		},
	},
}
