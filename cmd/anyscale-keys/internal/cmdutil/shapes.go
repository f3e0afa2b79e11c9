package cmdutil

import (
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// The JSON shapes of -o json: the stable contract for scripts. Fields are
// only ever added; times are RFC 3339 in UTC; a missing time is null. No
// shape holds a secret: a new key's secret goes alone to standard output.

// Key is a key in JSON.
type Key struct {
	ID         string     `json:"id"`
	DisplayID  string     `json:"display_id"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	CreatedBy  string     `json:"created_by"`
	OwnerID    string     `json:"owner_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// KeyOf is k's JSON shape, its status taken at now.
func KeyOf(k keys.Key, now time.Time) Key {
	return Key{ID: k.ID, DisplayID: k.DisplayID, Name: k.Name, Status: string(k.Status(now)), CreatedBy: k.CreatedBy,
		OwnerID: k.OwnerID, CreatedAt: k.CreatedAt.UTC(), ExpiresAt: utc(k.ExpiresAt), RevokedAt: utc(k.RevokedAt), LastUsedAt: utc(k.LastUsedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// RevokeResult is a bulk revoke's outcome in JSON: every id in exactly one
// list.
type RevokeResult struct {
	Revoked  []string       `json:"revoked"`
	NotFound []string       `json:"not_found"`
	Failed   []FailedRevoke `json:"failed"`
}

// FailedRevoke is an id that may still be active, and why.
type FailedRevoke struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// RevokeResultOf is r's JSON shape, failures in the order of ids.
func RevokeResultOf(r *keys.RevokeResult, ids []string) RevokeResult {
	out := RevokeResult{Revoked: nonNil(r.Revoked), NotFound: nonNil(r.NotFound), Failed: []FailedRevoke{}}
	seen := map[string]bool{}
	for _, id := range ids {
		if err, ok := r.Failed[id]; ok && !seen[id] {
			seen[id] = true
			out.Failed = append(out.Failed, FailedRevoke{ID: id, Error: client.Facts(err)})
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Audit is an audit report in JSON.
type Audit struct {
	At       time.Time `json:"at"`
	Checked  int       `json:"checked"`
	Findings []Finding `json:"findings"`
}

// Finding is one audit finding in JSON.
type Finding struct {
	Key            Key    `json:"key"`
	Kind           string `json:"kind"`
	Detail         string `json:"detail"`
	Action         string `json:"action"`
	OwnerEmail     string `json:"owner_email,omitempty"`
	ServiceAccount bool   `json:"service_account"`
}

// AuditOf is r's JSON shape.
func AuditOf(r *keys.AuditReport) Audit {
	out := Audit{At: r.At.UTC(), Checked: r.Checked, Findings: []Finding{}}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, Finding{Key: KeyOf(f.Key, r.At), Kind: string(f.Kind), Detail: f.Detail,
			Action: f.Action, OwnerEmail: f.OwnerEmail, ServiceAccount: f.ServiceAccount})
	}
	return out
}

// ServiceAccount is a service account in JSON.
type ServiceAccount struct {
	ID              string    `json:"id"`
	UserID          string    `json:"user_id"`
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	PermissionLevel string    `json:"permission_level"`
	CreatedAt       time.Time `json:"created_at"`
}

// ServiceAccountOf is sa's JSON shape.
func ServiceAccountOf(sa serviceaccounts.ServiceAccount) ServiceAccount {
	return ServiceAccount{ID: sa.IdentityID, UserID: sa.UserID, Name: sa.Name, Email: sa.Email, PermissionLevel: sa.PermissionLevel, CreatedAt: sa.CreatedAt.UTC()}
}

// Member is an organization member in JSON.
type Member struct {
	ID              string    `json:"id"`
	UserID          string    `json:"user_id"`
	Email           string    `json:"email"`
	Name            string    `json:"name"`
	PermissionLevel string    `json:"permission_level"`
	ServiceAccount  bool      `json:"service_account"`
	CreatedAt       time.Time `json:"created_at"`
}

// MemberOf is m's JSON shape.
func MemberOf(m organization.Member) Member {
	return Member{ID: m.IdentityID, UserID: m.UserID, Email: m.Email, Name: m.Name, PermissionLevel: m.PermissionLevel,
		ServiceAccount: m.ServiceAccount, CreatedAt: m.CreatedAt.UTC()}
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
