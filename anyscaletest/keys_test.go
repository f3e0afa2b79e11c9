package anyscaletest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var apiKeyInfoFields = []string{"created_at", "created_by", "display_id", "expires_at", "hex_hashed_id", "last_used_at", "name", "revoked_at"}

func TestCreateKeyAndListShape(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	s := Start(t, WithClock(start))
	owner := s.Owner()
	secret := createKey(t, s, owner.Token, map[string]any{"duration": 3600, "name": "deploy"})
	assert.Regexp(t, `^aph0_[a-z0-9]{40}$`, secret)

	// The new key authenticates.
	call(t, s, "GET", "/api/v2/userinfo/", secret, nil).result(t, http.StatusOK)

	items, total, next := call(t, s, "GET", "/api/v2/users/api_keys", owner.Token, nil).list(t)
	assert.Equal(t, 2, total)
	assert.Empty(t, next)
	require.Len(t, items, 2)
	k := items[0] // newest first
	assert.Equal(t, apiKeyInfoFields, fieldNames(k))
	sum := sha256.Sum256([]byte(secret))
	assert.Equal(t, hex.EncodeToString(sum[:]), k["hex_hashed_id"])
	assert.Equal(t, "key_"+hex.EncodeToString(sum[:4]), k["display_id"])
	assert.NotContains(t, k["display_id"], secret[5:])
	assert.Equal(t, "deploy", k["name"])
	assert.Equal(t, owner.ID, k["created_by"])
	assert.Equal(t, "2031-01-02T03:04:05+00:00", k["created_at"])
	assert.Equal(t, "2031-01-02T04:04:05+00:00", k["expires_at"])
	assert.Nil(t, k["revoked_at"])
	assert.Equal(t, "2031-01-02T03:04:05+00:00", k["last_used_at"], "the userinfo call used it")
	for _, f := range []string{"created_at", "expires_at", "last_used_at"} {
		v, _ := k[f].(string)
		_, err := time.Parse(time.RFC3339, v)
		assert.NoError(t, err, f)
	}
	assert.Regexp(t, `^key-[0-9a-f]{8}$`, items[1]["name"], "the seeded key has a generated name")
}

func TestTimesUsePythonStyleRFC3339(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "2030-01-01T00:00:00+00:00", formatTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, "2030-01-01T00:00:00.120000+00:00", formatTime(time.Date(2030, 1, 1, 0, 0, 0, 120_000_000, time.UTC)))
	loc := time.FixedZone("x", 3600)
	assert.Equal(t, "2030-01-01T00:00:00+00:00", formatTime(time.Date(2030, 1, 1, 1, 0, 0, 0, loc)))
}

func TestKeyNamePolicy(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	bob := s.AddUser("bob@example.com", Collaborator)

	first := createKey(t, s, alice.Token, map[string]any{"duration": 3600, "name": "ci"})
	d := call(t, s, "POST", "/api/v2/users/create_api_key", alice.Token,
		map[string]any{"duration": 3600, "name": "ci"}).detail(t, http.StatusConflict)
	assert.Contains(t, d, "ci")

	// Names compare exactly; other users may use the same name.
	createKey(t, s, alice.Token, map[string]any{"duration": 3600, "name": "CI"})
	createKey(t, s, bob.Token, map[string]any{"duration": 3600, "name": "ci"})

	// Reusable after revoke.
	require.Equal(t, http.StatusNoContent,
		call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(first), alice.Token, nil).Status)
	second := createKey(t, s, alice.Token, map[string]any{"duration": 60, "name": "ci"})

	// Reusable after expiry (server clock).
	call(t, s, "POST", "/api/v2/users/create_api_key", alice.Token,
		map[string]any{"duration": 3600, "name": "ci"}).detail(t, http.StatusConflict)
	s.Advance(time.Minute)
	third := createKey(t, s, alice.Token, map[string]any{"duration": 3600, "name": "ci"})
	assert.NotEqual(t, second, third)

	// Alice's list now holds the expired "ci" (expired keys stay listed) and
	// the active one, but not the revoked one.
	items, _, _ := call(t, s, "GET", "/api/v2/users/api_keys?name=ci", alice.Token, nil).list(t)
	assert.Equal(t, []string{keyID(third), keyID(second)}, ids(items)[:2])
	assert.NotContains(t, ids(items), keyID(first))
}

