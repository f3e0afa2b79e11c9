package anyscaletest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var collaboratorFields = []string{"additional_roles", "base_role", "created_at", "email", "id", "is_service_account", "name", "permission_level", "user_id"}

func TestUserInfoShape(t *testing.T) {
	t.Parallel()
	s := Start(t, WithOrgName("Acme Corp"))
	owner := s.Owner()
	alice := s.AddUser("Alice.Smith@Example.com", Collaborator)

	info := call(t, s, "GET", "/api/v2/userinfo/", owner.Token, nil).result(t, http.StatusOK)
	assert.Equal(t, []string{"email", "id", "name", "organization_ids", "organization_permission_level", "organizations", "username"}, fieldNames(info))
	assert.Equal(t, owner.ID, info["id"])
	assert.Equal(t, "owner@example.com", info["email"])
	assert.Equal(t, "Owner", info["name"])
	assert.Equal(t, "owner", info["username"])
	assert.Equal(t, "owner", info["organization_permission_level"])
	assert.Equal(t, []any{s.OrgID()}, info["organization_ids"])
	orgs := info["organizations"].([]any)
	require.Len(t, orgs, 1)
	org := orgs[0].(map[string]any)
	assert.Equal(t, []string{"default_cloud_id", "id", "name", "public_identifier"}, fieldNames(org))
	assert.Equal(t, s.OrgID(), org["id"])
	assert.Equal(t, "Acme Corp", org["name"])
	assert.Equal(t, "acme-corp", org["public_identifier"])
	assert.Nil(t, org["default_cloud_id"])

	info = call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).result(t, http.StatusOK)
	assert.Equal(t, "alice.smith@example.com", info["email"])
	assert.Equal(t, "Alice.smith", info["name"])
	assert.Equal(t, "collaborator", info["organization_permission_level"])
}

func TestListMembers(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("Alice@Example.com", Collaborator)
	bob := s.AddUser("bob@other.org", Owner)
	sa := s.AddServiceAccount("CI-Bot")
	path := "/api/v2/organization_collaborators/"

	// Any member may list; oldest first.
	items, total, next := call(t, s, "GET", path, alice.Token, nil).list(t)
	assert.Equal(t, 4, total)
	assert.Empty(t, next)
	require.Len(t, items, 4)
	for _, it := range items {
		assert.Equal(t, collaboratorFields, fieldNames(it))
	}
	a := items[1]
	assert.Equal(t, alice.IdentityID, a["id"])
	assert.Equal(t, alice.ID, a["user_id"])
	assert.Equal(t, "alice@example.com", a["email"])
	assert.Equal(t, "Alice", a["name"])
	assert.Equal(t, "collaborator", a["permission_level"])
	assert.Equal(t, "collaborator", a["base_role"])
	assert.Equal(t, []any{}, a["additional_roles"])
	assert.Equal(t, false, a["is_service_account"])
	assert.Equal(t, "owner", items[0]["permission_level"])
	assert.Equal(t, "owner", items[2]["permission_level"])
	assert.Equal(t, true, items[3]["is_service_account"])
	assert.Equal(t, "ci-bot@org-"+s.OrgID()+".serviceaccount.com", items[3]["email"])

	userIDs := func(q string) []string {
		items, _, _ := call(t, s, "GET", path+"?"+q, owner.Token, nil).list(t)
		out := []string{}
		for _, it := range items {
			out = append(out, it["user_id"].(string))
		}
		return out
	}
	assert.Equal(t, []string{alice.ID}, userIDs("email=ALICE"))
	assert.Equal(t, []string{owner.ID, alice.ID}, userIDs("email=example.com"))
	assert.Equal(t, []string{sa.ID}, userIDs("name=bot"))
	assert.Equal(t, []string{owner.ID, bob.ID, sa.ID}, userIDs("name=O"))
	assert.Equal(t, []string{sa.ID}, userIDs("is_service_account=true"))
	assert.Equal(t, []string{owner.ID, alice.ID, bob.ID}, userIDs("is_service_account=false"))
	assert.Equal(t, []string{owner.ID, alice.ID, bob.ID, sa.ID}, userIDs("collaborator_type=all_accounts"))
	assert.Equal(t, []string{sa.ID}, userIDs("collaborator_type=only_service_accounts"))
	assert.Equal(t, []string{owner.ID, alice.ID, bob.ID}, userIDs("collaborator_type=only_user_accounts"))
	assert.Equal(t, []string{}, userIDs("collaborator_type=only_user_accounts&is_service_account=true"))
	assert.Equal(t, []string{sa.ID}, userIDs("is_service_account=true&name=ci-bot&email=serviceaccount"))

	assert.Equal(t, []any{"query", "collaborator_type"}, call(t, s, "GET", path+"?collaborator_type=bots", owner.Token, nil).validation(t))
	assert.Equal(t, []any{"query", "is_service_account"}, call(t, s, "GET", path+"?is_service_account=maybe", owner.Token, nil).validation(t))

	// Paging one at a time visits everyone once, and a member added
	// meanwhile appears at the end.
	var got []string
	items, _, next = call(t, s, "GET", path+"?count=1", owner.Token, nil).list(t)
	got = append(got, items[0]["user_id"].(string))
	carol := s.AddUser("carol@example.com", Collaborator)
	for next != "" {
		items, total, next = call(t, s, "GET", path+"?count=1&paging_token="+url.QueryEscape(next), owner.Token, nil).list(t)
		assert.Equal(t, 5, total)
		got = append(got, items[0]["user_id"].(string))
	}
	assert.Equal(t, []string{owner.ID, alice.ID, bob.ID, sa.ID, carol.ID}, got)
}

