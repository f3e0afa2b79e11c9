package ops

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
)

// keyOps are client.WhoAmI and the operations of keys.Service, on the
// caller's own keys, and its login.
var keyOps = []Op{
	{
		Name: "client.WhoAmI", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathUserInfo, Label: "GET userinfo", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			return reads(func(ctx context.Context, c *client.Client) (*client.UserInfo, error) { return c.WhoAmI(ctx) },
				func(t *testing.T, me *client.UserInfo) {
					require.NotNil(t, me)
					assert.Equal(t, w.Owner.Email, me.Email)
				})
		},
	},
	{
		Name: "keys.Create", Scope: Member,
		Requests: []Request{{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key", Kind: Create}},
		Start: func(t *testing.T, w *World) Call {
			var created *keys.CreatedKey
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					created, err = keys.New(c).Create(ctx, keys.CreateRequest{Name: "matrix", ExpiresIn: time.Hour})
					return []any{created}, err
				},
				Check: func(t *testing.T, o Outcome) {
					made := w.named(w.Owner, "matrix")
					require.Len(t, made, b2i(o.Acted), "keys made by the call: never two")
					if !o.OK {
						assert.Nil(t, created)
						if client.MayHaveActed(o.Err) {
							assert.Contains(t, o.Err.Error(), "may have been made", "the error says what to check")
						}
						return
					}
					require.NotNil(t, created)
					assert.True(t, created.Listed, "the key was read back")
					assert.Equal(t, made[0].ID, created.Key.ID)
					w.works(t, created.Secret, w.Owner.Email)
				},
			}
		},
	},
	{
		Name: "keys.List", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathOwnKeys, Label: "GET api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			w.AddKey(w.Owner, "a", time.Hour)
			w.AddKey(w.Owner, "b", time.Hour)
			return reads(func(ctx context.Context, c *client.Client) (*client.Page[keys.Key], error) {
				return keys.New(c).List(ctx, keys.ListOptions{})
			}, func(t *testing.T, page *client.Page[keys.Key]) {
				require.NotNil(t, page)
				assert.ElementsMatch(t, ids(w.active(w.Owner)), keyIDs(page.Items))
			})
		},
	},
	{
		Name: "keys.All", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathOwnKeys, Label: "GET api_keys, page 1 of 3", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			for _, n := range []string{"a", "b", "c", "d"} {
				w.AddKey(w.Owner, n, time.Hour)
			}
			return reads(func(ctx context.Context, c *client.Client) ([]keys.Key, error) {
				return all(keys.New(c).All(ctx, keys.ListOptions{PageSize: 2}))
			}, func(t *testing.T, got []keys.Key) {
				assert.ElementsMatch(t, ids(w.active(w.Owner)), keyIDs(got))
			})
		},
	},
	{
		Name: "keys.Revoke", Scope: Member,
		Requests: []Request{{Method: http.MethodDelete, Path: pathOwnKey, Label: "DELETE api_keys/{id}", Kind: Remove}},
		Start: func(t *testing.T, w *World) Call {
			id := w.AddKey(w.Owner, "victim", time.Hour)
			return acts(func(ctx context.Context, c *client.Client) error {
				return keys.New(c).Revoke(ctx, id)
			}, func(t *testing.T, o Outcome) {
				assert.Equal(t, o.Acted, w.revoked(t, id), "revoked")
			})
		},
	},
	{
		Name: "keys.RevokeMany", Scope: Member,
		Requests: []Request{{Method: http.MethodPost, Path: pathOwnBulk, Label: "POST api_keys/revoke, 1st", Kind: Bulk}},
		Start: func(t *testing.T, w *World) Call {
			return revokeMany(w, w.Owner, func(ctx context.Context, c *client.Client, ids []string) (*keys.RevokeResult, error) {
				return keys.New(c).RevokeMany(ctx, ids)
			})
		},
	},
	{
		Name: "keys.Rotate", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathRotate, Label: "GET rotate_api_key", Kind: Once, FreshConn: 1}},
		Start: func(t *testing.T, w *World) Call {
			seed := w.Srv.Keys(w.Owner)[0].ID
			var secret credentials.Secret
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					secret, err = keys.New(c).Rotate(ctx)
					return []any{secret}, err
				},
				Check: func(t *testing.T, o Outcome) {
					assert.Equal(t, o.Acted, w.revoked(t, seed), "the old key is revoked once the rotation happened")
					active := w.active(w.Owner)
					require.Len(t, active, 1, "one active key: the old one or the rotation's")
					assert.Equal(t, o.Acted, active[0].ID != seed, "the rotation's new key")
					assert.Len(t, w.Srv.Keys(w.Owner), 1+b2i(o.Acted), "rotated at most once")
					if !o.OK {
						assert.True(t, secret.IsZero())
						if client.MayHaveActed(o.Err) {
							assert.Contains(t, o.Err.Error(), "the rotation may have happened", "the error says what may have happened")
						}
						return
					}
					w.works(t, secret, w.Owner.Email)
				},
			}
		},
	},
	{
		Name: "keys.Audit", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathOwnKeys, Label: "GET api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			legacy := w.AddKey(w.Owner, "legacy", 0)
			return reads(func(ctx context.Context, c *client.Client) (*keys.AuditReport, error) {
				return keys.New(c).Audit(ctx, keys.AuditOptions{})
			}, func(t *testing.T, report *keys.AuditReport) {
				require.NotNil(t, report)
				assert.Equal(t, len(w.active(w.Owner)), report.Checked, "every active key audited")
				assert.True(t, hasFinding(report, legacy, keys.FindingLegacy, w.Owner.Email), "the legacy key is found")
			})
		},
	},
	{
		Name: "keys.Resolve", Scope: Member,
		Requests: []Request{{Method: http.MethodGet, Path: pathOwnKeys, Label: "GET api_keys", Kind: Read}},
		Start: func(t *testing.T, w *World) Call {
			id := w.AddKey(w.Owner, "target", time.Hour)
			w.AddKey(w.Owner, "other", time.Hour)
			return reads(func(ctx context.Context, c *client.Client) (*keys.Key, error) {
				return keys.New(c).Resolve(ctx, "target")
			}, func(t *testing.T, k *keys.Key) {
				require.NotNil(t, k)
				assert.Equal(t, id, k.ID)
			})
		},
	},
	{
		Name: "keys.Renew", Scope: Member,
		Requests: []Request{{Method: http.MethodPost, Path: pathCreateKey, Label: "POST create_api_key, first run", Kind: Create}},
		Start:    renew,
	},
	{
		Name: "login.Run", Scope: Anonymous,
		Requests: []Request{{Method: http.MethodGet, Path: PathLoginPoll, Label: "GET request_otp_token, poll", Kind: Poll, FreshConn: 2}},
		Start: func(t *testing.T, w *World) Call {
			path := filepath.Join(t.TempDir(), "credentials.json")
			opts := login.Options{
				// The browser: the owner approves before the first poll.
				OpenURL:         w.approve,
				PollInterval:    time.Millisecond,
				MaxPolls:        5,
				CredentialsPath: path,
			}
			var res *login.Result
			return Call{
				Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
					res, err = login.Run(ctx, c, opts)
					return []any{res}, err
				},
				Check: func(t *testing.T, o Outcome) {
					assert.Equal(t, b2i(!o.Acted), len(w.Srv.PendingLogins()), "the token was handed out, or the login is still pending")
					if !o.OK {
						assert.Nil(t, res)
						if o.Acted && !errors.Is(o.Err, context.DeadlineExceeded) {
							assert.Contains(t, o.Err.Error(), "the answer carrying its token was lost", "the error says the token was lost")
						}
						_, statErr := os.Stat(path)
						assert.ErrorIs(t, statErr, fs.ErrNotExist, "no credentials were written")
						return
					}
					require.NotNil(t, res)
					saved, err := credentials.Load(path)
					require.NoError(t, err)
					assert.True(t, saved.CLIToken == res.Secret, "the login's token is saved")
					w.works(t, res.Secret, w.Owner.Email)
				},
			}
		},
	},
}

