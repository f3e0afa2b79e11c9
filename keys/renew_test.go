package keys_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

var lineageName = regexp.MustCompile(`^ci-\d{8}T\d{6}Z(-\d+)?$`)

// renewWorld is a service account that renews its own key into a file.
type renewWorld struct {
	srv   *anyscaletest.Server
	sa    anyscaletest.User
	c     *client.Client // on the service account's first token
	store keys.Store
	path  string
}

func newRenewWorld(t *testing.T, opts ...anyscaletest.Option) *renewWorld {
	t.Helper()
	srv := anyscaletest.Start(t, opts...)
	sa := srv.AddServiceAccount("ci")
	c, err := srv.Client(sa, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
	return &renewWorld{srv: srv, sa: sa, c: c, store: keys.FileStore(path), path: path}
}

// lineage returns the ids of the service account's active keys of the
// lineage "ci".
func (w *renewWorld) lineage() []string {
	var ids []string
	for _, k := range w.srv.Keys(w.sa) {
		if k.RevokedAt == nil && lineageName.MatchString(k.Name) {
			ids = append(ids, k.ID)
		}
	}
	return ids
}

// assertStoreWorks checks the invariant: the store holds a key that
// answers as the service account.
func (w *renewWorld) assertStoreWorks(t *testing.T) keys.Stored {
	t.Helper()
	s, err := w.store.Load(context.Background())
	require.NoError(t, err, "the store holds a key")
	who, err := w.c.WithAuth(auth.StaticSecret(s.Secret)).WhoAmI(context.Background())
	require.NoError(t, err, "the stored key works")
	assert.Equal(t, w.sa.ID, who.ID)
	return s
}

func TestRenewRunsConverge(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	own := keys.New(w.c)
	outsider, _ := w.srv.AddKey(w.sa, "cix-20260101T000000Z", time.Hour)
	lookalike, _ := w.srv.AddKey(w.sa, "ci-nightly", time.Hour)

	first, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	assert.Regexp(t, `^ci-\d{8}T\d{6}Z$`, first.New.Name)
	assert.Empty(t, first.Revoked)
	stored := w.assertStoreWorks(t)
	assert.Equal(t, first.New.ID, stored.KeyID)
	require.NotNil(t, first.New.ExpiresAt)
	assert.True(t, first.New.ExpiresAt.Equal(stored.ExpiresAt))
	assert.Equal(t, []string{first.New.ID}, w.lineage())

	second, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	assert.NotEqual(t, first.New.ID, second.New.ID)
	assert.Regexp(t, `^ci-\d{8}T\d{6}Z(-2)?$`, second.New.Name, "a name taken in the same second gets -2")
	assert.Equal(t, []string{first.New.ID}, second.Revoked)
	assert.Equal(t, second.New.ID, w.assertStoreWorks(t).KeyID)
	assert.Equal(t, []string{second.New.ID}, w.lineage())

	// Keys outside the lineage are never touched, nor is the first token.
	for _, id := range []string{outsider, lookalike, keyIDOf(t, w.srv, w.sa.Token)} {
		k, ok := w.srv.Key(id)
		require.True(t, ok)
		assert.Nil(t, k.RevokedAt, k.Name)
	}
}

func keyIDOf(t *testing.T, srv *anyscaletest.Server, secret string) string {
	t.Helper()
	c, err := srv.ClientWithToken(secret)
	require.NoError(t, err)
	page, err := keys.New(c).List(context.Background(), keys.ListOptions{})
	require.NoError(t, err)
	for _, k := range page.Items {
		if !strings.HasPrefix(k.Name, "ci") {
			return k.ID
		}
	}
	t.Fatal("no seeded key")
	return ""
}

func TestRenewKeepsAnOverlap(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	own := keys.New(w.c)
	var made []string
	for range 3 {
		r, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci", Keep: 1})
		require.NoError(t, err)
		made = append(made, r.New.ID)
	}
	assert.ElementsMatch(t, made[1:], w.lineage(), "1 + Keep keys: the new one and the one the store held")
	w.assertStoreWorks(t)
}

// The key the store held is the one kept for an overlap, not an orphan of
// an earlier run that nobody holds, however new.
func TestRenewKeepsTheHeldKeyBeforeOrphans(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	own := keys.New(w.c)
	first, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	w.srv.Advance(time.Minute)
	orphan, _ := w.srv.AddKey(w.sa, "ci-20991231T235959Z", time.Hour)

	second, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci", Keep: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{orphan}, second.Revoked)
	assert.ElementsMatch(t, []string{first.New.ID, second.New.ID}, w.lineage())
}

func TestRenewValidates(t *testing.T) {
	w := newRenewWorld(t)
	for name, opts := range map[string]keys.RenewOptions{
		"no name":        {},
		"negative keep":  {Name: "ci", Keep: -1},
		"too long":       {Name: "ci", ExpiresIn: keys.MaxLifetime + time.Second},
		"name too long":  {Name: strings.Repeat("n", keys.MaxNameLength)},
		"name with tabs": {Name: "c\ti"},
	} {
		_, err := keys.New(w.c).Renew(context.Background(), w.store, opts)
		assert.ErrorIs(t, err, client.ErrInvalid, name)
		assert.False(t, client.MayHaveActed(err), name)
	}
	assert.Empty(t, w.srv.Requests(), "nothing is sent")
}

// faultyStore fails or crashes at a chosen moment.
type faultyStore struct {
	keys.Store
	failSave bool
	// afterSave runs once Save has saved.
	afterSave func()
}

func (f *faultyStore) Save(ctx context.Context, s keys.Stored) error {
	if f.failSave {
		return errors.New("disk full")
	}
	if err := f.Store.Save(ctx, s); err != nil {
		return err
	}
	if f.afterSave != nil {
		next := f.afterSave
		f.afterSave = nil
		next()
	}
	return nil
}

// errCrash stands for the process dying at a step.
type errCrash struct{}

// At every step a fault or a crash leaves the store holding a key that
// works, and the next run converges to exactly one key of the lineage.
func TestRenewSurvivesEveryStep(t *testing.T) {
	ctx := context.Background()
	create := anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key"}
	for name, tt := range map[string]struct {
		fault     *anyscaletest.Fault // queued before the second run
		store     func(w *renewWorld, base keys.Store) keys.Store
		wantPanic bool
		wantNew   bool // the second run still reports its new key
		unchanged bool // it failed before anything changed: no advice
	}{
		"create refused":     {fault: &anyscaletest.Fault{Method: create.Method, PathPrefix: create.PathPrefix, Status: 500}},
		"create answer lost": {fault: &anyscaletest.Fault{Method: create.Method, PathPrefix: create.PathPrefix, Drop: true, AfterHandler: true}},
		"listing fails":      {unchanged: true, fault: &anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/api_keys", Status: 503}},
		"save fails": {store: func(_ *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, failSave: true}
		}},
		"crash after save": {wantPanic: true, store: func(_ *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, afterSave: func() { panic(errCrash{}) }}
		}},
		"check fails": {store: func(w *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, afterSave: func() {
				w.srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Status: 401})
			}}
		}},
		"the new key does not work": {store: func(w *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, afterSave: func() {
				// An owner revokes the new key between its save and its check.
				s, err := base.Load(context.Background())
				var owner *client.Client
				if err == nil {
					owner, err = w.srv.Client(w.srv.Owner())
				}
				if err == nil {
					err = keys.New(owner).Org().Revoke(context.Background(), s.KeyID)
				}
				if err != nil {
					panic(err)
				}
			}}
		}},
		"check answer lost": {store: func(w *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, afterSave: func() {
				// net/http sends a GET again once on a fresh connection.
				w.srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/userinfo/", Drop: true, Times: 2})
			}}
		}},
		"revoke fails": {wantNew: true, store: func(w *renewWorld, base keys.Store) keys.Store {
			return &faultyStore{Store: base, afterSave: func() {
				w.srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/api_keys/revoke", Status: 500})
				w.srv.FailNext(anyscaletest.Fault{Method: http.MethodDelete, PathPrefix: "/api/v2/users/api_keys/", Status: 500})
			}}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			w := newRenewWorld(t)
			own := keys.New(w.c)
			_, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
			require.NoError(t, err)
			w.assertStoreWorks(t)

			if tt.fault != nil {
				w.srv.FailNext(*tt.fault)
			}
			store := w.store
			if tt.store != nil {
				store = tt.store(w, w.store)
			}
			run := func() (*keys.RenewResult, error) { return own.Renew(ctx, store, keys.RenewOptions{Name: "ci"}) }
			if tt.wantPanic {
				assert.PanicsWithValue(t, errCrash{}, func() { _, _ = run() })
			} else {
				res, err := run()
				require.Error(t, err)
				assert.Equal(t, tt.wantNew, res != nil && res.New.ID != "", "%v", err)
				if !tt.unchanged {
					advised := client.AdviceOf(err)
					require.NotEmpty(t, advised)
					assert.Equal(t, client.Advice{Action: client.ActionRunAgain, Subject: "ci"}, advised[0], "a failed Renew says first to run it again")
				}
			}
			w.assertStoreWorks(t)
			w.srv.ClearFaults()

			_, err = own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
			require.NoError(t, err, "the next run finishes the job")
			s := w.assertStoreWorks(t)
			assert.Equal(t, []string{s.KeyID}, w.lineage(), "exactly one key of the lineage is left")
		})
	}
}

func TestRenewStoredKeyRejected(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	own := keys.New(w.c)
	r, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	// Someone revoked the stored key: nothing is made, and the error says
	// the current key does not answer.
	owner, err := w.srv.Client(w.srv.Owner())
	require.NoError(t, err)
	require.NoError(t, keys.New(owner).Org().Revoke(ctx, r.New.ID))
	w.srv.ResetRequests()
	_, err = own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.ErrorIs(t, err, client.ErrUnauthorized)
	for _, req := range w.srv.Requests() {
		assert.NotEqual(t, http.MethodPost, req.Method, "nothing is created: %s", req.Path)
	}
}
