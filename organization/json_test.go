package organization_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/organization"
)

// A member marshals with the command line's names; the deprecated ID,
// which repeats IdentityID, is not marshaled.
func TestMemberMarshal(t *testing.T) {
	m := organization.Member{IdentityID: "ide_1", ID: "ide_1", UserID: "usr_1", Email: "ada@example.com", Name: "Ada",
		PermissionLevel: "owner", ServiceAccount: true, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"ide_1","user_id":"usr_1","email":"ada@example.com","name":"Ada","permission_level":"owner",
		"service_account":true,"created_at":"2026-01-02T03:04:05Z"}`, string(b))
}

func TestRefText(t *testing.T) {
	for _, ref := range []organization.Ref{
		organization.ByEmail("ada@example.com"), organization.ByName("ci: deploy"),
		organization.ByUserID("usr_1"), organization.ByIdentityID("ide_1"), {},
	} {
		b, err := ref.MarshalText()
		require.NoError(t, err)
		var back organization.Ref
		require.NoError(t, back.UnmarshalText(b), string(b))
		assert.Equal(t, ref, back, string(b))
	}
	b, _ := organization.ByName("ci").MarshalText()
	assert.Equal(t, "name:ci", string(b))
	var r organization.Ref
	assert.ErrorIs(t, r.UnmarshalText([]byte("ada@example.com")), client.ErrInvalid)
}

func TestListOptionsMarshal(t *testing.T) {
	b, err := json.Marshal(organization.ListOptions{Email: "ada@", Kind: organization.UserAccounts})
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"ada@","kind":"only_user_accounts"}`, string(b))
}
