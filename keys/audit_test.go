package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/apimock"
	"github.com/anyscale-go/anyscale/keys"
)

// keyJSON is an ApiKeyInfo; an empty expires is a legacy key, an empty
// lastUsed a key never used.
func keyJSON(id, created, expires, lastUsed string) string {
	opt := func(s string) string {
		if s == "" {
			return "null"
		}
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf(`{"hex_hashed_id":%q,"display_id":"key_%s","name":"n-%s","created_by":"usr_x","created_at":%q,"expires_at":%s,"last_used_at":%s}`,
		id, id, id, created, opt(expires), opt(lastUsed))
}

func memberJSON(userID, email string, serviceAccount bool) string {
	uid := "null"
	if userID != "" {
		uid = fmt.Sprintf("%q", userID)
	}
	return fmt.Sprintf(`{"id":"ide_%s","user_id":%s,"email":%q,"permission_level":"collaborator","is_service_account":%t,"created_at":"2026-01-01T00:00:00Z"}`,
		email, uid, email, serviceAccount)
}

// finding is a finding's key id and kind, for comparing sets.
type finding struct {
	id    string
	kind  keys.FindingKind
	owner string
}

func findings(r *keys.AuditReport) []finding {
	var out []finding
	for _, f := range r.Findings {
		out = append(out, finding{f.Key.ID, f.Kind, f.OwnerEmail})
	}
	return out
}

var auditNow = *date("2026-11-25T12:00:00Z")

func TestAuditOwnScope(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("",
		keyJSON("legacy", "2024-01-01T00:00:00Z", "", "2026-11-24T00:00:00Z"),
		keyJSON("long", "2026-11-01T00:00:00Z", "2027-11-01T00:00:00Z", "2026-11-25T00:00:00Z"),
		keyJSON("soon", "2026-11-01T00:00:00Z", "2026-11-28T00:00:00Z", "2026-11-25T00:00:00Z"),
		keyJSON("fine", "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z", "2026-11-25T11:00:00Z"),
		keyJSON("never-used", "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z", ""),
		keyJSON("idle", "2024-01-01T00:00:00Z", "", "2026-10-01T00:00:00Z"),
		keyJSON("expired", "2026-10-01T00:00:00Z", "2026-10-31T00:00:00Z", ""),
	))
	report, err := keys.New(m.Client).Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	assert.Equal(t, 6, report.Checked, "the expired key is not audited")
	assert.ElementsMatch(t, []finding{
		{"legacy", keys.FindingLegacy, ""},
		{"long", keys.FindingOverLifetime, ""},
		{"soon", keys.FindingExpiringSoon, ""},
		{"never-used", keys.FindingUnused, ""},
		{"idle", keys.FindingLegacy, ""},
		{"idle", keys.FindingUnused, ""},
	}, findings(report))
	for _, f := range report.Findings {
		assert.NotEmpty(t, f.Action)
		assert.NotEmpty(t, f.Detail)
		switch f.Key.ID {
		case "never-used":
			assert.Contains(t, f.Detail, "never used")
		case "idle":
			if f.Kind == keys.FindingUnused {
				assert.Contains(t, f.Detail, "last used 55d")
			}
		}
	}
	assert.Equal(t, 1, m.Transport.GetTotalCallCount(), "the own scope lists its keys once, and no members")
	out := report.String()
	assert.Contains(t, out, "6 active keys checked, 6 findings")
	assert.NotContains(t, out, "OWNER", "the own scope names no owners")

	// A longer UnusedFor forgives the idle key, never a key never used.
	report, err = keys.New(m.Client).Audit(context.Background(), keys.AuditOptions{
		Now: func() time.Time { return auditNow }, UnusedFor: 60 * 24 * time.Hour,
	})
	require.NoError(t, err)
	var unused []string
	for _, f := range report.Findings {
		if f.Kind == keys.FindingUnused {
			unused = append(unused, f.Key.ID)
		}
	}
	assert.Equal(t, []string{"never-used"}, unused)
}

