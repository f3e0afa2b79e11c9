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
