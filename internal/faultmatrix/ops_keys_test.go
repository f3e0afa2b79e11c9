package faultmatrix_test

import (
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// keyOperations are client.WhoAmI and the operations of keys.Service, on
// the caller's own keys.
var keyOperations = []operation{
	{
		name: "client.WhoAmI [GET userinfo]", method: http.MethodGet, path: pathUserInfo, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			var me *client.UserInfo
			return func(ctx context.Context) (err error) {
					me, err = e.c.WhoAmI(ctx)
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, me)
						return
					}
					require.NotNil(t, me)
					assert.Equal(t, e.owner.Email, me.Email)
				}
		},
	},

	{
		name: "keys.Create [POST create_api_key]", method: http.MethodPost, path: pathCreateKey, class: create,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			var created *keys.CreatedKey
			return func(ctx context.Context) (err error) {
					created, err = keys.New(e.c).Create(ctx, keys.CreateRequest{Name: "matrix", ExpiresIn: time.Hour})
					return err
				}, func(t *testing.T, x expectation, err error) {
					made := e.named(e.owner, "matrix")
					require.Len(t, made, b2i(x.done), "keys made by the call: never two")
					if !x.outcome.succeeds() {
						assert.Nil(t, created)
						if client.MayHaveActed(err) {
							assert.Contains(t, err.Error(), "may have been made", "the error says what to check")
						}
						return
					}
					require.NotNil(t, created)
					assert.True(t, created.Listed, "the key was read back")
					assert.Equal(t, made[0].ID, created.Key.ID)
					e.works(t, created.Secret, e.owner.Email)
				}
		},
	},
	{
		name: "keys.List [GET api_keys]", method: http.MethodGet, path: pathOwnKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			e.srv.AddKey(e.owner, "a", time.Hour)
			e.srv.AddKey(e.owner, "b", time.Hour)
			var page *client.Page[keys.Key]
			return func(ctx context.Context) (err error) {
					page, err = keys.New(e.c).List(ctx, keys.ListOptions{})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, page)
						return
					}
					require.NotNil(t, page)
					assert.ElementsMatch(t, ids(e.active(e.owner)), keyIDs(page.Items))
				}
		},
	},
	{
		name: "keys.All [GET api_keys, page 1 of 3]", method: http.MethodGet, path: pathOwnKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			for _, n := range []string{"a", "b", "c", "d"} {
				e.srv.AddKey(e.owner, n, time.Hour)
			}
			var got []keys.Key
			return func(ctx context.Context) error {
					return collect(keys.New(e.c).All(ctx, keys.ListOptions{PageSize: 2}), &got)
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Empty(t, got, "the first page failed")
						return
					}
					assert.ElementsMatch(t, ids(e.active(e.owner)), keyIDs(got))
				}
		},
	},
	{
		name: "keys.Revoke [DELETE api_keys/{id}]", method: http.MethodDelete, path: pathOwnKey, class: remove,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			id, _ := e.srv.AddKey(e.owner, "victim", time.Hour)
			return func(ctx context.Context) error {
					return keys.New(e.c).Revoke(ctx, id)
				}, func(t *testing.T, x expectation, _ error) {
					assert.Equal(t, x.done, e.revoked(t, id), "revoked")
				}
		},
	},
	{
		name: "keys.RevokeMany [POST api_keys/revoke, 1st]", method: http.MethodPost, path: pathOwnBulk, class: bulk,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			return revokeMany(t, e, e.owner, keys.New(e.c).RevokeMany)
		},
	},
	{
		name: "keys.Rotate [GET rotate_api_key]", method: http.MethodGet, path: pathRotate, class: once, faultedConn: 1,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			seed := e.srv.Keys(e.owner)[0].ID
			var secret credentials.Secret
			return func(ctx context.Context) (err error) {
					secret, err = keys.New(e.c).Rotate(ctx)
					return err
				}, func(t *testing.T, x expectation, err error) {
					assert.Equal(t, x.done, e.revoked(t, seed), "the old key is revoked once the rotation happened")
					active := e.active(e.owner)
					require.Len(t, active, 1, "one active key: the old one or the rotation's")
					assert.Equal(t, x.done, active[0].ID != seed, "the rotation's new key")
					assert.Len(t, e.srv.Keys(e.owner), 1+b2i(x.done), "rotated at most once")
					if !x.outcome.succeeds() {
						assert.True(t, secret.IsZero())
						if client.MayHaveActed(err) {
							assert.Contains(t, err.Error(), "the rotation may have happened", "the error says what may have happened")
						}
						return
					}
					e.works(t, secret, e.owner.Email)
				}
		},
	},
	{
		name: "keys.Audit [GET api_keys]", method: http.MethodGet, path: pathOwnKeys, class: read,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			legacy := e.srv.AddLegacyKey(e.owner, "legacy")
			var report *keys.AuditReport
			return func(ctx context.Context) (err error) {
					report, err = keys.New(e.c).Audit(ctx, keys.AuditOptions{})
					return err
				}, func(t *testing.T, x expectation, _ error) {
					if !x.outcome.succeeds() {
						assert.Nil(t, report, "no partial report")
						return
					}
					require.NotNil(t, report)
					assert.Equal(t, len(e.active(e.owner)), report.Checked, "every active key audited")
					assert.True(t, hasFinding(report, legacy, keys.FindingLegacy, e.owner.Email), "the legacy key is found")
				}
		},
	},
	{
		name: "keys.Login [GET request_otp_token, poll]", method: http.MethodGet, path: pathLoginPoll, class: poll, faultedConn: 2,
		start: func(t *testing.T, e *env) (func(context.Context) error, func(*testing.T, expectation, error)) {
			path := filepath.Join(t.TempDir(), "credentials.json")
			opts := keys.LoginOptions{
				// The browser: the owner approves before the first poll.
				OpenURL: func(_ context.Context, u string) error {
					e.srv.ApproveLogin(u[strings.LastIndex(u, "/")+1:], e.owner)
					return nil
				},
				PollInterval:    time.Millisecond,
				MaxPolls:        5,
				CredentialsPath: path,
			}
			var res *keys.LoginResult
			return func(ctx context.Context) (err error) {
					res, err = keys.New(e.c).Login(ctx, opts)
					return err
				}, func(t *testing.T, x expectation, err error) {
					assert.Equal(t, b2i(!x.done), len(e.srv.PendingLogins()), "the token was handed out, or the login is still pending")
					if !x.outcome.succeeds() {
						assert.Nil(t, res)
						if x.done && x.sends == 2 {
							assert.Contains(t, err.Error(), "the answer carrying its token was lost", "the error says the token was lost")
						}
						_, statErr := os.Stat(path)
						assert.ErrorIs(t, statErr, fs.ErrNotExist, "no credentials were written")
						return
					}
					require.NotNil(t, res)
					saved, err := credentials.Load(path)
					require.NoError(t, err)
					assert.True(t, saved.CLIToken == res.Secret, "the login's token is saved")
					e.works(t, res.Secret, e.owner.Email)
				}
		},
	},
}

