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
	"github.com/anyscale-go/anyscale/organization"
)

// RevokeOptions are `keys revoke`'s flags and dependencies.
type RevokeOptions struct {
	F *cmdutil.Factory
	// Refs are the key references given as arguments; empty with
	// FromStdin.
	Refs []string
	// FromStdin: the only argument was "-", so the key ids are standard
	// input's lines.
	FromStdin bool
	// Org is --org: any key of the organization.
	Org bool
	// Yes is --yes: no confirmation.
	Yes bool
	// IgnoreNotFound is --ignore-not-found: a key that is not found is no
	// failure.
	IgnoreNotFound bool
}

// NewCmdRevoke returns `keys revoke`; runF, when set, runs instead of
// revokeRun.
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "revoke {KEY... | -}",
		Short: "Revoke API keys",
		Long: `Revoke the keys named by the arguments. Each KEY is a key's id (the ID column
of "keys list", or .id in its JSON), a unique prefix of it (8 characters or
more), its display id, or its name; it names one active key, or the command
stops before anything is revoked: a KEY that matches several keys is exit code
8 and lists them, a KEY that matches none is exit code 5 (with
--ignore-not-found it is skipped, and the command goes on). When the only
argument is "-", standard input gives exact key ids, one a line, as scripts
take them from -o json; they are not looked up first. Anything that uses a
revoked key loses access at once; this cannot be undone.

Without --org only your own keys are revoked; with --org (organization owners)
any key of the organization.

On a terminal it lists the keys it will revoke (name, id and owner) and asks;
elsewhere it needs --yes (as with "-"). Many keys are revoked in bulk, with a
progress bar on a terminal. Every key ends in exactly one result: revoked; not
found (no active key of that id that you may see: unknown, already revoked or
expired, or another member's without --org); or failed, with the error: the
key may still be active. The table shows ID, NAME, RESULT and ERROR; -o json
gives {"revoked": [...], "not_found": [...], "failed": [{"id": ..., "error":
...}]}, with full ids.

Exit status 6 when some key failed and may still be active; 5 when some key
was not found (0 with --ignore-not-found); 130 when interrupted, after printing
what was already done.`,
		Example: `  anyscale-keys keys revoke ci-deploy
  anyscale-keys keys revoke 3f9a1c2b key_8f2a91c0 --yes

  # Every key of one member, as an organization owner
  anyscale-keys keys list --org --owner ada@example.com -o json | jq -r '.[].id' |
    anyscale-keys keys revoke - --org --yes

  # A sweep that may find some keys gone already
  anyscale-keys keys revoke - --yes --ignore-not-found < stale-ids.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return cmdutil.UsageError(errors.New(`keys revoke needs the keys to revoke (an id, id prefix, display id or name), or "-" to read ids from standard input`))
			case len(args) > 1 && slices.Contains(args, "-"):
				return cmdutil.UsageError(errors.New(`"-" reads the ids from standard input: give it alone, without other keys`))
			}
			return nil
		},
		ValidArgsFunction: completeKeys(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs, opts.FromStdin = nil, args[0] == "-" && len(args) == 1
			if !opts.FromStdin {
				opts.Refs = args
				if err := checkRefs(args); err != nil {
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
	cmd.Flags().BoolVar(&opts.IgnoreNotFound, "ignore-not-found", false, "a key that is not found is no failure (exit 0)")
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

// checkRefs refuses what cannot name a key, before anyone is asked
// anything.
func checkRefs(refs []string) error {
	for _, ref := range refs {
		if ref == "" || ref == "." || ref == ".." || strings.TrimSpace(ref) != ref {
			return cmdutil.UsageError(fmt.Errorf("%q names no key: give a key's id, id prefix, display id or name (see `anyscale-keys keys list`)", ref))
		}
	}
	return nil
}

func revokeRun(ctx context.Context, opts *RevokeOptions) error {
	f := opts.F
	var ids []string
	if opts.FromStdin {
		lines, err := f.IO.Lines()
		if err != nil {
			return fmt.Errorf("reading key ids from standard input: %w", err)
		}
		if len(lines) == 0 {
			return cmdutil.UsageError(errors.New("no key ids on standard input: give one a line"))
		}
		if err := checkRefs(lines); err != nil {
			return err
		}
		ids = dedupe(lines)
	}
	c, err := f.AuthedClient(ctx)
	if err != nil {
		return err
	}
	ks := keys.New(c)
	named := map[string]keys.Key{}
	if !opts.FromStdin {
		found, notFound, err := resolveRefs(ctx, resolver(ks, opts.Org), opts.Refs)
		if err != nil {
			return err
		}
		if len(notFound) > 0 {
			nf := &notFoundRefs{refs: notFound, org: opts.Org}
			if !opts.IgnoreNotFound {
				return nf
			}
			fmt.Fprintf(f.IO.ErrOut, "Skipped (--ignore-not-found): %s.\n", nf.what())
		}
		if len(found) == 0 {
			fmt.Fprintln(f.IO.ErrOut, "Nothing to revoke.")
			return nil
		}
		for _, k := range found {
			ids = append(ids, k.ID)
			named[k.ID] = k
		}
	}
	if err := confirmRevoke(ctx, opts, ks, c, ids, named); err != nil {
		return err
	}

	revokeMany := ks.RevokeMany
	if opts.Org {
		revokeMany = ks.Org().RevokeMany
	}
	bar := f.IO.Progress("Revoking " + plural(len(ids), "key", "keys"))
	res, err := revokeMany(ctx, ids, keys.RevokeOptions{Progress: bar.Set})
	bar.Done()

	if perr := printRevokeResult(f, res, ids, named); perr != nil && err == nil {
		return perr
	}
	summary := fmt.Sprintf("%d revoked, %d not found (nothing active to revoke), %d failed (may still be active).",
		len(res.Revoked), len(res.NotFound), len(res.Failed))
	switch {
	case err != nil && ctx.Err() != nil:
		var noAnswer *cmdutil.NoAnswerError
		if errors.As(context.Cause(ctx), &noAnswer) {
			return &cmdutil.NoAnswerError{Host: noAnswer.Host, Origin: noAnswer.Origin, Timeout: noAnswer.Timeout, Err: err,
				Done: summary + " The failed ones were not attempted or not confirmed: run the command again with their ids."}
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: fmt.Errorf(
			"interrupted: %s The failed ones were not attempted or not confirmed: run the command again with their ids: %w", summary, ctx.Err())}
	case err != nil:
		return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: partialError(summary, res, ids, err)}
	case len(res.NotFound) > 0 && !opts.IgnoreNotFound:
		return &cmdutil.ExitError{Code: cmdutil.ExitNotFound, Err: fmt.Errorf(
			"%s A key not found was not active, or not yours to see (--org reaches every member's); --ignore-not-found makes that no failure", summary)}
	}
	fmt.Fprintln(f.IO.ErrOut, summary)
	return nil
}

// confirmRevoke asks before the keys are revoked, listing each one it
// knows (name, short id, owner) and the count.
func confirmRevoke(ctx context.Context, opts *RevokeOptions, ks *keys.Service, c *client.Client, ids []string, named map[string]keys.Key) error {
	f := opts.F
	what := plural(len(ids), "key", "keys")
	whose := "of yours"
	if opts.Org {
		whose = "in the organization"
	}
	loss := fmt.Sprintf("revokes %s %s", what, whose)
	them := "them"
	if len(ids) == 1 {
		them = "it"
	}
	after := fmt.Sprintf("Anything that uses %s loses access, and this cannot be undone.", them)
	if opts.Yes || !f.IO.CanPrompt() {
		return cmdutil.ConfirmList(f.IO, opts.Yes, loss, nil, after)
	}
	ownerOf := map[string]organization.Member{}
	if opts.Org && len(named) > 0 {
		want := map[string]bool{}
		for _, id := range ids {
			if len(want) < 10 {
				want[id] = true
			}
		}
		found, err := owners(ctx, ks, c, want, nil)
		if err != nil {
			return err
		}
		ownerOf = found
	}
	rows := make([][]string, 0, len(ids))
	for _, id := range ids {
		k, ok := named[id]
		if !ok {
			rows = append(rows, []string{id})
			continue
		}
		owner := "yours"
		if opts.Org {
			owner = "(owner not known)"
			if m, ok := ownerOf[id]; ok {
				owner = ownerLabel(m)
			}
		}
		rows = append(rows, []string{cmdutil.ShortID(k.ID), k.Name, owner})
	}
	return cmdutil.ConfirmList(f.IO, false, loss, cmdutil.Aligned(rows), after)
}

// printRevokeResult writes the three-way result: every id once, in the
// order given.
func printRevokeResult(f *cmdutil.Factory, res *keys.RevokeResult, ids []string, named map[string]keys.Key) error {
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
	t := cmdutil.NewTable(f.IO, cmdutil.Keep("ID"), "NAME", cmdutil.Keep("RESULT"), "ERROR")
	short := func(id string) string { return id }
	if t.TTY() {
		short = cmdutil.ShortIDs(ids)
	}
	for _, id := range ids {
		if err, ok := res.Failed[id]; ok {
			t.Row(short(id), named[id].Name, "failed", client.Facts(err))
			continue
		}
		t.Row(short(id), named[id].Name, result[id], "")
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
