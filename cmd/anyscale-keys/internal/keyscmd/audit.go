package keyscmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// AuditOptions are `keys audit`'s flags and dependencies.
type AuditOptions struct {
	F *cmdutil.Factory
	// Org is --org: every key of the organization.
	Org bool
	// ExpiringWithin is --expiring-within.
	ExpiringWithin time.Duration
	// UnusedFor is --unused-for.
	UnusedFor time.Duration
	// FailOnFindings is --fail-on-findings: findings make the command
	// fail with cmdutil.ExitFindings.
	FailOnFindings bool
}

// NewCmdAudit returns `keys audit`; runF, when set, runs instead of
// auditRun.
func NewCmdAudit(f *cmdutil.Factory, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{F: f}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check keys against the key policy",
		Long: `Check your active keys, or with --org (organization owners) every active key of
the organization, against the key policy. Each finding says what to do:

  legacy-no-expiry    the key never expires
  over-max-lifetime   a user key made to live longer than 30 days
  expiring-soon       the key expires within --expiring-within (default 7d)
  unused              the key was never used, or not within --unused-for (default 30d)

Service account keys are exempt from the 30-day rule. With --org every finding
names the key's owner, and a progress bar shows on a terminal while each
member's keys are listed.

The table shows the findings (OWNER with --org: a user's email or a service
account's name; ID, NAME, FINDING, DETAIL, ACTION), fitted to a terminal's
width as "keys list" is, whole and tab-separated in a pipe; standard error says
how many keys were checked. With -o json:
{"at": ..., "checked": N, "findings": [{"key": {...}, "kind": ..., "detail": ...,
"action": ..., "owner_email": ..., "service_account": ...}]}.

With --fail-on-findings any finding makes it exit with status 7, for CI.`,
		Example: `  anyscale-keys keys audit
  anyscale-keys keys audit --org --expiring-within 14d --unused-for 60d

  # A CI gate: fail the job when any key of the organization breaks the policy
  anyscale-keys keys audit --org --fail-on-findings

  # Revoke your keys that never expire, once their callers use keys that do
  anyscale-keys keys audit -o json |
    jq -r '.findings[] | select(.kind == "legacy-no-expiry") | .key.id' | anyscale-keys keys revoke - --yes`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return auditRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Org, "org", false, "every key of the organization (organization owners)")
	cmd.Flags().Var(cmdutil.NewDurationValue(&opts.ExpiringWithin, "7d"), "expiring-within", "report active keys that expire within `DURATION`")
	cmd.Flags().Var(cmdutil.NewDurationValue(&opts.UnusedFor, "30d"), "unused-for", "report active keys not used for `DURATION` (keys never used always)")
	cmd.Flags().BoolVar(&opts.FailOnFindings, "fail-on-findings", false, "exit with status 7 when there are findings")
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func auditRun(ctx context.Context, opts *AuditOptions) error {
	f := opts.F
	c, err := f.Client()
	if err != nil {
		return err
	}
	ks := keys.New(c)
	ao := keys.AuditOptions{ExpiringWithin: opts.ExpiringWithin, UnusedFor: opts.UnusedFor}
	var report *keys.AuditReport
	if opts.Org {
		bar := f.IO.Progress("Auditing")
		ao.Progress = bar.Set
		report, err = ks.Org().Audit(ctx, ao)
		bar.Done()
	} else {
		report, err = ks.Audit(ctx, ao)
	}
	if err != nil {
		return err
	}
	if err := printAudit(f, report, opts.Org); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%s checked, %s.\n", plural(report.Checked, "active key", "active keys"), plural(len(report.Findings), "finding", "findings"))
	if opts.FailOnFindings && len(report.Findings) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitFindings,
			Err: fmt.Errorf("the audit found %s (--fail-on-findings)", plural(len(report.Findings), "finding", "findings"))}
	}
	return nil
}

func printAudit(f *cmdutil.Factory, r *keys.AuditReport, org bool) error {
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, cmdutil.AuditOf(r))
	}
	if len(r.Findings) == 0 {
		return nil
	}
	cols := []any{cmdutil.Keep("ID"), "NAME", cmdutil.Keep("FINDING"), "DETAIL", "ACTION"}
	if org {
		cols = append([]any{"OWNER"}, cols...)
	}
	t := cmdutil.NewTable(f.IO, cols...)
	short := func(id string) string { return id }
	if t.TTY() {
		ids := make([]string, len(r.Findings))
		for i, x := range r.Findings {
			ids[i] = x.Key.ID
		}
		short = cmdutil.ShortIDs(ids)
	}
	for _, x := range r.Findings {
		row := []string{short(x.Key.ID), x.Key.Name, string(x.Kind), x.Detail, x.Action}
		if org {
			owner := x.OwnerEmail
			if x.ServiceAccount {
				// A service account's email is NAME@org-….serviceaccount.com:
				// its name is what the other commands take.
				owner, _, _ = strings.Cut(owner, "@")
			}
			row = append([]string{owner}, row...)
		}
		t.Row(row...)
	}
	return t.Flush()
}
