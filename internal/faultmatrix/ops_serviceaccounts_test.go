package faultmatrix_test

import (
	"context"
	"net/http"
	"strings"
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

// serviceAccountOperations are the operations of serviceaccounts.Service;
// Create and RotateKeys send two requests that change state, and have
// a row for each.
var serviceAccountOperations = []operation{
	{
		name: "serviceaccounts.Create [POST service_accounts]", method: http.MethodPost, path: pathServiceAccount, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			return createServiceAccount(t, e, false)
		},
	},
	{
		name: "serviceaccounts.Create [POST create_api_key]", method: http.MethodPost, path: pathCreateKey, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			return createServiceAccount(t, e, true)
		},
	},
	{
		name: "serviceaccounts.List [GET organization_collaborators]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			e.srv.AddUser("alice@example.com", anyscaletest.Collaborator)
			var page *client.Page[serviceaccounts.ServiceAccount]
			return func(ctx context.Context) (err error) {
					page, err = serviceaccounts.New(e.c).List(ctx, serviceaccounts.ListOptions{})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, page)
						return
					}
					require.NotNil(t, page)
					assert.Equal(t, []string{bot.Email}, accountEmails(page.Items))
				}
		},
	},
	{
		name: "serviceaccounts.All [GET organization_collaborators, page 1 of 2]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			var want []string
			for _, n := range []string{"bot1", "bot2", "bot3"} {
				want = append(want, e.srv.AddServiceAccount(n).Email)
			}
			var got []serviceaccounts.ServiceAccount
			return func(ctx context.Context) error {
					return collect(serviceaccounts.New(e.c).All(ctx, serviceaccounts.ListOptions{PageSize: 2}), &got)
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Empty(t, got, "the first page failed")
						return
					}
					assert.ElementsMatch(t, want, accountEmails(got))
				}
		},
	},
	{
		name: "serviceaccounts.Get [GET organization_collaborators]", method: http.MethodGet, path: pathMembers, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			var sa *serviceaccounts.ServiceAccount
			return func(ctx context.Context) (err error) {
					sa, err = serviceaccounts.New(e.c).Get(ctx, serviceaccounts.ByName("bot"))
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, sa)
						return
					}
					require.NotNil(t, sa)
					assert.Equal(t, bot.ID, sa.UserID)
					assert.Equal(t, bot.IdentityID, sa.IdentityID)
				}
		},
	},
	{
		name: "serviceaccounts.CreateKey [POST create_api_key]", method: http.MethodPost, path: pathCreateKey, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			var secret credentials.Secret
			return func(ctx context.Context) (err error) {
					secret, err = serviceaccounts.New(e.c).CreateKey(ctx, serviceaccounts.ByName("bot"))
					return err
				}, func(t *testing.T, x expectation, _ error) {
					assert.Len(t, e.srv.Keys(bot), 1+b2i(x.done), "keys made by the call: never two")
					assert.Len(t, e.active(bot), 1+b2i(x.done), "its other key stays valid")
					if !x.outcome.succeeds() {
						assert.True(t, secret.IsZero())
						return
					}
					e.works(t, secret, bot.Email)
				}
		},
	},
	{
		name: "serviceaccounts.RotateKeys [POST rotate_api_key_for_user]", method: http.MethodPost, path: pathRevokeAllUser, class: revokeAll,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			return rotateKeys(t, e, false)
		},
	},
	{
		name: "serviceaccounts.RotateKeys [POST create_api_key]", method: http.MethodPost, path: pathCreateKey, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			return rotateKeys(t, e, true)
		},
	},
	{
		name: "serviceaccounts.RevokeAllKeys [POST rotate_api_key_for_user]", method: http.MethodPost, path: pathRevokeAllUser, class: revokeAll,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			e.srv.AddKey(bot, "second", time.Hour)
			return func(ctx context.Context) error {
					return serviceaccounts.New(e.c).RevokeAllKeys(ctx, serviceaccounts.ByName("bot"))
				}, func(t *testing.T, x expectation, _ error) {
					assert.Len(t, e.active(bot), 2*b2i(!x.done), "every key revoked, or none")
				}
		},
	},
	{
		name: "serviceaccounts.Keys [GET admin/api_keys]", method: http.MethodGet, path: pathAdminKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			e.srv.AddKey(bot, "second", time.Hour)
			e.srv.AddKey(e.owner, "not-the-bot's", time.Hour)
			var got []keys.Key
			return func(ctx context.Context) error {
					return collect(serviceaccounts.New(e.c).Keys(ctx, serviceaccounts.ByName("bot")), &got)
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Empty(t, got)
						return
					}
					assert.ElementsMatch(t, ids(e.active(bot)), keyIDs(got))
				}
		},
	},
	{
		name: "serviceaccounts.Delete [DELETE organization_collaborators/{id}]", method: http.MethodDelete, path: pathMembers, class: remove,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			bot := e.srv.AddServiceAccount("bot")
			return func(ctx context.Context) error {
					return serviceaccounts.New(e.c).Delete(ctx, serviceaccounts.ByName("bot"))
				}, func(t *testing.T, x expectation, _ error) {
					_, present := e.member(bot.Email)
					assert.Equal(t, !x.done, present, "deleted")
					assert.Len(t, e.active(bot), b2i(!x.done), "its key goes with it")
				}
		},
	},
}

