package keys

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/anyscale-go/anyscale/organization"
)

// DefaultExpiringWithin is the window Audit uses when
// AuditOptions.ExpiringWithin is zero.
const DefaultExpiringWithin = 7 * 24 * time.Hour

// AuditOptions configures Audit.
type AuditOptions struct {
	// ExpiringWithin reports active keys that expire within this window
	// (default DefaultExpiringWithin).
	ExpiringWithin time.Duration
	// Now is the audit's clock (default time.Now).
	Now func() time.Time
	// List selects the keys to audit (default: all in the scope).
	List ListOptions
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
)

// Finding is one key that needs attention, and what to do about it.
type Finding struct {
	Key    Key
	Kind   FindingKind
	Detail string
	Action string
}

// AuditReport is the outcome of Audit.
type AuditReport struct {
	// At is the audit's clock reading.
	At time.Time
	// Checked counts the active keys audited.
	Checked  int
	Findings []Finding
}

// String renders the report as a table, one finding a line.
func (r *AuditReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d active keys checked, %d findings\n", r.Checked, len(r.Findings))
	if len(r.Findings) == 0 {
		return b.String()
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tNAME\tFINDING\tDETAIL\tACTION")
	for _, f := range r.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Key.DisplayID, f.Key.Name, f.Kind, f.Detail, f.Action)
	}
	tw.Flush()
	return b.String()
}

// Audit checks the active keys of the scope against the key policy: legacy
// keys without expiry, keys made to live longer than MaxLifetime, and keys
// expiring within AuditOptions.ExpiringWithin. Each finding carries a
// suggested action. On the org scope, service-account keys are exempt from
// the 30-day rule, as the API makes them long-lived.
func (s *Service) Audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	window := opts.ExpiringWithin
	if window <= 0 {
		window = DefaultExpiringWithin
	}
	exempt, err := s.serviceAccountKeys(ctx)
	if err != nil {
		return nil, err
	}
	report := &AuditReport{At: now(), Findings: []Finding{}}
	for k, err := range s.All(ctx, opts.List) {
		if err != nil {
			return nil, fmt.Errorf("keys: audit: %w", err)
		}
		if k.Status(report.At) != Active {
			continue
		}
		report.Checked++
		report.Findings = append(report.Findings, check(k, report.At, window, exempt[k.ID])...)
	}
	return report, nil
}

// serviceAccountKeys returns the ids of the service accounts' keys, on the
// org scope: the 30-day rule is for user keys.
func (s *Service) serviceAccountKeys(ctx context.Context) (map[string]bool, error) {
	ids := map[string]bool{}
	if !s.org {
		return ids, nil
	}
	for m, err := range organization.New(s.c).All(ctx, organization.ListOptions{Kind: organization.ServiceAccounts}) {
		if err != nil {
			return nil, fmt.Errorf("keys: audit: listing service accounts: %w", err)
		}
		if !m.ServiceAccount || m.UserID == "" {
			continue
		}
		for k, err := range s.All(ctx, ListOptions{OwnerID: m.UserID}) {
			if err != nil {
				return nil, fmt.Errorf("keys: audit: listing the keys of service account %s: %w", m.Email, err)
			}
			ids[k.ID] = true
		}
	}
	return ids, nil
}

func check(k Key, now time.Time, window time.Duration, serviceAccount bool) []Finding {
	var out []Finding
	if k.Legacy() {
		return append(out, Finding{
			Key:    k,
			Kind:   FindingLegacy,
			Detail: "never expires",
			Action: "revoke it; move its callers to a key that expires within 30 days",
		})
	}
	if lifetime := k.Lifetime(); lifetime > MaxLifetime && !serviceAccount {
		out = append(out, Finding{
			Key:    k,
			Kind:   FindingOverLifetime,
			Detail: fmt.Sprintf("made to live %s, over the 30-day policy", days(lifetime)),
			Action: "replace it with a key of at most 30 days, then revoke it",
		})
	}
	if left := k.ExpiresAt.Sub(now); left <= window {
		out = append(out, Finding{
			Key:    k,
			Kind:   FindingExpiringSoon,
			Detail: fmt.Sprintf("expires in %s (%s)", days(left), k.ExpiresAt.UTC().Format(time.DateTime)),
			Action: "create a replacement key and move its callers before it expires",
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
