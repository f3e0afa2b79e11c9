package keys_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
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

const meJSON = `{"result":{"id":"usr_me","email":"me@example.com"}}`

func TestAuditOwnScope(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, meJSON)
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
		{"legacy", keys.FindingLegacy, "me@example.com"},
		{"long", keys.FindingOverLifetime, "me@example.com"},
		{"soon", keys.FindingExpiringSoon, "me@example.com"},
		{"never-used", keys.FindingUnused, "me@example.com"},
		{"idle", keys.FindingLegacy, "me@example.com"},
		{"idle", keys.FindingUnused, "me@example.com"},
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
	assert.Equal(t, []string{"GET /api/v2/userinfo/", "GET /api/v2/users/api_keys"}, m.Paths(), "who the caller is, then its keys once; no members")
	out := report.String()
	assert.Contains(t, out, "6 active keys checked, 6 findings")

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
		case "":
			return 200, apimock.List("",
				keyJSON("ada-fine", "2026-11-20T00:00:00Z", "2026-12-20T00:00:00Z", "2026-11-25T00:00:00Z"),
				keyJSON("orphan", "2024-01-01T00:00:00Z", "", "2026-11-25T00:00:00Z"))
		}
		return 500, `{"error":{"detail":"unexpected filter"}}`
	})
	report, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	assert.Equal(t, 4, report.Checked, "each key once")
	assert.Equal(t, []finding{
		{"ada-long", keys.FindingOverLifetime, "ada@example.com"},
		{"sa-long", keys.FindingUnused, "bot@org-x.serviceaccount.com"},
		{"orphan", keys.FindingLegacy, ""},
	}, findings(report), "service account keys are exempt from the 30-day rule; every finding names its owner, but a key no member owns")
	for _, f := range report.Findings {
		assert.Equal(t, f.Key.ID == "sa-long", f.ServiceAccount)
		assert.Equal(t, f.Key.ID != "orphan", f.Key.OwnerID != "", "the owner's id is on the key")
	}
	out := report.String()
	assert.Contains(t, out, "OWNER")
	assert.Contains(t, out, "ada@example.com")

	calls := m.Calls()
	require.Len(t, calls, 4, "one member page, one key page per member, one over every key")
	assert.Equal(t, "all_accounts", calls[0].Query.Get("collaborator_type"), "service accounts are asked for explicitly")
	var owners []string
	for _, c := range calls[1:] {
		owners = append(owners, c.Query.Get("user_id"))
	}
	slices.Sort(owners)
	assert.Equal(t, []string{"", "usr_ada", "usr_sa"}, owners)
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
		Now: func() time.Time { return auditNow }, List: keys.ListOptions{Owner: organization.ByEmail("ada@example.com")},
	})
	require.NoError(t, err)
	assert.Equal(t, []finding{{"ada-legacy", keys.FindingLegacy, "ada@example.com"}}, findings(report))
	assert.Len(t, m.Calls(), 2, "the owner's member entry by email, then the owner's keys: no walk over every member")
	var listed []url.Values
	for _, c := range m.Calls() {
		if c.Path == "/api/v2/users/admin/api_keys" {
			listed = append(listed, c.Query)
		}
	}
	require.Len(t, listed, 1, "only the owner's keys are listed")
	assert.Equal(t, "usr_ada", listed[0].Get("user_id"))
}

// Filtered by user id, the organization audit still names the owner, from
// the member list; a member the server does not mark either way is a
// service account when its address has that form, as in the own-scope
// audit, so its long-lived key is not over the user keys' limit.
func TestAuditOrgOwnerIDFilter(t *testing.T) {
	t.Parallel()
	bot := `{"id":"ide_bot","user_id":"usr_bot","email":"bot@org-x.serviceaccount.com","permission_level":"collaborator","created_at":"2026-01-01T00:00:00Z"}`
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", memberJSON("usr_ada", "ada@example.com", false), bot))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("user_id") == "usr_bot" {
			return 200, apimock.List("", keyJSON("bot-long", "2026-11-01T00:00:00Z", "2100-01-01T00:00:00Z", "2026-11-25T00:00:00Z"))
		}
		return 200, apimock.List("", keyJSON("ada-legacy", "2024-01-01T00:00:00Z", "", "2026-11-25T00:00:00Z"))
	})
	ks := keys.New(m.Client).Org()
	report, err := ks.Audit(context.Background(), keys.AuditOptions{
		Now: func() time.Time { return auditNow }, List: keys.ListOptions{Owner: organization.ByUserID("usr_ada")},
	})
	require.NoError(t, err)
	assert.Equal(t, []finding{{"ada-legacy", keys.FindingLegacy, "ada@example.com"}}, findings(report), "the owner is named")

	report, err = ks.Audit(context.Background(), keys.AuditOptions{
		Now: func() time.Time { return auditNow }, List: keys.ListOptions{OwnerID: "usr_bot"}, // the deprecated spelling
	})
	require.NoError(t, err)
	assert.Equal(t, 1, report.Checked)
	assert.Empty(t, findings(report), "a service account's 100-year key is within its limit")
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

