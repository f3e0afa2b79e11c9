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
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// serviceAccountOps are the operations of serviceaccounts.Service; Create
// and RotateKeys send two requests that change state.
var serviceAccountOps = []Op{
	{
		Name: "serviceaccounts.Create", Scope: Owner,
		Requests: []Request{
			{Method: http.MethodPost, Path: pathServiceAccount, Label: "POST service_accounts", Kind: Create},
			{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key", Kind: Create},
		},
		Start: func(t *testing.T, w *World) Call {
			const name = "deploy"
			var created *serviceaccounts.Created
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					created, err = serviceaccounts.New(c).Create(ctx, name)
					return []any{created}, err
				},
				Check: func(t *testing.T, o Outcome) {
					// The fault met the account's POST, or its first key's.
					onKey := o.Faulted == 1
					sa, present := w.member(w.serviceAccountEmail(name))
					accountMade, keyMade := o.Acted, o.OK
					if onKey {
						accountMade, keyMade = true, o.Acted
					}
					require.Equal(t, accountMade, present, "the service account was made, once")
					if onKey {
						assert.Equal(t, 1, w.count(http.MethodPost, pathServiceAccount), "the account's POST was sent once")
					} else {
						assert.Equal(t, b2i(o.OK), w.count(http.MethodPost, pathCreateKey), "the key is asked for once the account exists")
					}
					if present {
						assert.Len(t, w.Srv.Keys(sa), b2i(keyMade), "keys made by the call: never two")
					}
					if !o.OK {
						assert.Nil(t, created)
						if onKey && client.MayHaveActed(o.Err) {
							assert.Contains(t, o.Err.Error(), "was created", "the error says the account exists")
						}
						return
					}
					require.NotNil(t, created)
					assert.Equal(t, sa.ID, created.Account.UserID)
					assert.Equal(t, sa.IdentityID, created.Account.IdentityID)
					w.works(t, created.Secret, sa.Email)
				},
			}
		},
	},
	{
		Name: "serviceaccounts.List", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			w.AddUser(Alice, anyscaletest.Collaborator)
			return reads(func(ctx context.Context, c *client.Client) (*client.Page[serviceaccounts.ServiceAccount], error) {
				return serviceaccounts.New(c).List(ctx, serviceaccounts.ListOptions{})
			}, func(t *testing.T, page *client.Page[serviceaccounts.ServiceAccount]) {
				require.NotNil(t, page)
				assert.Equal(t, []string{bot.Email}, accountEmails(page.Items))
			})
		},
	},
	{
		Name: "serviceaccounts.All", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators, page 1 of 2", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			var want []string
			for _, n := range []string{"bot1", "bot2", "bot3"} {
				want = append(want, w.AddServiceAccount(n).Email)
			}
			return reads(func(ctx context.Context, c *client.Client) ([]serviceaccounts.ServiceAccount, error) {
				return all(serviceaccounts.New(c).All(ctx, serviceaccounts.ListOptions{PageSize: 2}))
			}, func(t *testing.T, got []serviceaccounts.ServiceAccount) {
				assert.ElementsMatch(t, want, accountEmails(got))
			})
		},
	},
	{
		Name: "serviceaccounts.Get", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathMembers, Label: "GET organization_collaborators", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			return reads(func(ctx context.Context, c *client.Client) (*serviceaccounts.ServiceAccount, error) {
				return serviceaccounts.New(c).Get(ctx, serviceaccounts.ByName(Bot))
			}, func(t *testing.T, sa *serviceaccounts.ServiceAccount) {
				require.NotNil(t, sa)
				assert.Equal(t, bot.ID, sa.UserID)
				assert.Equal(t, bot.IdentityID, sa.IdentityID)
			})
		},
	},
	{
		Name: "serviceaccounts.CreateKey", Scope: Owner,
		Requests: []Request{{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key", Kind: Create}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			var secret credentials.Secret
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					secret, err = serviceaccounts.New(c).CreateKey(ctx, serviceaccounts.ByName(Bot))
					return []any{secret}, err
				},
				Check: func(t *testing.T, o Outcome) {
					assert.Len(t, w.Srv.Keys(bot), 1+b2i(o.Acted), "keys made by the call: never two")
					assert.Len(t, w.active(bot), 1+b2i(o.Acted), "its other key stays valid")
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
		Name: "serviceaccounts.RotateKeys", Scope: Owner,
		Requests: []Request{
			{Method: http.MethodPost, Path: pathRevokeAllUser, Label: "POST rotate_api_key_for_user", Kind: RevokeAll},
			{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key", Kind: Create},
		},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			seed := w.Srv.Keys(bot)[0].ID
			var secret credentials.Secret
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					secret, err = serviceaccounts.New(c).RotateKeys(ctx, serviceaccounts.ByName(Bot))
					return []any{secret}, err
				},
				Check: func(t *testing.T, o Outcome) {
					// The fault met the revoke-all, or the new key's POST.
					onKey := o.Faulted == 1
					revokedAll := w.revoked(t, seed)
					newKeys := len(w.Srv.Keys(bot)) - 1
					if onKey {
						assert.True(t, revokedAll, "the old keys are revoked before the new key is asked for")
						assert.Equal(t, b2i(o.Acted), newKeys, "keys made by the call: never two")
					} else {
						assert.Equal(t, o.Acted, revokedAll, "the old keys are revoked")
						assert.Equal(t, b2i(o.OK), newKeys, "a new key only once the old ones are revoked")
					}
					if !o.OK {
						assert.True(t, secret.IsZero())
						return
					}
					active := w.active(bot)
					require.Len(t, active, 1, "only the new key is active")
					assert.NotEqual(t, seed, active[0].ID)
					w.works(t, secret, bot.Email)
				},
			}
		},
	},
	{
		Name: "serviceaccounts.RevokeAllKeys", Scope: Owner,
		Requests: []Request{{Method: http.MethodPost, Path: pathRevokeAllUser, Label: "POST rotate_api_key_for_user", Kind: RevokeAll}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			w.AddKey(bot, "second", time.Hour)
			return acts(func(ctx context.Context, c *client.Client) error {
				return serviceaccounts.New(c).RevokeAllKeys(ctx, serviceaccounts.ByName(Bot))
			}, func(t *testing.T, o Outcome) {
				assert.Len(t, w.active(bot), 2*b2i(!o.Acted), "every key revoked, or none")
			})
		},
	},
	{
		Name: "serviceaccounts.Keys", Scope: Owner,
		Requests: []Request{{Method: http.MethodGet, Path: pathAdminKeys, Label: "GET admin/api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			w.AddKey(bot, "second", time.Hour)
			w.AddKey(w.Owner, "not-the-bot's", time.Hour)
			return reads(func(ctx context.Context, c *client.Client) ([]keys.Key, error) {
				return all(serviceaccounts.New(c).Keys(ctx, serviceaccounts.ByName(Bot)))
			}, func(t *testing.T, got []keys.Key) {
				assert.ElementsMatch(t, ids(w.active(bot)), keyIDs(got))
			})
		},
	},
	{
		Name: "serviceaccounts.Delete", Scope: Owner,
		Requests: []Request{{Method: http.MethodDelete, Path: pathMembers, Label: "DELETE organization_collaborators/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			bot := w.AddServiceAccount(Bot)
			return acts(func(ctx context.Context, c *client.Client) error {
				return serviceaccounts.New(c).Delete(ctx, serviceaccounts.ByName(Bot))
			}, func(t *testing.T, o Outcome) {
				_, present := w.member(bot.Email)
				assert.Equal(t, !o.Acted, present, "deleted")
				assert.Len(t, w.active(bot), b2i(!o.Acted), "its key goes with it")
			})
		},
	},
}

func accountEmails(as []serviceaccounts.ServiceAccount) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Email
	}
	return out
}
