package authcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// WhoAmIOptions are `whoami`'s flags and dependencies.
type WhoAmIOptions struct {
	F *cmdutil.Factory
}

// NewCmdWhoAmI returns `whoami`; runF, when set, runs instead of whoAmIRun
// (tests check the parsing alone).
func NewCmdWhoAmI(f *cmdutil.Factory, runF func(context.Context, *WhoAmIOptions) error) *cobra.Command {
	opts := &WhoAmIOptions{F: f}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show who the token belongs to",
		Long:  "Show the user or service account the token belongs to, and its organization and role.",
		Example: `  anyscale-keys whoami
  anyscale-keys whoami -o json | jq -r .email`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return whoAmIRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func whoAmIRun(ctx context.Context, opts *WhoAmIOptions) error {
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	me, err := c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	return printUser(opts.F, me)
}

func printUser(f *cmdutil.Factory, me *client.UserInfo) error {
	u := cmdutil.UserOf(me)
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, u)
	}
	t := cmdutil.NewTable(f.IO, "EMAIL", cmdutil.Keep("ID"), cmdutil.Keep("ROLE"), "ORGANIZATION")
	t.Row(u.Email, u.ID, u.PermissionLevel, u.OrganizationName)
	return t.Flush()
}