// revokeMany is the RevokeMany row of either scope, over three keys of
// u: the fault meets the first bulk request.
func revokeMany(t *testing.T, e *env, u anyscaletest.User,
	revoke func(context.Context, []string, ...keys.RevokeOptions) (*keys.RevokeResult, error),
) (func(context.Context) error, func(*testing.T, expectation, error)) {
	var want []string
	for _, n := range []string{"k1", "k2", "k3"} {
		id, _ := e.srv.AddKey(u, n, time.Hour)
		want = append(want, id)
	}
	var res *keys.RevokeResult
	return func(ctx context.Context) (err error) {
			res, err = revoke(ctx, want)
			return err
		}, func(t *testing.T, x expectation, err error) {
			require.NotNil(t, res, "the result is never nil")
			// Every id is in exactly one of the three.
			seen := map[string]int{}
			for _, id := range res.Revoked {
				seen[id]++
			}
			for _, id := range res.NotFound {
				seen[id]++
			}
			for id := range res.Failed {
				seen[id]++
			}
			for _, id := range want {
				assert.Equal(t, 1, seen[id], "id %s is accounted for once", id)
			}
			assert.Len(t, seen, len(want), "no id that was not given")
			assert.Equal(t, len(res.Failed) > 0, err != nil, "the error is set exactly when Failed is not empty")
			// What it reports revoked or not found is not active.
			for _, id := range append(append([]string{}, res.Revoked...), res.NotFound...) {
				assert.True(t, e.revoked(t, id), "id %s is reported revoked or not found, and is inactive", id)
			}
			if !x.outcome.succeeds() {
				assert.Len(t, res.Failed, len(want), "the deadline ended the call: no id is settled")
				assert.Equal(t, x.done, e.revoked(t, want[0]), "the first id's bulk request acted")
				return
			}
			if x.outcome == recovered && x.done {
				// The faulted request revoked its batch (every id here)
				// and its answer was lost or unreadable; alone, each id is
				// then found gone.
				assert.Equal(t, want, res.NotFound)
				assert.Empty(t, res.Revoked)
			} else {
				assert.Empty(t, res.NotFound)
				assert.Equal(t, want, res.Revoked)
			}
		}
}
