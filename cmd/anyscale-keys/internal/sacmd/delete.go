package sacmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// DeleteOptions are `sa delete`'s flags and dependencies.
type DeleteOptions struct {
	F *cmdutil.Factory
	// Ref is the service account --name or --email names.
	Ref serviceaccounts.Ref
	// Yes is --yes: go on without asking.
	Yes bool
}

// NewCmdDelete returns `sa delete`; runF, when set, runs instead of
// deleteRun.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{F: f}
	var rf refFlags
	cmd := &cobra.Command{
		Use:   "delete ACCOUNT [--yes]",
		Short: "Delete a service account and all its keys",
		Long: `Delete the service account ACCOUNT (its name, or its email), and with it all its keys
(organization owners only): every job using one of them stops working. On a
terminal the command asks first; elsewhere it needs --yes.`,
		Example: `  anyscale-keys sa delete old-deployer
  anyscale-keys sa delete old-deployer@org-abc.serviceaccount.com --yes`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Ref, err = rf.ref(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd, f)
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	what := describe(opts.Ref)
	c, err := opts.F.AuthedClient(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.F.IO, opts.Yes, fmt.Sprintf(
		"deletes %s and all its keys: a job using one of them stops working", what)); err != nil {
		return err
	}
	if err := serviceaccounts.New(c).Delete(ctx, opts.Ref); err != nil {
		return err
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "Deleted %s and all its keys.\n", what)
	return nil
}
