package sacmd

import (
	"context"
	"fmt"

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
		Use:   "get ACCOUNT",
		Short: "Show one service account",
		Long: `Show the service account ACCOUNT: its name, or its email (an argument with "@").

A name matches exactly; an email matches as the server stores emails, with only
the letters A-Z matched without regard to case. None is exit code 5. On a
terminal it shows NAME, EMAIL, ROLE, ID, USER ID and CREATED, one a line; in a
pipe, one tab-separated line of NAME, EMAIL, ROLE, ID and CREATED; -o json gives
one object with id (the identity id, ide_..., as in "members list"), user_id
(usr_..., the user id "whoami" shows and keys name as their owner), name, email,
permission_level and created_at. (--name and --email still work until 0.4.0,
with a notice.)`,
		Example: `  anyscale-keys sa get ci-deploy
  anyscale-keys sa get ci-deploy@org-abc.serviceaccount.com -o json | jq -r .user_id`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Ref, err = rf.ref(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd, f)
	cmdutil.AddTimeoutFlag(cmd, f)
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
	if opts.F.IO.IsStdoutTTY() {
		// One account: a field a line, whole, as gh's "view" commands
		// show one thing.
		now := c.Now()
		for _, line := range cmdutil.Aligned([][]string{
			{"NAME", sa.Name}, {"EMAIL", sa.Email}, {"ROLE", sa.PermissionLevel}, {"ID", sa.IdentityID}, {"USER ID", sa.UserID},
			{"CREATED", cmdutil.Relative(sa.CreatedAt, now) + " (" + cmdutil.Date(&sa.CreatedAt) + ")"},
		}) {
			fmt.Fprintln(opts.F.IO.Out, line)
		}
		return nil
	}
	t := cmdutil.NewTable(opts.F.IO, "NAME", "EMAIL", cmdutil.Keep("ROLE"), cmdutil.Keep("ID"), cmdutil.Keep("CREATED"))
	t.Row(sa.Name, sa.Email, sa.PermissionLevel, sa.IdentityID, t.TimeCell(&sa.CreatedAt, c.Now(), ""))
	return t.Flush()
}
