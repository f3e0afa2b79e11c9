package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

// Faults on reads and deletes are retried until they pass.
func TestFaultsReadsAndDeletesRecover(t *testing.T) {
	t.Parallel()
	faults := map[string]anyscaletest.Fault{
		"503":             {Status: 503},
		"502 twice":       {Status: 502, Times: 2},
		"500":             {Status: 500},
		"504":             {Status: 504},
		"429 retry-after": {Status: 429, RetryAfter: "0"},
		"dropped":         {Drop: true},
		"dropped after":   {Drop: true, AfterHandler: true},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			ctx := context.Background()
			ks := keys.New(w.oc)
			k, err := ks.Create(ctx, keys.CreateRequest{Name: "target", ExpiresIn: time.Hour})
			require.NoError(t, err)

			list := f
			list.Method, list.PathPrefix = http.MethodGet, "/api/v2/users/api_keys"
			w.srv.FailNext(list)
			page, err := ks.List(ctx, keys.ListOptions{})
			require.NoError(t, err)
			assert.NotEmpty(t, page.Items)

			del := f
			del.Method, del.PathPrefix = http.MethodDelete, "/api/v2/users/api_keys/"
			w.srv.FailNext(del)
			err = ks.Revoke(ctx, k.Key.ID)
			if f.AfterHandler {
				// The first attempt revoked it and its answer was lost: the
				// retry then finds nothing to revoke, and says so.
				assert.ErrorIs(t, err, client.ErrNotFound)
			} else {
				require.NoError(t, err)
			}
			got, ok := w.srv.Key(k.Key.ID)
			require.True(t, ok)
			assert.NotNil(t, got.RevokedAt)
		})
	}
}

// However Create fails, the server never holds two keys from one call.
func TestFaultsCreateNeverMakesTwoKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     anyscaletest.Fault
		wantErr   bool
		wantKeys  int // keys named "once" on the server afterwards
		wantTries int // POSTs the server saw
	}{
		{"500 before acting", anyscaletest.Fault{Status: 500}, true, 0, 1},
		{"500 after acting", anyscaletest.Fault{Status: 500, AfterHandler: true}, true, 1, 1},
		{"502 after acting", anyscaletest.Fault{Status: 502, AfterHandler: true}, true, 1, 1},
		{"503 without retry-after", anyscaletest.Fault{Status: 503}, true, 0, 1},
		{"dropped after acting", anyscaletest.Fault{Drop: true, AfterHandler: true}, true, 1, 1},
		{"dropped before acting", anyscaletest.Fault{Drop: true}, true, 0, 1},
		{"429 is retried", anyscaletest.Fault{Status: 429, RetryAfter: "0"}, false, 1, 2},
		{"503 with retry-after is retried", anyscaletest.Fault{Status: 503, RetryAfter: "0", Times: 2}, false, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			f := tt.fault
			f.Method, f.PathPrefix = http.MethodPost, "/api/v2/users/create_api_key"
			w.srv.FailNext(f)
			created, err := keys.New(w.oc).Create(context.Background(), keys.CreateRequest{Name: "once", ExpiresIn: time.Hour})
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, created)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "once", created.Key.Name)
			}
			n := 0
			for _, k := range w.srv.Keys(w.owner) {
				if k.Name == "once" {
					n++
				}
			}
			assert.Equal(t, tt.wantKeys, n)
			posts := 0
			for _, r := range w.srv.Requests() {
				if r.Method == http.MethodPost && r.Path == "/api/v2/users/create_api_key" {
					posts++
				}
			}
			assert.Equal(t, tt.wantTries, posts)
		})
	}
}