// revokeMany is RevokeMany of either scope (revoke), over three keys of
// u: a fault meets the first bulk request.
func revokeMany(w *World, u anyscaletest.User, revoke func(context.Context, *client.Client, []string) (*keys.RevokeResult, error)) Call {
	var want []string
	for _, n := range []string{"k1", "k2", "k3"} {
		want = append(want, w.AddKey(u, n, time.Hour))
	}
	var res *keys.RevokeResult
	return Call{
		Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
			res, err = revoke(ctx, c, want)
			return []any{res}, err
		},
		Check: func(t *testing.T, o Outcome) {
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
			assert.Equal(t, len(res.Failed) > 0, o.Err != nil, "the error is set exactly when Failed is not empty")
			// What it reports revoked or not found is not active.
			for _, id := range append(append([]string{}, res.Revoked...), res.NotFound...) {
				assert.True(t, w.revoked(t, id), "id %s is reported revoked or not found, and is inactive", id)
			}
			if !o.OK {
				assert.Len(t, res.Failed, len(want), "the deadline ended the call: no id is settled")
				assert.Equal(t, o.Acted, w.revoked(t, want[0]), "the first id's bulk request acted")
				return
			}
			if o.Recovered && o.Acted {
				// The faulted request revoked its batch (every id here)
				// and its answer was lost or unreadable; alone, each id is
				// then found gone.
				assert.Equal(t, want, res.NotFound)
				assert.Empty(t, res.Revoked)
			} else {
				assert.Empty(t, res.NotFound)
				assert.Equal(t, want, res.Revoked)
			}
		},
	}
}

