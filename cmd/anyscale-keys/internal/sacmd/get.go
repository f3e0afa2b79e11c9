package sacmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// GetOptions are `sa get`'s flags and dependencies.
type GetOptions struct {
	F *cmdutil.Factory
	// Ref is the service account --name or --email names.
	Ref serviceaccounts.Ref
}

// NewCmdGet returns `sa get`; runF, when set, runs instead of getRun.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{F: f}
	var rf refFlags
	cmd := &cobra.Command{
		Use:   "get (--name NAME | --email EMAIL)",
		Short: "Show one service account",
		Long: `Show the service account named by --name or by --email (give one of the two).

A name matches exactly; an email matches as the server stores emails, with only
the letters A-Z matched without regard to case. None is exit code 5. The table
shows NAME, EMAIL, ROLE, ID and CREATED; -o json gives one object with id,
user_id, name, email, permission_level and created_at.`,
		Example: `  anyscale-keys sa get --name ci-deploy
  anyscale-keys sa get --email ci-deploy@org-abc.serviceaccount.com -o json | jq -r .user_id`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if opts.Ref, err = rf.ref(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd)
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	found, err := serviceaccounts.New(c).Get(ctx, opts.Ref)
	if err != nil {
		return err
	}
	sa := cmdutil.ServiceAccountOf(*found)
	if opts.F.JSON() {
		return cmdutil.WriteJSON(opts.F.IO.Out, sa)
	}
	t := cmdutil.NewTable(opts.F.IO.Out, "NAME", "EMAIL", "ROLE", "ID", "CREATED")
	t.Row(sa.Name, sa.Email, sa.PermissionLevel, sa.IdentityID, cmdutil.Date(&sa.CreatedAt))
	return t.Flush()
}