// createServiceAccount is serviceaccounts.Create, its fault on the
// account's POST or, with onKey, on its first key's.
func createServiceAccount(t *testing.T, e *env, onKey bool) (func(context.Context) error, func(*testing.T, expectation, error)) {
	const name = "deploy"
	var created *serviceaccounts.Created
	return func(ctx context.Context) (err error) {
			created, err = serviceaccounts.New(e.c).Create(ctx, name)
			return err
		}, func(t *testing.T, x expectation, err error) {
			sa, present := e.member(e.serviceAccountEmail(name))
			accountMade, keyMade := x.done, x.outcome.succeeds()
			if onKey {
				accountMade, keyMade = true, x.done
			}
			require.Equal(t, accountMade, present, "the service account was made, once")
			if onKey {
				assert.Equal(t, 1, e.count(http.MethodPost, pathServiceAccount), "the account's POST was sent once")
			} else {
				assert.Equal(t, b2i(x.outcome.succeeds()), e.count(http.MethodPost, pathCreateKey), "the key is asked for once the account exists")
			}
			if present {
				assert.Len(t, e.srv.Keys(sa), b2i(keyMade), "keys made by the call: never two")
			}
			if !x.outcome.succeeds() {
				assert.Nil(t, created)
				if onKey && client.MayHaveActed(err) {
					assert.Contains(t, err.Error(), "was created", "the error says the account exists")
				}
				return
			}
			require.NotNil(t, created)
			assert.Equal(t, sa.ID, created.Account.UserID)
			assert.Equal(t, sa.IdentityID, created.Account.IdentityID)
			e.works(t, created.Secret, sa.Email)
		}
}

// rotateKeys is serviceaccounts.RotateKeys, its fault on the revoke-all
// or, with onKey, on the new key's POST.
func rotateKeys(t *testing.T, e *env, onKey bool) (func(context.Context) error, func(*testing.T, expectation, error)) {
	bot := e.srv.AddServiceAccount("bot")
	seed := e.srv.Keys(bot)[0].ID
	var secret credentials.Secret
	return func(ctx context.Context) (err error) {
			secret, err = serviceaccounts.New(e.c).RotateKeys(ctx, serviceaccounts.ByName("bot"))
			return err
		}, func(t *testing.T, x expectation, err error) {
			revokedAll := e.revoked(t, seed)
			newKeys := len(e.srv.Keys(bot)) - 1
			if onKey {
				assert.True(t, revokedAll, "the old keys are revoked before the new key is asked for")
				assert.Equal(t, b2i(x.done), newKeys, "keys made by the call: never two")
			} else {
				assert.Equal(t, x.done, revokedAll, "the old keys are revoked")
				assert.Equal(t, b2i(x.outcome.succeeds()), newKeys, "a new key only once the old ones are revoked")
			}
			if !x.outcome.succeeds() {
				assert.True(t, secret.IsZero())
				return
			}
			active := e.active(bot)
			require.Len(t, active, 1, "only the new key is active")
			assert.NotEqual(t, seed, active[0].ID)
			e.works(t, secret, bot.Email)
		}
}

func accountEmails(as []serviceaccounts.ServiceAccount) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Email
	}
	return out
}

// count counts the requests with method and a path starting with prefix.
func (e *env) count(method, prefix string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// serviceAccountEmail is wire.md's email of the service account name.
func (e *env) serviceAccountEmail(name string) string {
	return strings.ToLower(name + "@org-" + e.srv.OrgID() + ".serviceaccount.com")
}
