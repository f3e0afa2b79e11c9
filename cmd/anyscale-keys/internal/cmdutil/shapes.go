package cmdutil

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// The JSON shapes of -o json: the stable contract for scripts. They are the
// SDK's own models marshaled (keys.Key, keys.RevokeResult, keys.AuditReport,
// keys.Finding, organization.Member, serviceaccounts.ServiceAccount: one
// shape, not two), with only what needs a clock or a look-up added: a
// key's "status". Fields are only ever added; times are RFC 3339 in UTC; a
// missing time is null. No shape holds a secret: a new key's secret goes
// alone to standard output.

// Key is a key in JSON: keys.Key's fields, and its "status" at a moment.
type Key struct {
	keys.Key
	// Status is the key's state when it was shown ("active", "expired",
	// "revoked"). It shadows keys.Key's Status method: k.Key.Status(now)
	// judges it again.
	Status string `json:"status"`
}

// KeyOf is k's JSON shape, its status taken at now.
func KeyOf(k keys.Key, now time.Time) Key {
	status := string(k.Status(now))
	k.CreatedAt = k.CreatedAt.UTC()
	k.ExpiresAt, k.RevokedAt, k.LastUsedAt = utc(k.ExpiresAt), utc(k.RevokedAt), utc(k.LastUsedAt)
	return Key{Key: k, Status: status}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// RevokeResult is a bulk revoke's outcome in JSON: keys.RevokeResult as it
// marshals ({"revoked", "not_found", "failed": [{"id", "error"}]}, every id
// in exactly one list, each failure with its error's facts), read into
// plain fields. keys.RevokeResult marshals itself, so a struct that
// embeds it marshals as it alone; this one embeds, its fields joining
// those around it.
type RevokeResult struct {
	Revoked  []string       `json:"revoked"`
	NotFound []string       `json:"not_found"`
	Failed   []FailedRevoke `json:"failed"`
}

// FailedRevoke is an id that may still be active, and why: an entry of
// keys.RevokeResult's "failed".
type FailedRevoke struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// RevokeResultOf is r's JSON shape: r as it marshals, its failures in the
// order RevokeMany was given the ids (ids, deduplicated; a result made
// otherwise: by id).
func RevokeResultOf(r *keys.RevokeResult, _ []string) RevokeResult {
	var out RevokeResult
	b, err := json.Marshal(r)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil { // a RevokeResult always marshals
		panic(fmt.Sprintf("cmdutil: a revoke result does not marshal: %v", err))
	}
	return out
}

// Audit is an audit report in JSON: keys.AuditReport's fields, each
// finding's key with its status at the audit's clock reading.
type Audit struct {
	keys.AuditReport
	// Findings replaces the report's own, which AuditOf leaves nil.
	Findings []Finding `json:"findings"`
}

// Finding is one audit finding in JSON: keys.Finding's fields, its key
// with its status.
type Finding struct {
	keys.Finding
	// Key replaces the finding's own key with the key's JSON shape.
	Key Key `json:"key"`
}

// AuditOf is r's JSON shape.
func AuditOf(r *keys.AuditReport) Audit {
	out := Audit{AuditReport: *r, Findings: []Finding{}}
	out.At, out.AuditReport.Findings = r.At.UTC(), nil
	for _, f := range r.Findings {
		k := f.Key
		f.Key = keys.Key{}
		out.Findings = append(out.Findings, Finding{Finding: f, Key: KeyOf(k, r.At)})
	}
	return out
}

// ServiceAccount is a service account in JSON:
// serviceaccounts.ServiceAccount's own shape.
type ServiceAccount = serviceaccounts.ServiceAccount

// ServiceAccountOf is sa's JSON shape: sa, its time in UTC.
func ServiceAccountOf(sa serviceaccounts.ServiceAccount) ServiceAccount {
	sa.CreatedAt = sa.CreatedAt.UTC()
	return sa
}

// Member is an organization member in JSON: organization.Member's own
// shape.
type Member = organization.Member

// MemberOf is m's JSON shape: m, its time in UTC.
func MemberOf(m organization.Member) Member {
	m.CreatedAt = m.CreatedAt.UTC()
	return m
}

// User is whoami in JSON.
type User struct {
	ID               string `json:"id"`
	Email            string `json:"email"`
	Name             string `json:"name"`
	Username         string `json:"username"`
	PermissionLevel  string `json:"permission_level"`
	OrganizationID   string `json:"organization_id"`
	OrganizationName string `json:"organization_name"`
}

// UserOf is u's JSON shape.
func UserOf(u *client.UserInfo) User {
	out := User{ID: u.ID, Email: u.Email, Name: u.Name, Username: u.Username, PermissionLevel: u.OrganizationPermissionLevel,
		OrganizationID: u.OrganizationID()}
	if len(u.Organizations) > 0 {
		out.OrganizationName = u.Organizations[0].Name
	}
	return out
}

// Explain is the auth chain's report in JSON: never a token, only
// fingerprints.
type Explain struct {
	Sources    []Source `json:"sources"`
	Host       string   `json:"host"`
	HostOrigin string   `json:"host_origin"`
	Error      string   `json:"error,omitempty"`
}

// Source is one source of the chain in JSON.
type Source struct {
	Source      string `json:"source"`
	Status      string `json:"status"`
	Origin      string `json:"origin"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Reason      string `json:"reason"`
}

// ExplainOf is r's JSON shape.
func ExplainOf(r auth.Report) Explain {
	out := Explain{Sources: []Source{}, Host: r.Host, HostOrigin: r.HostOrigin}
	for _, e := range r.Entries {
		out.Sources = append(out.Sources, Source{Source: string(e.Source), Status: string(e.Status), Origin: e.Origin,
			Fingerprint: e.Fingerprint, Reason: e.Reason})
	}
	if r.Err != nil {
		out.Error = client.Facts(r.Err)
	}
	return out
}
