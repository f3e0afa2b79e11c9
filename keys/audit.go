package keys

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/email"
)

// DefaultExpiringWithin is the window Audit uses when
// AuditOptions.ExpiringWithin is zero.
const DefaultExpiringWithin = 7 * 24 * time.Hour

// DefaultUnusedFor is how long a key may go unused before Audit reports
// it, when AuditOptions.UnusedFor is zero.
const DefaultUnusedFor = 30 * 24 * time.Hour

// AuditOptions configures Audit.
type AuditOptions struct {
	// ExpiringWithin reports active keys that expire within this window
	// (default DefaultExpiringWithin).
	ExpiringWithin time.Duration
	// UnusedFor reports active keys last used longer ago than this
	// (default DefaultUnusedFor); keys never used are always reported.
	UnusedFor time.Duration
	// Now is the audit's clock. By default it is the client's,
	// client.Client.Now (the server's time, as its Date header says), read
	// once the server has first answered: a local clock that is off would
	// call a live key expired, or an expired one active.
	Now func() time.Time
	// List selects the keys to audit (default: all in the scope). On the
	// organization scope PageToken applies only with an owner filter.
	List ListOptions
	// Concurrency bounds the organization scope's listings in flight at
	// once (default DefaultConcurrency).
	Concurrency int
	// Progress, when set, is called on the organization scope as its
	// listings finish, with how many are done and how many there are (one
	// per member, and one over every key); from one goroutine at a time.
	Progress func(done, total int)
}

// FindingKind names what an audit finding is about.
type FindingKind string

// The kinds of finding.
const (
	// FindingLegacy: the key never expires.
	FindingLegacy FindingKind = "legacy-no-expiry"
	// FindingOverLifetime: the key lives longer than MaxLifetime.
	FindingOverLifetime FindingKind = "over-max-lifetime"
	// FindingExpiringSoon: the key expires within the audit's window.
	FindingExpiringSoon FindingKind = "expiring-soon"
	// FindingUnused: the key was never used, or not within UnusedFor.
	FindingUnused FindingKind = "unused"
)

// Finding is one key that needs attention, and what to do about it. It
// marshals to JSON as {"key", "kind", "detail", "action", "owner_email"
// (left out when empty), "service_account"}.
type Finding struct {
	Key    Key         `json:"key"`
	Kind   FindingKind `json:"kind"`
	Detail string      `json:"detail"`
	Action string      `json:"action"`
	// OwnerEmail is the email of the user or service account the key
	// belongs to: the caller's on the own scope; on the organization scope
	// empty for a key whose owner the member list does not name.
	OwnerEmail string `json:"owner_email,omitempty"`
	// ServiceAccount reports whether the owner is a service account.
	ServiceAccount bool `json:"service_account"`
}

// AuditReport is the outcome of Audit. It marshals to JSON as {"at",
// "checked", "findings"}.
type AuditReport struct {
	// At is the audit's clock reading.
	At time.Time `json:"at"`
	// Checked counts the active keys audited.
	Checked  int       `json:"checked"`
	Findings []Finding `json:"findings"`
}