func TestGeneratedNamesAreUnique(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	for _, body := range []string{
		`{"duration": 60}`,
		`{"duration": 60, "name": null}`,
		`{"duration": 60, "name": ""}`,
		`{"duration": 60, "user_id": null}`,
		`{"duration": 60, "user_id": ""}`,
	} {
		createKey(t, s, tok, body)
	}
	items, _, _ := call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).list(t)
	require.Len(t, items, 6)
	seen := map[string]bool{}
	for _, n := range names(items) {
		assert.Regexp(t, `^key-[0-9a-f]{8}$`, n)
		assert.False(t, seen[n], "generated name %s repeated", n)
		seen[n] = true
	}
}

func TestCreateKeyValidation(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	for name, body := range map[string]string{
		"missing duration":  `{"name": "x"}`,
		"null duration":     `{"duration": null}`,
		"zero duration":     `{"duration": 0}`,
		"negative duration": `{"duration": -5}`,
		"over 30 days":      `{"duration": 2592001}`,
		"huge":              `{"duration": 99999999999999999999999}`,
		"fraction":          `{"duration": 3600.5}`,
		"string":            `{"duration": "3600"}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, s, "POST", "/api/v2/users/create_api_key", tok, body)
			assert.Equal(t, []any{"body", "duration"}, r.validation(t))
		})
	}
	for name, tc := range map[string]struct {
		body string
		loc  []any
	}{
		"empty body":    {``, []any{"body"}},
		"not JSON":      {`{"duration":`, []any{"body"}},
		"not an object": {`[1]`, []any{"body"}},
		"null body":     {`null`, []any{"body"}},
		"unknown field": {`{"duration": 60, "expires_in": 60}`, []any{"body", "expires_in"}},
		"name type":     {`{"duration": 60, "name": 5}`, []any{"body", "name"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, s, "POST", "/api/v2/users/create_api_key", tok, tc.body)
			assert.Equal(t, tc.loc, r.validation(t))
		})
	}
	// Name errors use the {"error": ...} shape with 422, so clients see both.
	for _, n := range []string{strings.Repeat("n", 129), "   ", "a\nb"} {
		call(t, s, "POST", "/api/v2/users/create_api_key", tok,
			map[string]any{"duration": 60, "name": n}).detail(t, http.StatusUnprocessableEntity)
	}
	createKey(t, s, tok, map[string]any{"duration": 2592000, "name": strings.Repeat("é", 128)})
	assert.Len(t, s.Keys(s.Owner()), 2, "nothing else was created")
}

func TestCreateKeyForServiceAccount(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	sa := s.AddServiceAccount("ci-bot")
	hundredYears := 3153600000

	secret := createKey(t, s, owner.Token, map[string]any{"duration": hundredYears, "user_id": sa.ID, "name": "prod"})
	info := call(t, s, "GET", "/api/v2/userinfo/", secret, nil).result(t, http.StatusOK)
	assert.Equal(t, sa.ID, info["id"])
	ks := s.Keys(sa)
	require.Len(t, ks, 2)
	assert.Equal(t, owner.ID, ks[1].CreatedBy)
	assert.Equal(t, s.Now().Add(time.Duration(hundredYears)*time.Second), *ks[1].ExpiresAt)

	// The same name is a conflict among the service account's active keys.
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token,
		map[string]any{"duration": 60, "user_id": sa.ID, "name": "prod"}).detail(t, http.StatusConflict)
	// Collaborators may not; human users get no keys from others; unknown ids are 404.
	d := call(t, s, "POST", "/api/v2/users/create_api_key", alice.Token,
		map[string]any{"duration": 60, "user_id": sa.ID}).detail(t, http.StatusForbidden)
	assert.Contains(t, d, "owners")
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token,
		map[string]any{"duration": 60, "user_id": alice.ID}).detail(t, http.StatusForbidden)
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token,
		map[string]any{"duration": 60, "user_id": owner.ID}).detail(t, http.StatusForbidden)
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token,
		map[string]any{"duration": 60, "user_id": "usr_nope"}).detail(t, http.StatusNotFound)
	// The duration is still required and positive.
	assert.Equal(t, []any{"body", "duration"}, call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token,
		map[string]any{"duration": 0, "user_id": sa.ID}).validation(t))
	// A service account's own key (its token, no user_id) keeps the 30-day cap.
	assert.Equal(t, []any{"body", "duration"}, call(t, s, "POST", "/api/v2/users/create_api_key", sa.Token,
		map[string]any{"duration": hundredYears}).validation(t))
}

func TestListKeysScopesAndFilters(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	sa := s.AddServiceAccount("ci-bot")
	a1 := createKey(t, s, alice.Token, map[string]any{"duration": 60, "name": "Laptop"})
	a2 := createKey(t, s, alice.Token, map[string]any{"duration": 3600, "name": "desktop"})
	o1 := createKey(t, s, owner.Token, map[string]any{"duration": 3600, "name": "owner-laptop"})
	s1 := createKey(t, s, owner.Token, map[string]any{"duration": 3600, "name": "sa-deploy", "user_id": sa.ID})
	gone := createKey(t, s, alice.Token, map[string]any{"duration": 3600, "name": "gone"})
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(gone), alice.Token, nil).Status)
	s.Advance(time.Hour / 2) // a1 expired, still listed

	items, total, _ := call(t, s, "GET", "/api/v2/users/api_keys", alice.Token, nil).list(t)
	assert.Equal(t, 3, total)
	assert.Equal(t, []string{keyID(a2), keyID(a1), keyID(alice.Token)}, ids(items))

	items, _, _ = call(t, s, "GET", "/api/v2/users/api_keys?name=LAP", alice.Token, nil).list(t)
	assert.Equal(t, []string{keyID(a1)}, ids(items))

	// The org scope sees everyone's keys, revoked ones left out.
	items, total, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys", owner.Token, nil).list(t)
	assert.Equal(t, 7, total)
	assert.Equal(t, []string{keyID(s1), keyID(o1), keyID(a2), keyID(a1), keyID(sa.Token), keyID(alice.Token), keyID(owner.Token)}, ids(items))
	for _, it := range items {
		assert.Equal(t, apiKeyInfoFields, fieldNames(it))
	}
	items, _, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys?name=laptop", owner.Token, nil).list(t)
	assert.Equal(t, []string{keyID(o1), keyID(a1)}, ids(items))
	items, _, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id="+alice.ID, owner.Token, nil).list(t)
	assert.Equal(t, []string{keyID(a2), keyID(a1), keyID(alice.Token)}, ids(items))
	items, _, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id="+sa.ID, owner.Token, nil).list(t)
	assert.Equal(t, []string{keyID(s1), keyID(sa.Token)}, ids(items))
	items, _, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys?created_by="+owner.ID+"&user_id="+sa.ID, owner.Token, nil).list(t)
	assert.Equal(t, []string{keyID(s1), keyID(sa.Token)}, ids(items), "AddServiceAccount seeds a key as the owner")
	items, _, _ = call(t, s, "GET", "/api/v2/users/admin/api_keys?created_by="+alice.ID, owner.Token, nil).list(t)
	assert.Equal(t, []string{keyID(a2), keyID(a1), keyID(alice.Token)}, ids(items))
	items, total, next := call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id=usr_nobody", owner.Token, nil).list(t)
	assert.Empty(t, items)
	assert.Zero(t, total)
	assert.Empty(t, next)
	assert.Equal(t, "[]", string(mustField(t, call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id=usr_nobody", owner.Token, nil).Raw, "results")))

	// Collaborators may not use the org scope.
	d := call(t, s, "GET", "/api/v2/users/admin/api_keys", alice.Token, nil).detail(t, http.StatusForbidden)
	assert.Contains(t, d, "owners")
}

func TestListValidation(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	for _, path := range []string{"/api/v2/users/api_keys", "/api/v2/users/admin/api_keys", "/api/v2/organization_collaborators/"} {
		for _, q := range []string{"count=0", "count=51", "count=-1", "count=x", "count="} {
			assert.Equal(t, []any{"query", "count"}, call(t, s, "GET", path+"?"+q, tok, nil).validation(t), path+"?"+q)
		}
		for _, q := range []string{"count=1", "count=50"} {
			call(t, s, "GET", path+"?"+q, tok, nil).list(t)
		}
		assert.Equal(t, []any{"query", "page_size"}, call(t, s, "GET", path+"?page_size=5", tok, nil).validation(t))
		for _, bad := range []string{"garbage", "!!", encodeCursor("other", 3, 1), encodeCursor("members", 0, 1), base64.RawURLEncoding.EncodeToString([]byte("members:1"))} {
			call(t, s, "GET", path+"?paging_token="+bad, tok, nil).detail(t, http.StatusUnprocessableEntity)
		}
	}
	// A token of one list is refused by another.
	for range 3 {
		createKey(t, s, tok, map[string]any{"duration": 60})
	}
	_, _, next := call(t, s, "GET", "/api/v2/users/api_keys?count=1", tok, nil).list(t)
	require.NotEmpty(t, next)
	call(t, s, "GET", "/api/v2/users/admin/api_keys?paging_token="+next, tok, nil).detail(t, http.StatusUnprocessableEntity)
	call(t, s, "GET", "/api/v2/organization_collaborators/?paging_token="+next, tok, nil).detail(t, http.StatusUnprocessableEntity)
	// ...including the own list of another user.
	alice := s.AddUser("alice@example.com", Collaborator)
	call(t, s, "GET", "/api/v2/users/api_keys?paging_token="+next, alice.Token, nil).detail(t, http.StatusUnprocessableEntity)
}

func TestPagingStaysStableWhileKeysAreAdded(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	var made []string // oldest first
	made = append(made, keyID(owner.Token))
	for i := range 7 {
		made = append(made, keyID(createKey(t, s, owner.Token, map[string]any{"duration": 600, "name": fmt.Sprintf("k%d", i)})))
	}
	newestFirst := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[len(ids)-1-i] = id
		}
		return out
	}
	want := newestFirst(made)

	for _, path := range []string{"/api/v2/users/api_keys", "/api/v2/users/admin/api_keys"} {
		var got []string
		items, total, next := call(t, s, "GET", path+"?count=3", owner.Token, nil).list(t)
		assert.Equal(t, 8, total)
		got = append(got, ids(items)...)
		// Keys created between pages appear on page one only.
		extra := keyID(createKey(t, s, owner.Token, map[string]any{"duration": 600}))
		pages := 1
		for next != "" {
			items, total, next = call(t, s, "GET", path+"?count=3&paging_token="+url.QueryEscape(next), owner.Token, nil).list(t)
			assert.Equal(t, 9, total)
			got = append(got, ids(items)...)
			pages++
		}
		assert.Equal(t, want, got)
		assert.Equal(t, 3, pages)
		items, _, _ = call(t, s, "GET", path+"?count=3", owner.Token, nil).list(t)
		assert.Equal(t, extra, ids(items)[0])
		// Reset for the next path: revoke the extra key.
		require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/api/v2/users/api_keys/"+extra, owner.Token, nil).Status)
	}

	// The last full page has no next token.
	_, _, next := call(t, s, "GET", "/api/v2/users/api_keys?count=8", owner.Token, nil).list(t)
	assert.Empty(t, next)
	_, _, next = call(t, s, "GET", "/api/v2/users/api_keys?count=7", owner.Token, nil).list(t)
	assert.NotEmpty(t, next)
}

func TestRevokeOwnKey(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	bob := s.AddUser("bob@example.com", Collaborator)
	k := createKey(t, s, alice.Token, map[string]any{"duration": 600})

	call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(k), bob.Token, nil).detail(t, http.StatusNotFound)
	call(t, s, "DELETE", "/api/v2/users/api_keys/nope", alice.Token, nil).detail(t, http.StatusNotFound)
	r := call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(k), alice.Token, nil)
	assert.Equal(t, http.StatusNoContent, r.Status)
	assert.Empty(t, r.Raw)
	assert.NotEmpty(t, r.Header.Get("x-trace-id"))
	call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(k), alice.Token, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/api/v2/userinfo/", k, nil).detail(t, http.StatusUnauthorized)
	got, ok := s.Key(keyID(k))
	require.True(t, ok)
	assert.Equal(t, s.Now(), *got.RevokedAt)

	// Revoking the key in use is allowed; the next call is 401.
	assert.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(bob.Token), bob.Token, nil).Status)
	call(t, s, "GET", "/api/v2/userinfo/", bob.Token, nil).detail(t, http.StatusUnauthorized)
}

func TestAdminRevoke(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	bob := s.AddUser("bob@example.com", Collaborator)

	call(t, s, "DELETE", "/api/v2/users/admin/api_keys/"+keyID(bob.Token), alice.Token, nil).detail(t, http.StatusForbidden)
	res := call(t, s, "DELETE", "/api/v2/users/admin/api_keys/"+keyID(bob.Token), owner.Token, nil).result(t, http.StatusOK)
	assert.Empty(t, res)
	call(t, s, "GET", "/api/v2/userinfo/", bob.Token, nil).detail(t, http.StatusUnauthorized)
	call(t, s, "DELETE", "/api/v2/users/admin/api_keys/"+keyID(bob.Token), owner.Token, nil).detail(t, http.StatusNotFound)
	call(t, s, "DELETE", "/api/v2/users/admin/api_keys/unknown", owner.Token, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).result(t, http.StatusOK)
}

func TestBulkRevoke(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	bob := s.AddUser("bob@example.com", Collaborator)
	a1 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))
	a2 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))
	a3 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))
	b1 := keyID(createKey(t, s, bob.Token, map[string]any{"duration": 600}))
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/api/v2/users/api_keys/"+a3, alice.Token, nil).Status)

	res := call(t, s, "POST", "/api/v2/users/api_keys/revoke", alice.Token,
		map[string]any{"api_key_ids": []string{a2, b1, "unknown", a3, a1, a2}}).result(t, http.StatusOK)
	assert.Equal(t, []string{"revoked"}, fieldNames(res))
	assert.Equal(t, []any{a2, a1}, res["revoked"])
	assert.Nil(t, s.Keys(bob)[1].RevokedAt)

	res = call(t, s, "POST", "/api/v2/users/api_keys/revoke", alice.Token,
		map[string]any{"api_key_ids": []string{a1}}).result(t, http.StatusOK)
	assert.Equal(t, []any{}, res["revoked"], "an empty list, not null")

	// The org scope revokes anyone's keys; collaborators may not use it.
	call(t, s, "POST", "/api/v2/users/admin/api_keys/revoke", alice.Token,
		map[string]any{"api_key_ids": []string{b1}}).detail(t, http.StatusForbidden)
	res = call(t, s, "POST", "/api/v2/users/admin/api_keys/revoke", owner.Token,
		map[string]any{"api_key_ids": []string{b1, keyID(alice.Token), a1}}).result(t, http.StatusOK)
	assert.Equal(t, []any{b1, keyID(alice.Token)}, res["revoked"])
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).detail(t, http.StatusUnauthorized)

	// At most 50 ids, at least one.
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = fmt.Sprintf("id%d", i)
	}
	for _, path := range []string{"/api/v2/users/api_keys/revoke", "/api/v2/users/admin/api_keys/revoke"} {
		res = call(t, s, "POST", path, owner.Token, map[string]any{"api_key_ids": fifty}).result(t, http.StatusOK)
		assert.Equal(t, []any{}, res["revoked"])
		for name, body := range map[string]string{
			"51":      `{"api_key_ids": [` + strings.Repeat(`"x",`, 50) + `"x"]}`,
			"empty":   `{"api_key_ids": []}`,
			"missing": `{}`,
			"null":    `{"api_key_ids": null}`,
			"string":  `{"api_key_ids": "abc"}`,
		} {
			loc := call(t, s, "POST", path, owner.Token, body).validation(t)
			assert.Equal(t, []any{"body", "api_key_ids"}, loc, name)
		}
		loc := call(t, s, "POST", path, owner.Token, `{"api_key_ids": ["a", 7]}`).validation(t)
		assert.Equal(t, []any{"body", "api_key_ids", float64(1)}, loc)
		loc = call(t, s, "POST", path, owner.Token, `{"ids": ["a"]}`).validation(t)
		assert.Equal(t, []any{"body", "ids"}, loc)
	}
}

func TestRotateOwnKeys(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	other := createKey(t, s, alice.Token, map[string]any{"duration": 600})
	legacy := s.AddLegacyKey(alice, "old")

	res := call(t, s, "GET", "/api/v2/users/rotate_api_key", alice.Token, nil).result(t, http.StatusOK)
	assert.Equal(t, []string{"server_session_id"}, fieldNames(res))
	fresh := res["server_session_id"].(string)
	assert.Regexp(t, `^aph0_[a-z0-9]{40}$`, fresh)

	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).detail(t, http.StatusUnauthorized)
	call(t, s, "GET", "/api/v2/userinfo/", other, nil).detail(t, http.StatusUnauthorized)
	items, total, _ := call(t, s, "GET", "/api/v2/users/api_keys", fresh, nil).list(t)
	assert.Equal(t, 1, total)
	assert.Equal(t, keyID(fresh), items[0]["hex_hashed_id"])
	ks := s.Keys(alice)
	require.Len(t, ks, 4)
	assert.Equal(t, legacy, ks[2].ID)
	for _, k := range ks[:3] {
		assert.NotNil(t, k.RevokedAt)
	}
	assert.Equal(t, s.Now().Add(30*24*time.Hour), *ks[3].ExpiresAt)
	assert.Nil(t, ks[3].RevokedAt)
}

func TestRevokeAllKeysOfAUser(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	sa := s.AddServiceAccount("ci-bot")
	saKey := createKey(t, s, owner.Token, map[string]any{"duration": 3153600000, "user_id": sa.ID})
	path := "/api/v2/organization_collaborators/rotate_api_key_for_user/"

	call(t, s, "POST", path+sa.ID, alice.Token, nil).detail(t, http.StatusForbidden)
	call(t, s, "POST", path+"usr_unknown", owner.Token, nil).detail(t, http.StatusNotFound)
	res := call(t, s, "POST", path+sa.ID, owner.Token, nil).result(t, http.StatusOK)
	assert.Empty(t, res)
	call(t, s, "GET", "/api/v2/userinfo/", saKey, nil).detail(t, http.StatusUnauthorized)
	call(t, s, "GET", "/api/v2/userinfo/", sa.Token, nil).detail(t, http.StatusUnauthorized)
	assert.Len(t, s.Keys(sa), 2, "no new key is issued")

	call(t, s, "POST", path+alice.ID, owner.Token, nil).result(t, http.StatusOK)
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).detail(t, http.StatusUnauthorized)
	call(t, s, "GET", "/api/v2/userinfo/", owner.Token, nil).result(t, http.StatusOK)
	// The service account is still a member: a new key can be created.
	createKey(t, s, owner.Token, map[string]any{"duration": 60, "user_id": sa.ID})
}

func TestLegacyAndOverPolicyKeys(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	legacy := s.AddLegacyKey(alice, "old-laptop")
	longID, longSecret := s.AddKey(alice, "", 365*24*time.Hour)
	assert.Equal(t, keyID(longSecret), longID)
	call(t, s, "GET", "/api/v2/userinfo/", longSecret, nil).result(t, http.StatusOK)

	items, _, _ := call(t, s, "GET", "/api/v2/users/api_keys", alice.Token, nil).list(t)
	require.Len(t, items, 3)
	assert.Equal(t, longID, items[0]["hex_hashed_id"])
	assert.Equal(t, legacy, items[1]["hex_hashed_id"])
	assert.Equal(t, "old-laptop", items[1]["name"])
	v, present := items[1]["expires_at"]
	assert.True(t, present)
	assert.Nil(t, v, "legacy keys have expires_at null")

	_, forever := s.AddKey(alice, "forever", 0)
	s.Advance(100 * 365 * 24 * time.Hour)
	call(t, s, "GET", "/api/v2/userinfo/", longSecret, nil).detail(t, http.StatusUnauthorized)
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).result(t, http.StatusOK) // the seeded key moves with the clock
	items, _, _ = call(t, s, "GET", "/api/v2/users/api_keys", forever, nil).list(t)
	assert.Len(t, items, 4, "expired keys stay listed")
	assert.Panics(t, func() { s.AddLegacyKey(alice, "old-laptop") }, "the name is taken by an active key")
	assert.Panics(t, func() { s.AddLegacyKey(User{ID: "usr_x", Email: "x@y"}, "") })
}

func TestLastUsedMarksRequestsThatReachAHandler(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, s *Server, tok, path string) int {
		t.Helper()
		return call(t, s, "GET", path, tok, nil).Status
	}
	for name, tc := range map[string]struct {
		use     func(t *testing.T, s *Server, tok string)
		counted bool
	}{
		"success": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/userinfo/"))
		}, true},
		"refused by the handler": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 403, get(t, s, tok, "/api/v2/users/admin/api_keys"))
		}, true},
		"invalid query": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 422, get(t, s, tok, "/api/v2/users/api_keys?count=0"))
		}, true},
		"fault after the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Status: 503, AfterHandler: true})
			assert.Equal(t, 503, get(t, s, tok, "/api/v2/userinfo/"))
		}, true},
		"pure delay": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Delay: time.Millisecond})
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/userinfo/"))
		}, true},
		"slow answer after the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Delay: time.Millisecond, AfterHandler: true})
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/userinfo/"))
		}, true},
		"body after the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Body: WrongShape, AfterHandler: true})
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/userinfo/"))
		}, true},
		"body before the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Body: WrongShape})
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/userinfo/"))
		}, false},
		"the handler's answer cut": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{CutBody: true})
			a := send(t, s, "GET", "/api/v2/userinfo/", tok, "")
			assert.Equal(t, 200, a.resp.StatusCode)
			assert.ErrorIs(t, a.readErr, io.ErrUnexpectedEOF)
		}, true},
		"own answer cut before the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Status: 502, CutBody: true})
			a := send(t, s, "GET", "/api/v2/userinfo/", tok, "")
			assert.Equal(t, 502, a.resp.StatusCode)
			assert.ErrorIs(t, a.readErr, io.ErrUnexpectedEOF)
		}, false},
		"fault before the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Status: 503})
			assert.Equal(t, 503, get(t, s, tok, "/api/v2/userinfo/"))
		}, false},
		"dropped before the handler": {func(t *testing.T, s *Server, tok string) {
			s.FailNext(Fault{Drop: true})
			req, err := http.NewRequest("GET", s.URL+"/api/v2/userinfo/", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := noKeepAlive().Do(req)
			if err == nil {
				resp.Body.Close()
			}
			require.Error(t, err)
		}, false},
		"unknown path": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 404, get(t, s, tok, "/api/v2/nothing"))
		}, false},
		"wrong method": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 405, call(t, s, "DELETE", "/api/v2/userinfo/", tok, nil).Status)
		}, false},
		"public endpoint": {func(t *testing.T, s *Server, tok string) {
			assert.Equal(t, 200, get(t, s, tok, "/api/v2/users/create_otp_token"))
		}, false},
		"expired": {func(t *testing.T, s *Server, tok string) {
			s.Advance(time.Hour)
			assert.Equal(t, 401, get(t, s, tok, "/api/v2/userinfo/"))
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(t)
			alice := s.AddUser("alice@example.com", Collaborator)
			id, tok := s.AddKey(alice, "k", time.Hour)
			s.Advance(time.Minute)
			tc.use(t, s, tok)
			k, ok := s.Key(id)
			require.True(t, ok)
			if !tc.counted {
				assert.Nil(t, k.LastUsedAt)
				return
			}
			require.NotNil(t, k.LastUsedAt)
			assert.Equal(t, s.Now(), *k.LastUsedAt)
			alicesOwn, ok := s.Key(keyID(alice.Token))
			require.True(t, ok)
			assert.Nil(t, alicesOwn.LastUsedAt, "only the key that authenticated is marked")
		})
	}
}

func TestLastUsedIsNotMarkedByTheRequestLog(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	s.FailNext(Fault{Status: 500})
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).detail(t, 500)
	got := s.Requests()
	require.Len(t, got, 1)
	assert.True(t, got[0].Authenticated, "the log saw a valid token")
	assert.Nil(t, s.Keys(alice)[0].LastUsedAt, "yet the key was not used")
}

func TestLastUsedInKeyLists(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	s := Start(t, WithClock(start))
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	sa := s.AddServiceAccount("ci-bot")
	boss := s.AddServiceAccount("boss-bot", Owner)
	for _, u := range []User{owner, alice, sa, boss} {
		ks := s.Keys(u)
		require.Len(t, ks, 1)
		assert.Nil(t, ks[0].LastUsedAt, "%s's seeded key starts as never used", u.Email)
	}

	lastUsed := func(t *testing.T, id string) any {
		t.Helper()
		items, _, _ := call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id="+alice.ID, owner.Token, nil).list(t)
		for _, it := range items {
			if it["hex_hashed_id"] == id {
				v, present := it["last_used_at"]
				require.True(t, present, "last_used_at is always sent")
				return v
			}
		}
		t.Fatalf("key %s not listed", id)
		return nil
	}
	id, secret := s.AddKey(alice, "laptop", 30*24*time.Hour) // a seeded key would move with the clock
	assert.Nil(t, lastUsed(t, id), "never used: null")

	s.Advance(time.Hour)
	call(t, s, "GET", "/api/v2/userinfo/", secret, nil).result(t, http.StatusOK)
	s.Advance(time.Hour)
	assert.Equal(t, "2031-01-02T04:04:05+00:00", lastUsed(t, id), "the server clock at the last use")
	items, _, _ := call(t, s, "GET", "/api/v2/users/api_keys", secret, nil).list(t)
	require.Len(t, items, 2)
	i := slices.IndexFunc(items, func(it map[string]any) bool { return it["hex_hashed_id"] == id })
	require.NotEqual(t, -1, i)
	assert.Equal(t, "2031-01-02T05:04:05+00:00", items[i]["last_used_at"], "listing with the key uses it")

	s.SetLastUsed(id, time.Date(2030, 6, 7, 8, 9, 10, 123_000, time.FixedZone("x", 3600)))
	assert.Equal(t, "2030-06-07T07:09:10.000123+00:00", lastUsed(t, id))
	k, _ := s.Key(id)
	assert.Equal(t, time.Date(2030, 6, 7, 7, 9, 10, 123_000, time.UTC), *k.LastUsedAt)
	s.SetLastUsed(id, time.Time{})
	assert.Nil(t, lastUsed(t, id), "a zero time is never used")
	k, _ = s.Key(id)
	assert.Nil(t, k.LastUsedAt)

	// Key returns a copy.
	s.SetLastUsed(id, start)
	k, _ = s.Key(id)
	*k.LastUsedAt = k.LastUsedAt.Add(time.Hour)
	k, _ = s.Key(id)
	assert.Equal(t, start, *k.LastUsedAt)

	assert.PanicsWithValue(t, `anyscaletest: SetLastUsed: no key "nope"`, func() { s.SetLastUsed("nope", start) })
}

func TestBulkRevokeAnswerShapes(t *testing.T) {
	t.Parallel()
	const own, admin = "/api/v2/users/api_keys/revoke", "/api/v2/users/admin/api_keys/revoke"
	for _, unknown := range []bool{false, true} {
		for _, path := range []string{own, admin} {
			t.Run(fmt.Sprintf("%s/unknown=%v", path, unknown), func(t *testing.T) {
				t.Parallel()
				var opts []Option
				if unknown {
					opts = append(opts, WithUnknownRevokeAnswer())
				}
				s := Start(t, opts...)
				alice := s.AddUser("alice@example.com", Collaborator)
				caller := alice
				if path == admin {
					caller = s.Owner()
				}
				a1 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))
				a2 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))
				a3 := keyID(createKey(t, s, alice.Token, map[string]any{"duration": 600}))

				// Revoked exactly as ever: listed active ids once, nothing else.
				res := call(t, s, "POST", path, caller.Token,
					map[string]any{"api_key_ids": []string{a2, "unknown", a1, a2}}).result(t, http.StatusOK)
				for id, want := range map[string]bool{a1: true, a2: true, a3: false, keyID(alice.Token): false} {
					k, ok := s.Key(id)
					require.True(t, ok)
					assert.Equal(t, want, k.RevokedAt != nil, id)
				}
				again := call(t, s, "POST", path, caller.Token,
					map[string]any{"api_key_ids": []string{a1}}).result(t, http.StatusOK)

				if !unknown {
					assert.Equal(t, []string{"revoked"}, fieldNames(res))
					assert.Equal(t, []any{a2, a1}, res["revoked"])
					assert.Equal(t, []any{}, again["revoked"])
					return
				}
				assert.Equal(t, []string{"num_revoked", "request_id"}, fieldNames(res), "no revoked list")
				assert.Equal(t, float64(2), res["num_revoked"])
				assert.Regexp(t, `^[0-9a-f]{32}$`, res["request_id"])
				assert.Equal(t, []string{"num_revoked", "request_id"}, fieldNames(again))
				assert.Equal(t, float64(0), again["num_revoked"])
				assert.Regexp(t, `^[0-9a-f]{32}$`, again["request_id"])
				assert.NotEqual(t, res["request_id"], again["request_id"])
			})
		}
	}

	// Refusals and validation are unchanged by the option.
	s := Start(t, WithUnknownRevokeAnswer())
	alice := s.AddUser("alice@example.com", Collaborator)
	call(t, s, "POST", admin, alice.Token,
		map[string]any{"api_key_ids": []string{keyID(s.Owner().Token)}}).detail(t, http.StatusForbidden)
	assert.Equal(t, []any{"body", "api_key_ids"}, call(t, s, "POST", own, alice.Token, `{"api_key_ids": []}`).validation(t))
	call(t, s, "GET", "/api/v2/userinfo/", s.Owner().Token, nil).result(t, http.StatusOK)
}
