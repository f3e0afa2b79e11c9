package anyscaletest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateServiceAccount(t *testing.T) {
	t.Parallel()
	start := time.Date(2032, 3, 4, 5, 6, 7, 0, time.UTC)
	s := Start(t, WithClock(start))
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	path := "/api/v2/users/service_accounts?name="

	r := call(t, s, "POST", path+"Deploy-Bot", owner.Token, nil)
	sa := r.result(t, http.StatusOK)
	assert.Equal(t, []string{"created_at", "email", "name", "organization_id", "permission_level", "user_id"}, fieldNames(sa))
	assert.Regexp(t, `^usr_[a-z0-9]{26}$`, sa["user_id"])
	assert.Equal(t, "Deploy-Bot", sa["name"])
	assert.Equal(t, s.OrgID(), sa["organization_id"])
	assert.Equal(t, "deploy-bot@org-"+s.OrgID()+".serviceaccount.com", sa["email"])
	assert.Equal(t, "2032-03-04T05:06:07+00:00", sa["created_at"])
	assert.Equal(t, "collaborator", sa["permission_level"])

	// It is a member with is_service_account, and it has no key yet.
	items, _, _ := call(t, s, "GET", "/api/v2/organization_collaborators/?is_service_account=true&name=deploy-bot", alice.Token, nil).list(t)
	require.Len(t, items, 1)
	identityID, _ := items[0]["id"].(string)
	assert.Regexp(t, `^ide_[a-z0-9]{26}$`, identityID, "the member list has the id that deletes it")
	assert.Equal(t, sa["user_id"], items[0]["user_id"])
	assert.Equal(t, sa["email"], items[0]["email"])
	assert.Equal(t, true, items[0]["is_service_account"])
	u, ok := s.LookupUser(sa["email"].(string))
	require.True(t, ok)
	assert.Equal(t, sa["user_id"], u.ID)
	assert.Empty(t, u.Token)
	assert.Empty(t, s.Keys(u))

	// The official create flow: a key for its user_id, 100 years.
	secret := createKey(t, s, owner.Token, map[string]any{"duration": 3153600000, "user_id": u.ID})
	info := call(t, s, "GET", "/api/v2/userinfo/", secret, nil).result(t, http.StatusOK)
	assert.Equal(t, u.ID, info["id"])
	assert.Equal(t, "collaborator", info["organization_permission_level"])
	// A service account is no owner.
	call(t, s, "POST", path+"other", secret, nil).detail(t, http.StatusForbidden)

	call(t, s, "POST", path+"deploy-bot", owner.Token, nil).detail(t, http.StatusConflict)
	d := call(t, s, "POST", path+"x", alice.Token, nil).detail(t, http.StatusForbidden)
	assert.Contains(t, d, "only organization owners can")
	assert.Equal(t, []any{"query", "name"}, call(t, s, "POST", "/api/v2/users/service_accounts", owner.Token, nil).validation(t))
	for _, bad := range []string{"", "-x", "a%20b", "a@b", "%C3%A9"} {
		assert.Equal(t, []any{"query", "name"}, call(t, s, "POST", path+bad, owner.Token, nil).validation(t), bad)
	}
	call(t, s, "GET", path+"x", owner.Token, nil).detail(t, http.StatusMethodNotAllowed)

	// Deleted, its name is free again.
	require.Equal(t, http.StatusNoContent, call(t, s, "DELETE", "/api/v2/organization_collaborators/"+identityID, owner.Token, nil).Status)
	call(t, s, "GET", "/api/v2/userinfo/", secret, nil).detail(t, http.StatusUnauthorized)
	again := call(t, s, "POST", path+"deploy-bot", owner.Token, nil).result(t, http.StatusOK)
	assert.NotEqual(t, sa["user_id"], again["user_id"])
}

func TestAddServiceAccountRoles(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	for name, tc := range map[string]struct {
		roles []Role
		want  Role
	}{
		"default":      {nil, Collaborator},
		"collaborator": {[]Role{Collaborator}, Collaborator},
		"owner":        {[]Role{Owner}, Owner},
	} {
		u := s.AddServiceAccount(name+"-bot", tc.roles...)
		assert.Equal(t, tc.want, u.Role, name)
		info := call(t, s, "GET", "/api/v2/userinfo/", u.Token, nil).result(t, http.StatusOK)
		assert.Equal(t, string(tc.want), info["organization_permission_level"], name)
		items, _, _ := call(t, s, "GET", "/api/v2/organization_collaborators/?name="+name+"-bot", alice.Token, nil).list(t)
		require.Len(t, items, 1, name)
		assert.Equal(t, string(tc.want), items[0]["permission_level"], name)
		assert.Equal(t, string(tc.want), items[0]["base_role"], name)
		assert.Equal(t, true, items[0]["is_service_account"], name)
		got, ok := s.LookupUser(u.Email)
		require.True(t, ok)
		assert.Equal(t, tc.want, got.Role, name)
	}
	for name, roles := range map[string][]Role{
		"two roles":    {Owner, Owner},
		"mixed roles":  {Collaborator, Owner},
		"unknown role": {"admin"},
		"empty role":   {""},
	} {
		assert.Panics(t, func() { s.AddServiceAccount("x", roles...) }, name)
	}
	s.AddServiceAccount("x") // the panics added nothing
}