// A service account auditing its own keys on its own token (a CI job) is
// not told its long-lived key breaks the 30-day rule for user keys.
func TestAuditOwnScopeOfAServiceAccount(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, `{"result":{"id":"usr_ci","email":"ci@org-org_x.serviceaccount.com"}}`)
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("",
		keyJSON("sa-long", "2026-01-01T00:00:00Z", "2126-01-01T00:00:00Z", "2026-11-25T00:00:00Z")))
	report, err := keys.New(m.Client).Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	assert.Equal(t, 1, report.Checked)
	assert.Empty(t, report.Findings)
}

func TestAuditUnusedForBoundary(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, meJSON)
	day := 24 * time.Hour
	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("",
		keyJSON("idle-29d", "2024-01-01T00:00:00Z", "2027-01-01T00:00:00Z", auditNow.Add(-29*day).Format(time.RFC3339)),
		keyJSON("idle-31d", "2024-01-01T00:00:00Z", "2027-01-01T00:00:00Z", auditNow.Add(-31*day).Format(time.RFC3339))))
	report, err := keys.New(m.Client).Audit(context.Background(), keys.AuditOptions{Now: func() time.Time { return auditNow }})
	require.NoError(t, err)
	var unused []string
	for _, f := range report.Findings {
		if f.Kind == keys.FindingUnused {
			unused = append(unused, f.Key.ID)
		}
	}
	assert.Equal(t, []string{"idle-31d"}, unused, "the default UnusedFor is 30 days")
	assert.Equal(t, 30*day, keys.DefaultUnusedFor)
}

// The organization audit lists the members' keys a bounded number at a
// time, and the first failure stops the others.
func TestAuditOrgConcurrencyAndFirstFailure(t *testing.T) {
	t.Parallel()
	var members []string
	for i := range 20 {
		members = append(members, memberJSON(fmt.Sprintf("usr_%02d", i), fmt.Sprintf("u%02d@example.com", i), false))
	}
	for _, bound := range []int{3, keys.DefaultConcurrency} {
		m := apimock.New(t)
		m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", members...))
		var inFlight, peak atomic.Int32
		full := make(chan struct{})
		var once sync.Once
		m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			if n == int32(bound) {
				once.Do(func() { close(full) })
			}
			select {
			case <-full:
			case <-time.After(10 * time.Second):
				t.Errorf("only %d listings in flight; want %d", inFlight.Load(), bound)
			}
			return 200, apimock.List("")
		})
		opts := keys.AuditOptions{}
		if bound != keys.DefaultConcurrency {
			opts.Concurrency = bound
		}
		_, err := keys.New(m.Client).Org().Audit(context.Background(), opts)
		require.NoError(t, err)
		assert.Equal(t, int32(bound), peak.Load())
	}

	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("", members...))
	m.OnFunc("GET", "/api/v2/users/admin/api_keys", func(r *http.Request) (int, string) {
		if r.URL.Query().Get("user_id") == "usr_00" {
			return 403, `{"error":{"detail":"owners only"}}`
		}
		select { // the others wait until the failure stops them
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			t.Error("a listing was not stopped by the first failure")
		}
		return 200, apimock.List("")
	})
	_, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{})
	require.ErrorIs(t, err, client.ErrForbidden)
	assert.Contains(t, err.Error(), "u00@example.com")
}

func TestAuditOrgProgress(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List("",
		memberJSON("usr_a", "a@example.com", false), memberJSON("usr_b", "b@example.com", false)))
	m.On("GET", "/api/v2/users/admin/api_keys", 200, apimock.List(""))
	var mu sync.Mutex
	var seen []int
	_, err := keys.New(m.Client).Org().Audit(context.Background(), keys.AuditOptions{Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 3, total, "two members and the walk over every key")
		seen = append(seen, done)
	}})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3}, seen)
}
