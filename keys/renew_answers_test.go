package keys_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// intercept answers the request that when picks, once, with status and
// body; every other request reaches the fake.
func intercept(when func(r *http.Request, created bool) bool, status int, body string) anyscaletest.Option {
	var mu sync.Mutex
	created, done := false, false
	return anyscaletest.WithWrap(func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hit := !done && when(r, created)
			if hit {
				done = true
			}
			if r.Method == http.MethodPost && r.URL.Path == anyscaletest.PathCreateKey {
				created = true
			}
			mu.Unlock()
			if hit {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
				return
			}
			api.ServeHTTP(w, r)
		})
	})
}

// When Create cannot read its key back, Renew takes no guess at the new
// key's id: the store keeps none, the key is known by its unique name, and
// it is never revoked as an older key.
func TestRenewWithoutTheNewKeysID(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t, intercept(func(r *http.Request, created bool) bool {
		return created && r.Method == http.MethodGet && r.URL.Path == anyscaletest.PathKeys
	}, http.StatusServiceUnavailable, `{"error":{"detail":"busy"}}`))
	own := keys.New(w.c)
	_, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	stored := w.assertStoreWorks(t)
	assert.Empty(t, stored.KeyID, "no id is derived from the secret")
	res, err := own.Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	assert.Equal(t, []string{res.New.ID}, w.lineage())
	w.assertStoreWorks(t)
}

// An identity answer that names no user stops Renew before anything is
// made: nothing can be checked against it.
func TestRenewRefusesAnAnswerNamingNoUser(t *testing.T) {
	w := newRenewWorld(t, intercept(func(r *http.Request, _ bool) bool {
		return r.URL.Path == anyscaletest.PathUserInfo
	}, http.StatusOK, `{"result":{}}`))
	_, err := keys.New(w.c).Renew(context.Background(), w.store, keys.RenewOptions{Name: "ci"})
	require.ErrorIs(t, err, client.ErrMalformedResponse)
	for _, r := range w.srv.Requests() {
		assert.NotEqual(t, http.MethodPost, r.Method, "nothing made")
	}
}

// On a first run (an empty store), a new key that fails its check is never
// saved: the store stays empty rather than hold a key that does not work.
func TestRenewFirstRunChecksBeforeSaving(t *testing.T) {
	calls := 0
	w := newRenewWorld(t, intercept(func(r *http.Request, created bool) bool {
		if r.URL.Path == anyscaletest.PathUserInfo {
			calls++
		}
		return created && calls == 2
	}, http.StatusUnauthorized, `{"error":{"detail":"no"}}`))
	_, err := keys.New(w.c).Renew(context.Background(), w.store, keys.RenewOptions{Name: "ci"})
	require.ErrorIs(t, err, client.ErrUnauthorized)
	_, err = w.store.Load(context.Background())
	assert.ErrorIs(t, err, client.ErrNotFound, "the store stays empty")
}

// A new key that fails its check is taken out of the store only when the
// store still holds it: a key another process saved since stands.
func TestRenewPutsBackOnlyItsOwnKey(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	_, err := keys.New(w.c).Renew(ctx, w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	id, other := w.srv.AddKey(w.sa, "another-process", time.Hour)
	store := &faultyStore{Store: w.store, afterSave: func() {
		// Another process saves its key, then the check is refused.
		require.NoError(t, w.store.Save(ctx, keys.Stored{Secret: credentials.Secret(other), KeyID: id}))
		w.srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: anyscaletest.PathUserInfo, Status: http.StatusUnauthorized})
	}}
	_, err = keys.New(w.c).Renew(ctx, store, keys.RenewOptions{Name: "ci"})
	require.Error(t, err)
	got, err := w.store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, id, got.KeyID, "the other process's key stands")
	w.assertStoreWorks(t)
}
