package sacmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// ListOptions are `sa list`'s flags and dependencies.
type ListOptions struct {
	F *cmdutil.Factory
	// Name and Email are --name and --email: filters the server matches,
	// possibly in part.
	Name, Email string
}

// NewCmdList returns `sa list`; runF, when set, runs instead of listRun.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the organization's service accounts",
		Long: `List the organization's service accounts, every page of them, oldest first.

--name and --email keep the accounts whose name or email contains the text, as
the server matches it. The table shows NAME, EMAIL, ROLE and CREATED; -o json
gives an array of objects with id, user_id, name, email, permission_level and
created_at.`,
		Example: `  anyscale-keys sa list
  anyscale-keys sa list --name ci-
  anyscale-keys sa list -o json | jq -r '.[].email'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "only accounts whose name contains `TEXT`")
	cmd.Flags().StringVar(&opts.Email, "email", "", "only accounts whose email contains `TEXT`")
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	accounts := []cmdutil.ServiceAccount{}
	for sa, err := range serviceaccounts.New(c).All(ctx, serviceaccounts.ListOptions{Name: opts.Name, Email: opts.Email}) {
		if err != nil {
			return err
		}
		accounts = append(accounts, cmdutil.ServiceAccountOf(sa))
	}
	if opts.F.JSON() {
		return cmdutil.WriteJSON(opts.F.IO.Out, accounts)
	}
	t := cmdutil.NewTable(opts.F.IO, "NAME", "EMAIL", cmdutil.Keep("ROLE"), cmdutil.Keep("CREATED"))
	now := c.Now()
	for _, sa := range accounts {
		t.Row(sa.Name, sa.Email, sa.PermissionLevel, t.TimeCell(&sa.CreatedAt, now, ""))
	}
	return t.Flush()
}
