package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/apimock"
	"github.com/anyscale-go/anyscale/keys"
)

func keyJSON(id, createdBy, created, expires string) string {
	exp := "null"
	if expires != "" {
		exp = fmt.Sprintf("%q", expires)
	}
	return fmt.Sprintf(`{"hex_hashed_id":%q,"display_id":"key_%s","name":"n-%s","created_by":%q,"created_at":%q,"expires_at":%s}`,
		id, id, id, createdBy, created, exp)
}

func TestAudit(t *testing.T) {
	t.Parallel()
	now := *date("2026-11-25T12:00:00Z")
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		`{"id":"ide_sa","user_id":"usr_sa","email":"bot@org-x.serviceaccount.com","permission_level":"collaborator","is_service_account":true,"created_at":"2026-01-01T00:00:00Z"}`))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("user_id") == "usr_sa" {
			return 200, apimock.List("", keyJSON("sa-long", "usr_owner", "2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z"))
		}
		return 200, apimock.List("",
			keyJSON("legacy", "usr_u", "2024-01-01T00:00:00Z", ""),
			keyJSON("long", "usr_u", "2026-11-01T00:00:00Z", "2027-11-01T00:00:00Z"),
			keyJSON("soon", "usr_u", "2026-11-01T00:00:00Z", "2026-11-28T00:00:00Z"),
			keyJSON("fine", "usr_u", "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z"),
			keyJSON("expired", "usr_u", "2026-10-01T00:00:00Z", "2026-10-31T00:00:00Z"),
			keyJSON("sa-long", "usr_owner", "2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z"),
		)
	})
	report, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{
		ExpiringWithin: 7 * 24 * time.Hour,
		Now:            func() time.Time { return now },
	})
	require.NoError(t, err)
	assert.Equal(t, 5, report.Checked, "the expired key is not audited")
	got := map[string]keys.FindingKind{}
	for _, f := range report.Findings {
		got[f.Key.ID] = f.Kind
		assert.NotEmpty(t, f.Action)
		assert.NotEmpty(t, f.Detail)
	}
	assert.Equal(t, map[string]keys.FindingKind{
		"legacy": keys.FindingLegacy,
		"long":   keys.FindingOverLifetime,
		"soon":   keys.FindingExpiringSoon,
	}, got, "service-account keys are exempt from the 30-day rule")
	out := report.String()
	assert.Contains(t, out, "5 active keys checked, 3 findings")
	assert.Contains(t, out, "legacy-no-expiry")
}

func TestAuditOwnScopeSkipsMemberList(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("", keyJSON("legacy", "usr_u", "2024-01-01T00:00:00Z", "")))
	report, err := keys.New(m.Client).Audit(context.Background(), keys.AuditOptions{})
	require.NoError(t, err)
	require.Len(t, report.Findings, 1)
	assert.Equal(t, keys.FindingLegacy, report.Findings[0].Kind)
	assert.Equal(t, 1, m.Transport.GetTotalCallCount())
}
