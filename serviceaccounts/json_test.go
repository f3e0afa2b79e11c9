package serviceaccounts_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// A service account marshals with the command line's names; the
// deprecated ID, which repeats IdentityID, is not marshaled.
func TestServiceAccountMarshal(t *testing.T) {
	sa := serviceaccounts.ServiceAccount{IdentityID: "ide_1", ID: "ide_1", UserID: "usr_1", Name: "ci", Email: "ci@org-x.serviceaccount.com",
		PermissionLevel: "collaborator", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(sa)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"ide_1","user_id":"usr_1","name":"ci","email":"ci@org-x.serviceaccount.com",
		"permission_level":"collaborator","created_at":"2026-01-02T03:04:05Z"}`, string(b))
	sa.OrganizationID = "org_1"
	b, err = json.Marshal(sa)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"organization_id":"org_1"`)

	b, err = json.Marshal(serviceaccounts.ListOptions{Name: "ci", PageSize: 5})
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"ci","page_size":5}`, string(b))
}