func TestRemoveMember(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	bob := s.AddUser("bob@example.com", Owner)
	sa := s.AddServiceAccount("ci-bot")
	aliceKey := createKey(t, s, alice.Token, map[string]any{"duration": 600, "name": "extra"})
	aliceLegacy, aliceLegacySecret := s.AddKey(alice, "legacy", 0)
	path := "/api/v2/organization_collaborators/"

	d := call(t, s, "DELETE", path+owner.IdentityID, owner.Token, nil).detail(t, http.StatusForbidden)
	assert.Contains(t, d, "remove themselves")
	call(t, s, "DELETE", path+bob.IdentityID, alice.Token, nil).detail(t, http.StatusForbidden)
	call(t, s, "DELETE", path+"ide_unknown", owner.Token, nil).detail(t, http.StatusNotFound)
	call(t, s, "DELETE", path+alice.ID, owner.Token, nil).detail(t, http.StatusNotFound) // a user id is not an identity id

	r := call(t, s, "DELETE", path+alice.IdentityID, owner.Token, nil)
	assert.Equal(t, http.StatusNoContent, r.Status)
	assert.Empty(t, r.Raw)
	for _, tok := range []string{alice.Token, aliceKey, aliceLegacySecret} {
		call(t, s, "GET", "/api/v2/userinfo/", tok, nil).detail(t, http.StatusUnauthorized)
	}
	k, _ := s.Key(aliceLegacy)
	assert.NotNil(t, k.RevokedAt)
	call(t, s, "DELETE", path+alice.IdentityID, owner.Token, nil).detail(t, http.StatusNotFound)
	_, ok := s.LookupUser("alice@example.com")
	assert.False(t, ok)

	items, total, _ := call(t, s, "GET", path, owner.Token, nil).list(t)
	assert.Equal(t, 3, total)
	for _, it := range items {
		assert.NotEqual(t, alice.ID, it["user_id"])
	}
	keys, _, _ := call(t, s, "GET", "/api/v2/users/admin/api_keys?user_id="+alice.ID, owner.Token, nil).list(t)
	assert.Empty(t, keys)
	call(t, s, "POST", "/api/v2/organization_collaborators/rotate_api_key_for_user/"+alice.ID, owner.Token, nil).detail(t, http.StatusNotFound)

	// Another owner may remove the first; deleting a service account works the same.
	assert.Equal(t, http.StatusNoContent, call(t, s, "DELETE", path+sa.IdentityID, bob.Token, nil).Status)
	call(t, s, "GET", "/api/v2/userinfo/", sa.Token, nil).detail(t, http.StatusUnauthorized)
	assert.Equal(t, http.StatusNoContent, call(t, s, "DELETE", path+owner.IdentityID, bob.Token, nil).Status)
	call(t, s, "GET", "/api/v2/userinfo/", owner.Token, nil).detail(t, http.StatusUnauthorized)

	// A removed email can be added again, as a new member.
	again := s.AddUser("alice@example.com", Collaborator)
	assert.NotEqual(t, alice.ID, again.ID)
	call(t, s, "GET", "/api/v2/userinfo/", again.Token, nil).result(t, http.StatusOK)
	assert.Panics(t, func() { s.AddUser("ALICE@example.com", Owner) })
	assert.Panics(t, func() { s.AddUser("not-an-email", Owner) })
	assert.Panics(t, func() { s.AddUser("x@example.com", "admin") })
}
