package keys_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// The models marshal with the snake_case names of the command line's JSON.
func TestModelsMarshalSnakeCase(t *testing.T) {
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	expires := created.Add(time.Hour)
	k := keys.Key{ID: "abc", DisplayID: "key_1", Name: "ci", CreatedBy: "usr_1", CreatedAt: created, ExpiresAt: &expires}
	assert.JSONEq(t, `{"id":"abc","display_id":"key_1","name":"ci","created_by":"usr_1","created_at":"2026-11-01T10:00:00Z",
		"expires_at":"2026-11-01T11:00:00Z","revoked_at":null,"last_used_at":null}`, marshal(t, k))
	k.OwnerID = "usr_2"
	assert.Contains(t, marshal(t, k), `"owner_id":"usr_2"`)

	report := keys.AuditReport{At: created, Checked: 1, Findings: []keys.Finding{{Key: k, Kind: keys.FindingLegacy, Detail: "d", Action: "a",
		OwnerEmail: "ada@example.com", ServiceAccount: true}}}
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(marshal(t, report)), &got))
	assert.Equal(t, "2026-11-01T10:00:00Z", got["at"])
	assert.EqualValues(t, 1, got["checked"])
	f := got["findings"].([]any)[0].(map[string]any)
	assert.Equal(t, "legacy-no-expiry", f["kind"])
	assert.Equal(t, "ada@example.com", f["owner_email"])
	assert.Equal(t, true, f["service_account"])
	assert.Equal(t, "abc", f["key"].(map[string]any)["id"])
}

// The deprecated owner filters are not marshaled: Owner says the same, as
// its text.
func TestListOptionsMarshal(t *testing.T) {
	opts := keys.ListOptions{Name: "ci", Owner: organization.ByEmail("ada@example.com"), OwnerEmail: "ada@example.com", PageSize: 10}
	assert.JSONEq(t, `{"name":"ci","owner":"email:ada@example.com","page_size":10}`, marshal(t, opts))
	var back keys.ListOptions
	require.NoError(t, json.Unmarshal([]byte(marshal(t, opts)), &back))
	assert.Equal(t, organization.ByEmail("ada@example.com"), back.Owner)
	assert.JSONEq(t, `{"owner":""}`, marshal(t, keys.ListOptions{}))
}

// RevokeMany's result marshals its failures as a list, in the order the
// ids were given, each with its error's facts.
func TestRevokeResultMarshalsInTheOrderGiven(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/api_keys/revoke", http.StatusForbidden, `{"error":{"detail":"no"}}`)
	res, err := keys.New(m.Client).RevokeMany(context.Background(), []string{"zz", "aa", "mm", "aa"})
	require.Error(t, err)
	var got struct {
		Failed []struct {
			ID, Error string
		} `json:"failed"`
	}
	require.NoError(t, json.Unmarshal([]byte(marshal(t, res)), &got))
	require.Len(t, got.Failed, 3)
	for i, id := range []string{"zz", "aa", "mm"} {
		assert.Equal(t, id, got.Failed[i].ID)
		assert.Equal(t, advice.Facts(res.Failed[id]), got.Failed[i].Error)
	}
	assert.Contains(t, marshal(t, res), `"not_found":[]`)

	var back keys.RevokeResult
	require.NoError(t, json.Unmarshal([]byte(marshal(t, res)), &back))
	assert.Equal(t, marshal(t, res), marshal(t, back), "read back, it marshals the same")
	assert.Equal(t, errors.New(advice.Facts(res.Failed["aa"])), back.Failed["aa"])
}
