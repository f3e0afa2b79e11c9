package keyscmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// RevokeOptions are `keys revoke`'s flags and dependencies.
type RevokeOptions struct {
	F *cmdutil.Factory
	// IDs are the ids given as arguments; empty with FromStdin.
	IDs []string
	// FromStdin: the only argument was "-", so the ids are standard
	// input's lines.
	FromStdin bool
	// Org is --org: any key of the organization.
	Org bool
	// Yes is --yes: no confirmation.
	Yes bool
}

// NewCmdRevoke returns `keys revoke`; runF, when set, runs instead of
// revokeRun.
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "revoke {ID... | -}",
		Short: "Revoke API keys by id",
		Long: `Revoke the keys with the ids given (the ID column of "keys list", or .id in its
JSON), or, when the only argument is "-", with the ids on standard input, one a
line. Anything that uses a revoked key loses access at once; this cannot be undone.

Without --org only your own keys are revoked; with --org (organization owners)
any key of the organization.

It asks for confirmation on a terminal, and needs --yes when standard input is
not one (as with "-"). Many ids are revoked in bulk, with a progress bar on a
terminal. Every id ends in exactly one result: revoked; not found (no active key
of that id that you may see: unknown, already revoked or expired, or another
member's without --org), which leaves nothing active; or failed, with the error:
the key may still be active. The table shows ID, RESULT and ERROR; -o json gives
{"revoked": [...], "not_found": [...], "failed": [{"id": ..., "error": ...}]}.

Exit status 6 when some key failed and may still be active; 130 when
interrupted, after printing what was already done.`,
		Example: `  anyscale-keys keys revoke "$KEY_ID"
  anyscale-keys keys revoke "$OLD_KEY_ID" "$OTHER_KEY_ID" --yes

  # Every key of one member, as an organization owner
  anyscale-keys keys list --org --owner ada@example.com -o json | jq -r '.[].id' |
    anyscale-keys keys revoke - --org --yes

  # Every key of yours an audit finds that never expires
  anyscale-keys keys audit -o json | jq -r '.findings[] | select(.kind == "legacy-no-expiry") | .key.id' |
    anyscale-keys keys revoke - --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return cmdutil.UsageError(errors.New(`keys revoke needs the ids of the keys to revoke, or "-" to read them from standard input`))
			case len(args) > 1 && slices.Contains(args, "-"):
				return cmdutil.UsageError(errors.New(`"-" reads the ids from standard input: give it alone, without ids`))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs, opts.FromStdin = nil, args[0] == "-" && len(args) == 1
			if !opts.FromStdin {
				opts.IDs = args
				if err := checkIDs(args); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Org, "org", false, "revoke any key of the organization (organization owners)")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	return cmd
}

// checkIDs refuses what cannot be a key id, as RevokeMany does, before
// anyone is asked anything.
func checkIDs(ids []string) error {
	for _, id := range ids {
		if id == "" || id == "." || id == ".." || strings.TrimSpace(id) != id {
			return cmdutil.UsageError(fmt.Errorf("%q is not a key id: take the ids from the ID column of `anyscale-keys keys list`", id))
		}
	}
	return nil
}

func revokeRun(ctx context.Context, opts *RevokeOptions) error {
	f := opts.F
	ids := opts.IDs
	if opts.FromStdin {
		var err error
		if ids, err = f.IO.Lines(); err != nil {
			return fmt.Errorf("reading key ids from standard input: %w", err)
		}
		if len(ids) == 0 {
			return cmdutil.UsageError(errors.New("no key ids on standard input: give one a line"))
		}
		if err := checkIDs(ids); err != nil {
			return err
		}
	}
	ids = dedupe(ids)
	c, err := f.AuthedClient(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(f.IO, opts.Yes, revokeLoss(ids, opts.Org)); err != nil {
		return err
	}

	ks := keys.New(c)
	revokeMany := ks.RevokeMany
	if opts.Org {
		revokeMany = ks.Org().RevokeMany
	}
	bar := f.IO.Progress("Revoking " + plural(len(ids), "key", "keys"))
	res, err := revokeMany(ctx, ids, keys.RevokeOptions{Progress: bar.Set})
	bar.Done()

	if perr := printRevokeResult(f, res, ids); perr != nil && err == nil {
		return perr
	}
	summary := fmt.Sprintf("%d revoked, %d not found (nothing active to revoke), %d failed (may still be active).",
		len(res.Revoked), len(res.NotFound), len(res.Failed))
	switch {
	case err != nil && ctx.Err() != nil:
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: fmt.Errorf(
			"interrupted: %s The failed ones were not attempted or not confirmed: run the command again with their ids: %w", summary, ctx.Err())}
	case err != nil:
		return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: partialError(summary, res, ids, err)}
	}
	fmt.Fprintln(f.IO.ErrOut, summary)
	return nil
}

// revokeLoss names what a revoke loses, for the confirmation.
func revokeLoss(ids []string, org bool) string {
	shown := ids
	more := ""
	if len(ids) > 3 {
		shown, more = ids[:3], fmt.Sprintf(" and %d more", len(ids)-3)
	}
	what, them := fmt.Sprintf("%d keys", len(ids)), "them"
	if len(ids) == 1 {
		what, them = "key", "it"
	}
	whose := "of yours"
	if org {
		whose = "in the organization, whoever owns " + them
	}
	return fmt.Sprintf("revokes %s %s (%s%s): anything that uses %s loses access, and this cannot be undone",
		what, whose, strings.Join(shown, ", "), more, them)
}

// printRevokeResult writes the three-way result: every id once, in the
// order given.
func printRevokeResult(f *cmdutil.Factory, res *keys.RevokeResult, ids []string) error {
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, cmdutil.RevokeResultOf(res, ids))
	}
	result := make(map[string]string, len(ids))
	for _, id := range res.Revoked {
		result[id] = "revoked"
	}
	for _, id := range res.NotFound {
		result[id] = "not found"
	}
	t := cmdutil.NewTable(f.IO.Out, "ID", "RESULT", "ERROR")
	for _, id := range ids {
		if err, ok := res.Failed[id]; ok {
			t.Row(id, "failed", client.Facts(err))
			continue
		}
		t.Row(id, result[id], "")
	}
	return t.Flush()
}

// partialError is RevokeMany's error, said briefly: the table (or the
// JSON) lists every failure, so the message gives the count and the first
// one. Unwrap gives the SDK's error whole.
func partialError(summary string, res *keys.RevokeResult, ids []string, err error) error {
	first := ""
	for _, id := range ids {
		if e, ok := res.Failed[id]; ok {
			first = client.Facts(e)
			break
		}
	}
	msg := fmt.Sprintf("%s Run the command again with the failed ids once the cause is fixed. The first failure: %s", summary, first)
	return &wrapped{msg: msg, err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// dedupe returns ids without repeats, in first-seen order, as RevokeMany
// counts them.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
