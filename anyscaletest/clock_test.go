package anyscaletest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDateHeaderIsTheServerClock: every answer, a fault's own and the
// mux's 404 included, carries the server clock as its Date, which
// client.Now follows; net/http alone would send the wall clock.
func TestDateHeaderIsTheServerClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	s := Start(t, WithClock(start))
	tok := s.Owner().Token
	date := func(r response) time.Time {
		t.Helper()
		d, err := http.ParseTime(r.Header.Get("Date"))
		require.NoError(t, err, "Date: %q", r.Header.Get("Date"))
		return d
	}

	r := call(t, s, "GET", PathUserInfo, tok, nil)
	r.result(t, http.StatusOK)
	assert.Equal(t, start, date(r))

	s.Advance(49 * time.Hour)
	assert.Equal(t, start.Add(49*time.Hour), date(call(t, s, "GET", PathKeys, tok, nil)))
	assert.Equal(t, start.Add(49*time.Hour), date(call(t, s, "GET", "/api/v2/nowhere", tok, nil)), "the fake's 404")
	assert.Equal(t, start.Add(49*time.Hour), date(call(t, s, "GET", PathUserInfo, "", nil)), "a 401")

	s.FailNext(Fault{Method: "GET", PathPrefix: PathUserInfo, Status: http.StatusServiceUnavailable})
	assert.Equal(t, start.Add(49*time.Hour), date(call(t, s, "GET", PathUserInfo, tok, nil)), "a fault's own answer")
	s.FailNext(Fault{Method: "GET", PathPrefix: PathUserInfo, Status: http.StatusTeapot, AfterHandler: true})
	assert.Equal(t, start.Add(49*time.Hour), date(call(t, s, "GET", PathUserInfo, tok, nil)), "a fault after the handler")
}

// TestAdvanceKeepsSeededKeys: the keys behind User.Token move with the
// clock, keeping their age and time left, so the test's own clients keep
// working across any Advance; every other key ages and expires.
func TestAdvanceKeepsSeededKeys(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	s := Start(t, WithClock(start))
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	bot := s.AddServiceAccount("ci-bot")
	gone := s.AddUser("gone@example.com", Collaborator)
	deploy, deploySecret := s.AddKey(alice, "deploy", 30*24*time.Hour)
	legacy := s.AddLegacyKey(alice, "old-laptop")
	call(t, s, "GET", PathUserInfo, alice.Token, nil).result(t, http.StatusOK) // alice's seeded key used at start
	call(t, s, "POST", PathOrgRevokeKeys, owner.Token, map[string]any{"api_key_ids": []string{keyID(gone.Token)}}).result(t, http.StatusOK)

	c, err := s.Client(owner)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.WhoAmI(ctx)
	require.NoError(t, err)

	s.Advance(45 * 24 * time.Hour)
	now := start.Add(45 * 24 * time.Hour)
	require.Equal(t, now, s.Now())

	_, err = c.WhoAmI(ctx)
	require.NoError(t, err, "the client of a seeded user works after the Advance")
	for _, u := range []User{alice, bot} {
		call(t, s, "GET", PathUserInfo, u.Token, nil).result(t, http.StatusOK)
	}
	call(t, s, "GET", PathUserInfo, deploySecret, nil).detail(t, http.StatusUnauthorized)

	seeded, _ := s.Key(keyID(alice.Token))
	assert.Equal(t, now, seeded.CreatedAt, "the seeded key keeps its age")
	assert.Equal(t, now.Add(30*24*time.Hour), *seeded.ExpiresAt, "and its time left")
	assert.Equal(t, now, *seeded.LastUsedAt, "and the time since its last use")
	botKey, _ := s.Key(keyID(bot.Token))
	assert.Equal(t, now, botKey.CreatedAt)
	revoked, _ := s.Key(keyID(gone.Token))
	assert.Equal(t, start, revoked.CreatedAt, "a revoked seeded key stays where it was")
	assert.Equal(t, start, *revoked.RevokedAt)

	aged, _ := s.Key(deploy)
	assert.Equal(t, start, aged.CreatedAt, "other keys age")
	old, _ := s.Key(legacy)
	assert.Equal(t, start, old.CreatedAt)
	items, _, _ := call(t, s, "GET", PathKeys, alice.Token, nil).list(t)
	assert.ElementsMatch(t, []string{keyID(alice.Token), deploy, legacy}, ids(items), "the expired key is still listed")
}
