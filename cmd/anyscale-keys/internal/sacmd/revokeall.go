package sacmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// RevokeAllOptions are `sa revoke-all`'s flags and dependencies.
type RevokeAllOptions struct {
	F *cmdutil.Factory
	// Ref is the service account --name or --email names.
	Ref serviceaccounts.Ref
	// Yes is --yes: go on without asking.
	Yes bool
}

// NewCmdRevokeAll returns `sa revoke-all`; runF, when set, runs instead of
// revokeAllRun.
func NewCmdRevokeAll(f *cmdutil.Factory, runF func(context.Context, *RevokeAllOptions) error) *cobra.Command {
	opts := &RevokeAllOptions{F: f}
	var rf refFlags
	cmd := &cobra.Command{
		Use:   "revoke-all ACCOUNT [--yes]",
		Short: "Revoke every key of a service account",
		Long: `Revoke every key of the service account ACCOUNT (its name, or its email), and make no
new one (organization owners only): every job using one of its keys stops
working. The account stays; "sa key" gives it a key again. On a terminal the
command asks first; elsewhere it needs --yes.`,
		Example: `  # A key of ci-deploy leaked: cut it off now, hand out a new one later.
  anyscale-keys sa revoke-all ci-deploy --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Ref, err = rf.ref(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeAllRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd, f)
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func revokeAllRun(ctx context.Context, opts *RevokeAllOptions) error {
	what := describe(opts.Ref)
	c, err := opts.F.AuthedClient(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.F.IO, opts.Yes, fmt.Sprintf(
		"revokes every key of %s and makes no new one: a job using one of them stops working", what)); err != nil {
		return err
	}
	if err := serviceaccounts.New(c).RevokeAllKeys(ctx, opts.Ref); err != nil {
		return err
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "Revoked every key of %s. It has none now: \"anyscale-keys sa key %s\" makes one.\n", what, flagOf(opts.Ref))
	return nil
}