// String renders the report as a table, one finding a line, with an
// OWNER column when the findings name owners.
func (r *AuditReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d active keys checked, %d findings\n", r.Checked, len(r.Findings))
	if len(r.Findings) == 0 {
		return b.String()
	}
	owners := false
	for _, f := range r.Findings {
		owners = owners || f.OwnerEmail != ""
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if owners {
		fmt.Fprint(tw, "OWNER\t")
	}
	fmt.Fprintln(tw, "KEY\tNAME\tFINDING\tDETAIL\tACTION")
	for _, f := range r.Findings {
		if owners {
			fmt.Fprintf(tw, "%s\t", orDash(f.OwnerEmail))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Key.DisplayID, f.Key.Name, f.Kind, f.Detail, f.Action)
	}
	tw.Flush()
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// auditRules are the options with their defaults applied.
type auditRules struct {
	now            time.Time
	expiringWithin time.Duration
	unusedFor      time.Duration
}

// newAuditRules applies the defaults; the clock is read with c.Now unless
// opts.Now is set. Audit calls it once the server has answered, so that
// the default clock is the server's.
func newAuditRules(c *client.Client, opts AuditOptions) auditRules {
	r := auditRules{expiringWithin: opts.ExpiringWithin, unusedFor: opts.UnusedFor}
	if opts.Now != nil {
		r.now = opts.Now()
	} else {
		r.now = c.Now()
	}
	if r.expiringWithin <= 0 {
		r.expiringWithin = DefaultExpiringWithin
	}
	if r.unusedFor <= 0 {
		r.unusedFor = DefaultUnusedFor
	}
	return r
}

// Audit checks the caller's active keys against the key policy.
//
// API: GET /api/v2/userinfo/
//
// API: GET /api/v2/users/api_keys
//
// It reports legacy keys without expiry, keys made to live longer than
// MaxLifetime, keys expiring within AuditOptions.ExpiringWithin, and keys
// never used or not used within AuditOptions.UnusedFor. Each finding
// carries a suggested action and the caller's email. A caller that is a
// service account (its email has the form
// <name>@org-<organization id>.serviceaccount.com) is exempt from the
// 30-day rule, which is for user keys. It asks who the caller is, then
// lists the keys: one request, then one per 50 keys.
func (s *Service) Audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Audit"); err != nil {
		return nil, err
	}
	if _, _, err := s.check(opts.List); err != nil {
		return nil, err
	}
	me, err := s.c.WhoAmI(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: audit: %w", err)
	}
	rules := newAuditRules(s.c, opts) // after the first answer: the server's clock
	self := owner{userID: me.ID, email: me.Email, serviceAccount: email.IsServiceAccount(me.Email)}
	report := &AuditReport{At: rules.now, Findings: []Finding{}}
	for k, err := range s.all(ctx, opts.List) {
		if err != nil {
			return nil, fmt.Errorf("keys: audit: %w", err)
		}
		k.OwnerID = self.userID
		report.add(k, self, rules)
	}
	return report, nil
}

// add audits one key of owner o.
func (r *AuditReport) add(k Key, o owner, rules auditRules) {
	if k.Status(r.At) != Active {
		return
	}
	r.Checked++
	for _, f := range check(k, rules, o.serviceAccount) {
		f.OwnerEmail, f.ServiceAccount = o.email, o.serviceAccount
		r.Findings = append(r.Findings, f)
	}
}

func check(k Key, rules auditRules, serviceAccount bool) []Finding {
	var out []Finding
	now := rules.now
	if k.Legacy() {
		out = append(out, Finding{
			Key:    k,
			Kind:   FindingLegacy,
			Detail: "never expires",
			Action: "revoke it; move its callers to a key that expires within 30 days",
		})
	} else {
		// Service account keys are exempt from the 30-day rule, which is
		// for user keys: the API makes them long-lived.
		if lifetime := k.Lifetime(); lifetime > MaxLifetime && !serviceAccount {
			out = append(out, Finding{
				Key:    k,
				Kind:   FindingOverLifetime,
				Detail: fmt.Sprintf("made to live %s, over the 30-day policy", days(lifetime)),
				Action: "replace it with a key of at most 30 days, then revoke it",
			})
		}
		if left := k.ExpiresAt.Sub(now); left <= rules.expiringWithin {
			out = append(out, Finding{
				Key:    k,
				Kind:   FindingExpiringSoon,
				Detail: fmt.Sprintf("expires in %s (%s)", days(left), k.ExpiresAt.UTC().Format(time.DateTime)),
				Action: "create a replacement key and move its callers before it expires",
			})
		}
	}
	switch {
	case k.LastUsedAt == nil:
		out = append(out, Finding{
			Key:    k,
			Kind:   FindingUnused,
			Detail: fmt.Sprintf("never used since it was created %s ago", days(now.Sub(k.CreatedAt))),
			Action: "revoke it unless something is about to use it",
		})
	case now.Sub(*k.LastUsedAt) >= rules.unusedFor:
		out = append(out, Finding{
			Key:    k,
			Kind:   FindingUnused,
			Detail: fmt.Sprintf("last used %s ago (%s)", days(now.Sub(*k.LastUsedAt)), k.LastUsedAt.UTC().Format(time.DateTime)),
			Action: "revoke it if nothing uses it any more",
		})
	}
	return out
}

// days renders a duration in days and hours, as "29d 23h".
func days(d time.Duration) string {
	d = d.Round(time.Hour)
	if d < 24*time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// errOrgPageToken refuses a page token on an organization audit that
// walks every member: it cannot apply to all of their lists.
var errOrgPageToken = fmt.Errorf("keys: %w: an organization audit's page token applies to one owner's keys: give an owner filter with it, or no page token", client.ErrInvalid)
