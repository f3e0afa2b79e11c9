package keys_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
)

func TestResolveOwnScope(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	own := keys.New(w.ac)
	made, err := own.Create(ctx, keys.CreateRequest{Name: "deploy", ExpiresIn: 24 * time.Hour})
	require.NoError(t, err)
	k := made.Key

	for name, ref := range map[string]string{
		"id":            k.ID,
		"id prefix":     k.ID[:keys.MinIDPrefix],
		"display id":    k.DisplayID,
		"name":          "deploy",
		"padded name":   "  deploy ",
		"longer prefix": k.ID[:20],
	} {
		t.Run(name, func(t *testing.T) {
			got, err := own.Resolve(ctx, ref)
			require.NoError(t, err)
			assert.Equal(t, k.ID, got.ID)
		})
	}

	t.Run("too short a prefix", func(t *testing.T) {
		_, err := own.Resolve(ctx, k.ID[:keys.MinIDPrefix-1])
		require.ErrorIs(t, err, client.ErrNotFound)
		assert.Equal(t, []client.Advice{{Action: client.ActionListToFind, Subject: k.ID[:keys.MinIDPrefix-1]}}, client.AdviceOf(err))
	})
	t.Run("another user's key", func(t *testing.T) {
		theirs, err := keys.New(w.oc).Create(ctx, keys.CreateRequest{Name: "theirs", ExpiresIn: time.Hour})
		require.NoError(t, err)
		_, err = own.Resolve(ctx, theirs.Key.ID)
		assert.ErrorIs(t, err, client.ErrNotFound)
		_, err = own.Resolve(ctx, "theirs")
		assert.ErrorIs(t, err, client.ErrNotFound)
	})
	t.Run("empty", func(t *testing.T) {
		_, err := own.Resolve(ctx, " ")
		assert.ErrorIs(t, err, client.ErrInvalid)
	})
	t.Run("a revoked key never resolves", func(t *testing.T) {
		gone, err := own.Create(ctx, keys.CreateRequest{Name: "gone", ExpiresIn: time.Hour})
		require.NoError(t, err)
		require.NoError(t, own.Revoke(ctx, gone.Key.ID))
		for _, ref := range []string{gone.Key.ID, gone.Key.DisplayID, "gone"} {
			_, err := own.Resolve(ctx, ref)
			assert.ErrorIs(t, err, client.ErrNotFound, ref)
		}
	})
	t.Run("an expired key never resolves", func(t *testing.T) {
		// A key made to live a second, then a minute on the server's
		// clock, which Resolve judges by.
		srv := anyscaletest.Start(t)
		c, err := srv.Client(srv.Owner(), quick)
		require.NoError(t, err)
		id, _ := srv.AddKey(srv.Owner(), "short", time.Second)
		srv.Advance(time.Minute)
		for _, ref := range []string{id, "short"} {
			_, err = keys.New(c).Resolve(ctx, ref)
			assert.ErrorIs(t, err, client.ErrNotFound, ref)
		}
	})
	t.Run("one key's display id is another's name", func(t *testing.T) {
		twin, err := own.Create(ctx, keys.CreateRequest{Name: k.DisplayID, ExpiresIn: time.Hour})
		require.NoError(t, err)
		_, err = own.Resolve(ctx, k.DisplayID)
		var amb *keys.AmbiguousError
		require.ErrorAs(t, err, &amb)
		assert.ErrorIs(t, err, client.ErrConflict)
		require.Len(t, amb.Matches, 2)
		ids := []string{amb.Matches[0].Key.ID, amb.Matches[1].Key.ID}
		assert.ElementsMatch(t, []string{k.ID, twin.Key.ID}, ids)
		assert.Contains(t, err.Error(), k.ID)
		assert.Contains(t, err.Error(), twin.Key.ID)
		assert.Equal(t, []client.Advice{{Action: client.ActionRefine, Subject: k.DisplayID}}, client.AdviceOf(err))
		// The exact id still wins.
		got, err := own.Resolve(ctx, twin.Key.ID)
		require.NoError(t, err)
		assert.Equal(t, twin.Key.ID, got.ID)
	})
}

func TestResolveOrgScopeNamesTheOwners(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	mine, err := keys.New(w.oc).Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	require.NoError(t, err)
	hers, err := keys.New(w.ac).Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	require.NoError(t, err)

	org := keys.New(w.oc).Org()
	got, err := org.Resolve(ctx, hers.Key.DisplayID)
	require.NoError(t, err)
	assert.Equal(t, hers.Key.ID, got.ID, "the org scope sees every user's keys")

	_, err = org.Resolve(ctx, "ci")
	var amb *keys.AmbiguousError
	require.ErrorAs(t, err, &amb)
	owners := map[string]string{}
	for _, m := range amb.Matches {
		owners[m.Key.ID] = m.Owner
		assert.Equal(t, "name", m.By)
	}
	assert.Equal(t, map[string]string{mine.Key.ID: w.owner.Email, hers.Key.ID: w.ada.Email}, owners)
	assert.Contains(t, err.Error(), "owner "+w.ada.Email)

	// A collaborator may not use the org scope.
	_, err = keys.New(w.ac).Org().Resolve(ctx, "ci")
	assert.ErrorIs(t, err, client.ErrForbidden)
}