func TestOwnerServiceAccountActsAsAnOwner(t *testing.T) {
	t.Parallel()
	type world struct {
		s     *Server
		bot   User // the service account under test
		alice User // a human collaborator
		other User // another service account
	}
	revoked := func(w world, u User) bool {
		k, ok := w.s.Key(keyID(u.Token))
		return ok && k.RevokedAt != nil
	}
	for name, tc := range map[string]struct {
		do     func(t *testing.T, w world) response
		status int // an owner's answer
		// effect reports whether the action took effect, from the server
		// state or the answer.
		effect func(w world, r response) bool
	}{
		"list every key": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "GET", "/api/v2/users/admin/api_keys", w.bot.Token, nil)
			},
			status: http.StatusOK,
			effect: func(w world, r response) bool {
				results, _ := r.JSON["results"].([]any)
				for _, it := range results {
					if m, _ := it.(map[string]any); m["hex_hashed_id"] == keyID(w.alice.Token) {
						return true // another member's key
					}
				}
				return false
			},
		},
		"revoke any key": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "DELETE", "/api/v2/users/admin/api_keys/"+keyID(w.alice.Token), w.bot.Token, nil)
			},
			status: http.StatusOK,
			effect: func(w world, _ response) bool { return revoked(w, w.alice) },
		},
		"bulk revoke any": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "POST", "/api/v2/users/admin/api_keys/revoke", w.bot.Token,
					map[string]any{"api_key_ids": []string{keyID(w.alice.Token), keyID(w.other.Token)}})
			},
			status: http.StatusOK,
			effect: func(w world, _ response) bool { return revoked(w, w.alice) && revoked(w, w.other) },
		},
		"revoke all keys of another account": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "POST", "/api/v2/organization_collaborators/rotate_api_key_for_user/"+w.other.ID, w.bot.Token, nil)
			},
			status: http.StatusOK,
			effect: func(w world, _ response) bool { return revoked(w, w.other) },
		},
		"create a service account": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "POST", "/api/v2/users/service_accounts?name=made-by-bot", w.bot.Token, nil)
			},
			status: http.StatusOK,
			effect: func(w world, _ response) bool {
				u, ok := w.s.LookupUser(serviceAccountEmail("made-by-bot", w.s.OrgID()))
				return ok && u.Role == Collaborator // API-made ones stay collaborators
			},
		},
		"create a key for a service account": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "POST", "/api/v2/users/create_api_key", w.bot.Token,
					map[string]any{"duration": 3153600000, "user_id": w.other.ID, "name": "from-bot"})
			},
			status: http.StatusOK,
			effect: func(w world, _ response) bool {
				ks := w.s.Keys(w.other)
				return len(ks) == 2 && ks[1].Name == "from-bot" && ks[1].CreatedBy == w.bot.ID
			},
		},
		"remove a member": {
			do: func(t *testing.T, w world) response {
				return call(t, w.s, "DELETE", "/api/v2/organization_collaborators/"+w.alice.IdentityID, w.bot.Token, nil)
			},
			status: http.StatusNoContent,
			effect: func(w world, _ response) bool {
				_, ok := w.s.LookupUser(w.alice.Email)
				return !ok
			},
		},
	} {
		for _, role := range []Role{Owner, Collaborator} {
			t.Run(name+"/"+string(role), func(t *testing.T) {
				t.Parallel()
				s := Start(t)
				w := world{
					s:     s,
					bot:   s.AddServiceAccount("bot", role),
					alice: s.AddUser("alice@example.com", Collaborator),
					other: s.AddServiceAccount("other"),
				}
				r := tc.do(t, w)
				if role == Collaborator {
					d := r.detail(t, http.StatusForbidden)
					assert.Contains(t, d, "owners")
					assert.False(t, tc.effect(w, r), "a collaborator achieved nothing")
					return
				}
				require.Equal(t, tc.status, r.Status, "body: %s", r.Raw)
				assert.True(t, tc.effect(w, r))
			})
		}
	}
}

func TestOwnerServiceAccountCannotRemoveItself(t *testing.T) {
	t.Parallel()
	s := Start(t)
	bot := s.AddServiceAccount("bot", Owner)
	d := call(t, s, "DELETE", "/api/v2/organization_collaborators/"+bot.IdentityID, bot.Token, nil).detail(t, http.StatusForbidden)
	assert.Contains(t, d, "remove themselves")
	// The human owner can.
	require.Equal(t, http.StatusNoContent,
		call(t, s, "DELETE", "/api/v2/organization_collaborators/"+bot.IdentityID, s.Owner().Token, nil).Status)
}

func TestServiceAccountRotatesItsOwnKeys(t *testing.T) {
	t.Parallel()
	for _, role := range []Role{Owner, Collaborator} {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			s := Start(t)
			bot := s.AddServiceAccount("bot", role)
			extra := createKey(t, s, s.Owner().Token, map[string]any{"duration": 3153600000, "user_id": bot.ID})

			res := call(t, s, "GET", "/api/v2/users/rotate_api_key", bot.Token, nil).result(t, http.StatusOK)
			fresh, _ := res["server_session_id"].(string)
			require.Regexp(t, `^aph0_[a-z0-9]{40}$`, fresh)

			info := call(t, s, "GET", "/api/v2/userinfo/", fresh, nil).result(t, http.StatusOK)
			assert.Equal(t, bot.ID, info["id"])
			assert.Equal(t, string(role), info["organization_permission_level"])
			for _, old := range []string{bot.Token, extra} {
				call(t, s, "GET", "/api/v2/userinfo/", old, nil).detail(t, http.StatusUnauthorized)
			}
			ks := s.Keys(bot)
			require.Len(t, ks, 3)
			assert.Equal(t, keyID(fresh), ks[2].ID)
			assert.Equal(t, bot.ID, ks[2].CreatedBy)
			assert.Equal(t, s.Now().Add(30*24*time.Hour), *ks[2].ExpiresAt)
		})
	}
}