// However a bulk revoke fails, every id ends up in exactly one of Revoked,
// NotFound and Failed; every id in Revoked or NotFound is not active on the
// server; and only a refusal leaves keys active.
func TestFaultsRevokeManyAccountsForEveryID(t *testing.T) {
	t.Parallel()
	faults := map[string]anyscaletest.Fault{
		"500 before acting":    {Status: 500},
		"500 after acting":     {Status: 500, AfterHandler: true},
		"dropped before":       {Drop: true},
		"dropped after acting": {Drop: true, AfterHandler: true},
		"503 on both batches":  {Status: 503, Times: 2},
		"429 then fine":        {Status: 429, RetryAfter: "0"},
		"403":                  {Status: 403},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			ctx := context.Background()
			var ids []string
			for i := range 55 {
				k, err := keys.New(w.ac).Create(ctx, keys.CreateRequest{Name: fmt.Sprintf("k%02d", i), ExpiresIn: time.Hour})
				require.NoError(t, err)
				ids = append(ids, k.Key.ID)
			}
			f.Method, f.PathPrefix = http.MethodPost, "/api/v2/users/admin/api_keys/revoke"
			w.srv.FailNext(f)
			// One batch at a time, so that the fault meets the first one.
			res, err := keys.New(w.oc).Org().RevokeMany(ctx, ids, keys.RevokeOptions{Concurrency: 1})
			accounted(t, ids, res, err)
			for _, id := range append(append([]string{}, res.Revoked...), res.NotFound...) {
				k, ok := w.srv.Key(id)
				require.True(t, ok)
				assert.NotNil(t, k.RevokedAt, "id %s reported revoked or not found, but is active", id)
			}
			if f.Status == 403 {
				// A refused batch is not retried key by key; the next batch
				// goes through.
				assert.ErrorIs(t, err, client.ErrForbidden)
				assert.Len(t, res.Failed, 50)
				assert.Len(t, res.Revoked, 5)
				return
			}
			require.NoError(t, err, "every fault but a refusal is recovered from")
			if f.AfterHandler {
				assert.Len(t, res.NotFound, 50, "revoked by the request whose answer was lost: alone, each is found gone")
				assert.Len(t, res.Revoked, 5)
			} else {
				assert.Len(t, res.Revoked, len(ids))
			}
		})
	}
}

// A rotation whose answer is lost after the server acted is sent once, and
// the error says what may have happened.
func TestFaultsRotateAnswerLost(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]anyscaletest.Fault{
		"dropped after acting": {Drop: true, AfterHandler: true},
		"502 after acting":     {Status: 502, AfterHandler: true},
		"cut after acting":     {CutBody: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			f.Method, f.PathPrefix = http.MethodGet, "/api/v2/users/rotate_api_key"
			w.srv.FailNext(f)
			_, err := keys.New(w.ac).Rotate(context.Background())
			require.Error(t, err)
			assert.True(t, client.MayHaveActed(err))
			assert.Contains(t, err.Error(), "the rotation may have happened")
			n := 0
			for _, r := range w.srv.Requests() {
				if r.Path == "/api/v2/users/rotate_api_key" {
					n++
				}
			}
			assert.Equal(t, 1, n, "sent once")
			_, err = w.clientFor(t, w.ada.Token).WhoAmI(context.Background())
			assert.ErrorIs(t, err, client.ErrUnauthorized, "it did happen: the old token is revoked")
		})
	}
}

// Create's look-up of the key it made is bounded: a server whose key list
// pages forever does not hold the secret back.
func TestCreateLookUpIsBounded(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/create_api_key", 200, `{"result":{"server_session_id":"aph0_newkey0123456789abcdefghijklmnop"}}`)
	n := 0
	m.OnFunc("GET", "/api/v2/users/api_keys", func(*http.Request) (int, string) {
		n++
		return 200, apimock.List(fmt.Sprintf("page-%d", n))
	})
	created, err := keys.New(m.Client).Create(context.Background(), keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, "aph0_newkey0123456789abcdefghijklmnop", created.Secret.Reveal(), "the secret is returned")
	assert.False(t, created.Listed)
	assert.Equal(t, 3, n, "at most three pages are read")
}