func TestAuditOrgNamesOwners(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		memberJSON("usr_ada", "ada@example.com", false),
		memberJSON("usr_sa", "bot@org-x.serviceaccount.com", true)))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		switch r.URL.Query().Get("user_id") {
		case "usr_ada":
			return 200, apimock.List("",
				keyJSON("ada-long", "2026-11-01T00:00:00Z", "2027-11-01T00:00:00Z", "2026-11-25T00:00:00Z"),
				keyJSON("ada-fine", "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z", "2026-11-25T00:00:00Z"))
		case "usr_sa":
			return 200, apimock.List("",
				keyJSON("sa-long", "2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z", ""))
		}
		return 500, `{"error":{"detail":"unexpected filter"}}`
	})
	report, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	assert.Equal(t, 3, report.Checked)
	assert.Equal(t, []finding{
		{"ada-long", keys.FindingOverLifetime, "ada@example.com"},
		{"sa-long", keys.FindingUnused, "bot@org-x.serviceaccount.com"},
	}, findings(report), "service account keys are exempt from the 30-day rule; every finding names its owner")
	for _, f := range report.Findings {
		assert.Equal(t, f.Key.ID == "sa-long", f.ServiceAccount)
		assert.NotEmpty(t, f.Key.OwnerID, "the owner's id is on the key")
	}
	out := report.String()
	assert.Contains(t, out, "OWNER")
	assert.Contains(t, out, "ada@example.com")

	calls := m.Calls()
	require.Len(t, calls, 3, "one member page, then one key page per member")
	assert.Equal(t, "all_accounts", calls[0].Query.Get("collaborator_type"), "service accounts are asked for explicitly")
	var owners []string
	for _, c := range calls[1:] {
		owners = append(owners, c.Query.Get("user_id"))
	}
	slices.Sort(owners)
	assert.Equal(t, []string{"usr_ada", "usr_sa"}, owners)
}

// A member listed without a user id cannot be filtered by: its keys are
// found by one walk over every key, and audited without an owner.
func TestAuditOrgMemberWithoutUserID(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		memberJSON("usr_ada", "ada@example.com", false),
		memberJSON("", "old@example.com", false)))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		ada := keyJSON("ada-legacy", "2024-01-01T00:00:00Z", "", "2026-11-25T00:00:00Z")
		if r.URL.Query().Get("user_id") == "usr_ada" {
			return 200, apimock.List("", ada)
		}
		return 200, apimock.List("", ada, keyJSON("old-legacy", "2024-01-01T00:00:00Z", "", "2026-11-25T00:00:00Z"))
	})
	report, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	assert.Equal(t, 2, report.Checked, "each key once")
	assert.Equal(t, []finding{
		{"ada-legacy", keys.FindingLegacy, "ada@example.com"},
		{"old-legacy", keys.FindingLegacy, ""},
	}, findings(report))
	assert.Len(t, m.Calls(), 3)
}

func TestAuditOrgOwnerFilter(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.OnFunc("GET", "/api/v2/organization_collaborators/", func(r *http.Request) (int, string) {
		return 200, apimock.List("", memberJSON("usr_ada", "ada@example.com", false), memberJSON("usr_bob", "bob@example.com", false))
	})
	m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List("", keyJSON("ada-legacy", "2024-01-01T00:00:00Z", "", "2026-11-25T00:00:00Z")))
	report, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{
		Now: func() time.Time { return auditNow }, List: keys.ListOptions{OwnerEmail: "ada@example.com"},
	})
	require.NoError(t, err)
	assert.Equal(t, []finding{{"ada-legacy", keys.FindingLegacy, "ada@example.com"}}, findings(report))
	var listed []url.Values
	for _, c := range m.Calls() {
		if c.Path == "/api/v2/users/admin/api_keys" {
			listed = append(listed, c.Query)
		}
	}
	require.Len(t, listed, 1, "only the owner's keys are listed")
	assert.Equal(t, "usr_ada", listed[0].Get("user_id"))
}

func TestAuditOrgErrors(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	_, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{List: keys.ListOptions{PageToken: "abc"}})
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Zero(t, m.Transport.GetTotalCallCount())

	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		memberJSON("usr_ada", "ada@example.com", false), memberJSON("usr_bob", "bob@example.com", false)))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("user_id") == "usr_bob" {
			return 403, `{"error":{"detail":"owners only"}}`
		}
		return 200, apimock.List("")
	})
	_, err = keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{})
	require.ErrorIs(t, err, client.ErrForbidden, "an incomplete audit is an error, not a clean report")
	assert.Contains(t, err.Error(), "bob@example.com")
}
