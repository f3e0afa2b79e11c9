package keys_test

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
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

// lists counts the key lists the fake was asked for (path: the own or the
// admin one).
func lists(srv *anyscaletest.Server, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && r.Path == path {
			n++
		}
	}
	return n
}

// A display id or a name given as an id is never reported "not found"
// while its key is active: it is in Failed, with an error matching
// ErrInvalid that names the id to pass. It costs one list.
func TestRevokeManyNeverCallsALiveKeyNotFound(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	deploy, _ := w.srv.AddKey(w.ada, "deploy", 24*time.Hour)
	other, _ := w.srv.AddKey(w.ada, "other", 24*time.Hour)
	theirs, _ := w.srv.AddKey(w.owner, "theirs", 24*time.Hour)
	k, _ := w.srv.Key(deploy)
	const unknown = "0123456789abcdef"

	for _, tc := range []struct {
		scope  string
		revoke func(context.Context, []string, ...keys.RevokeOptions) (*keys.RevokeResult, error)
		path   string
		// hidden names a key the scope does not see: not found.
		hidden string
	}{
		{"own", keys.New(w.ac).RevokeMany, "/api/v2/users/api_keys", "theirs"},
		{"org", keys.New(w.oc).Org().RevokeMany, "/api/v2/users/admin/api_keys", ""},
	} {
		t.Run(tc.scope, func(t *testing.T) {
			before := lists(w.srv, tc.path)
			given := []string{k.DisplayID, "deploy", unknown}
			if tc.hidden != "" {
				given = append(given, tc.hidden)
			}
			res, err := tc.revoke(ctx, given)
			accounted(t, given, res, err)
			want := []string{unknown}
			if tc.hidden != "" {
				want = append(want, tc.hidden)
			}
			assert.Equal(t, want, res.NotFound)
			for _, ref := range []string{k.DisplayID, "deploy"} {
				require.Contains(t, res.Failed, ref)
				assert.ErrorIs(t, res.Failed[ref], client.ErrInvalid, ref)
				assert.Contains(t, client.Facts(res.Failed[ref]), deploy, "it names the id to pass")
				assert.Equal(t, []client.Advice{{Action: client.ActionUseID, Subject: deploy}}, client.AdviceOf(res.Failed[ref]))
				assert.NotErrorIs(t, res.Failed[ref], client.ErrNotFound, ref)
			}
			got, _ := w.srv.Key(deploy)
			assert.Nil(t, got.RevokedAt, "the key is still active, and said so")
			assert.Equal(t, before+1, lists(w.srv, tc.path), "one list, for the ids that came back not found")
		})
	}

	t.Run("no list when nothing came back not found", func(t *testing.T) {
		before := lists(w.srv, "/api/v2/users/api_keys")
		res, err := keys.New(w.ac).RevokeMany(ctx, []string{other})
		require.NoError(t, err)
		assert.Equal(t, []string{other}, res.Revoked)
		assert.Equal(t, before, lists(w.srv, "/api/v2/users/api_keys"))
	})
	t.Run("a revoked key's label is not found", func(t *testing.T) {
		res, err := keys.New(w.ac).RevokeMany(ctx, []string{"other"})
		require.NoError(t, err)
		assert.Equal(t, []string{"other"}, res.NotFound, "no active key is named so")
	})
	t.Run("Revoke, both scopes", func(t *testing.T) {
		for _, revoke := range []func(context.Context, string) error{keys.New(w.ac).Revoke, keys.New(w.oc).Org().Revoke} {
			err := revoke(ctx, k.DisplayID)
			require.ErrorIs(t, err, client.ErrInvalid)
			assert.NotErrorIs(t, err, client.ErrNotFound)
			assert.Equal(t, []client.Advice{{Action: client.ActionUseID, Subject: deploy}}, client.AdviceOf(err))
			assert.True(t, strings.HasPrefix(err.Error(), "keys: "), err.Error())
		}
		assert.ErrorIs(t, keys.New(w.ac).Revoke(ctx, unknown), client.ErrNotFound)
		assert.ErrorIs(t, keys.New(w.oc).Org().Revoke(ctx, theirs+"0"), client.ErrNotFound)
	})
}

// A name two active keys share names both, and advises ids without
// picking one.
func TestRevokeManySharedLabel(t *testing.T) {
	w := newWorld(t)
	a, _ := w.srv.AddKey(w.ada, "ci", time.Hour)
	b, _ := w.srv.AddKey(w.owner, "ci", time.Hour)
	res, err := keys.New(w.oc).Org().RevokeMany(context.Background(), []string{"ci"})
	require.Error(t, err)
	require.Contains(t, res.Failed, "ci")
	assert.ErrorIs(t, res.Failed["ci"], client.ErrInvalid)
	assert.Contains(t, res.Failed["ci"].Error(), a)
	assert.Contains(t, res.Failed["ci"].Error(), b)
	assert.Equal(t, []client.Advice{{Action: client.ActionUseID}}, client.AdviceOf(res.Failed["ci"]))
}

// When the check cannot be made, an id that came back not found is not
// confirmed: it is in Failed, with the list's error.
func TestRevokeManyUncheckedNotFound(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", 200, apimock.Result(`{"revoked":[]}`))
	m.On("DELETE", "/api/v2/users/api_keys/id000", 404, `{"error":{"detail":"not found"}}`)
	m.On("GET", "/api/v2/users/api_keys", 403, `{"error":{"detail":"no"}}`)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), ids(1))
	require.Error(t, err)
	assert.Empty(t, res.NotFound)
	assert.ErrorIs(t, res.Failed["id000"], client.ErrForbidden)
	assert.Contains(t, res.Failed["id000"].Error(), "could not be checked")
}