// renew is Renew's first run, into an empty file store: its key request
// is the one the fault meets. Check holds the invariant: the store never
// holds a key that does not work (after a failed first run, nothing), and
// a second run converges to one active key of the lineage, a key outside
// it untouched.
func renew(t *testing.T, w *World) Call {
	store := keys.FileStore(filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName))
	opts := keys.RenewOptions{Name: "matrix", ExpiresIn: time.Hour}
	outside := w.AddKey(w.Owner, "matrix-nightly", time.Hour)
	lineage := regexp.MustCompile(`^matrix-\d{8}T\d{6}Z(-\d+)?$`)
	active := func() []string {
		var out []string
		for _, k := range w.active(w.Owner) {
			if lineage.MatchString(k.Name) {
				out = append(out, k.ID)
			}
		}
		return out
	}
	var res *keys.RenewResult
	return Call{
		Do: func(ctx context.Context, c *client.Client) (_ []any, err error) {
			res, err = keys.New(c).Renew(ctx, store, opts)
			return []any{res}, err
		},
		Check: func(t *testing.T, o Outcome) {
			ctx := context.Background()
			stored, err := store.Load(ctx)
			if o.OK {
				require.NotNil(t, res)
				require.NoError(t, err, "the store holds the new key")
				w.works(t, stored.Secret, w.Owner.Email)
				assert.Equal(t, res.New.ID, stored.KeyID)
				assert.Equal(t, []string{res.New.ID}, active())
			} else {
				assert.Nil(t, res)
				assert.ErrorIs(t, err, client.ErrNotFound, "a first run that failed leaves the store empty: never a key that does not work")
				assert.Len(t, active(), b2i(o.Acted), "the key a lost answer made, left for the next run")
				assert.Contains(t, client.AdviceOf(o.Err), client.Advice{Action: client.ActionRunAgain, Subject: opts.Name}, "the error says to run it again")
			}
			// A second run finishes the job.
			again, err := keys.New(w.Client).Renew(ctx, store, opts)
			require.NoError(t, err, "a second run converges")
			stored, err = store.Load(ctx)
			require.NoError(t, err)
			w.works(t, stored.Secret, w.Owner.Email)
			assert.Equal(t, again.New.ID, stored.KeyID)
			assert.Equal(t, []string{again.New.ID}, active(), "one active key of the lineage")
			assert.False(t, w.revoked(t, outside), "a key outside the lineage is never touched")
		},
	}
}

func keyIDs(ks []keys.Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

// hasFinding reports whether report has a finding of kind on the key with
// id, owned by ownerEmail.
func hasFinding(report *keys.AuditReport, id string, kind keys.FindingKind, ownerEmail string) bool {
	for _, f := range report.Findings {
		if f.Key.ID == id && f.Kind == kind && f.OwnerEmail == ownerEmail {
			return true
		}
	}
	return false
}
