package memberscmd

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/organization"
)

// RemoveOptions are `members remove`'s flags and dependencies.
type RemoveOptions struct {
	F *cmdutil.Factory
	// Email is the member to remove.
	Email string
	// Yes is --yes: go on without asking.
	Yes bool
}

// NewCmdRemove returns `members remove`; runF, when set, runs instead of
// removeRun.
func NewCmdRemove(f *cmdutil.Factory, runF func(context.Context, *RemoveOptions) error) *cobra.Command {
	opts := &RemoveOptions{F: f}
	cmd := &cobra.Command{
		Use:   "remove EMAIL [--yes]",
		Short: "Remove a member from the organization and revoke all its keys",
		Long: `Remove the member whose email is EMAIL, a user or a service account, from the
organization, which revokes all of that member's keys (organization owners
only). Nobody can remove themselves: another owner has to. The email matches as
the server stores emails, with only the letters A-Z matched without regard to
case; no member with it is exit code 5.

On a terminal the command asks first; elsewhere it needs --yes.`,
		Example: `  anyscale-keys members remove ada@example.com
  anyscale-keys members remove ada@example.com --yes`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return cmdutil.UsageError(fmt.Errorf("give the member's email: anyscale-keys members remove EMAIL"))
			case len(args) > 1:
				return cmdutil.UsageError(fmt.Errorf("anyscale-keys members remove takes one email, %d given", len(args)))
			case strings.TrimSpace(args[0]) == "":
				return cmdutil.UsageError(fmt.Errorf("the email is empty: anyscale-keys members remove EMAIL"))
			}
			return nil
		},
		ValidArgsFunction: completeEmails(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Email = strings.TrimSpace(args[0])
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func removeRun(ctx context.Context, opts *RemoveOptions) error {
	c, err := opts.F.AuthedClient(ctx)
	if err != nil {
		return err
	}
	// Nobody may remove themselves: say so before asking anything.
	me, err := c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	if email.Normalize(me.Email) == email.Normalize(opts.Email) {
		return &cmdutil.ExitError{Code: cmdutil.ExitForbidden, Err: fmt.Errorf(
			"%s is you: nobody can remove themselves from the organization, another owner has to; nothing was changed", opts.Email)}
	}
	if err := cmdutil.Confirm(opts.F.IO, opts.Yes, fmt.Sprintf(
		"removes %s from the organization and revokes all of that member's keys", opts.Email)); err != nil {
		return err
	}
	if err := organization.New(c).Remove(ctx, opts.Email); err != nil {
		return err
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "Removed %s from the organization and revoked all of its keys.\n", opts.Email)
	return nil
}

// completeEmails completes a member's email from the API, with the
// member's name (or "service account") as the description.
func completeEmails(f *cmdutil.Factory) cobra.CompletionFunc {
	return cmdutil.FirstArgOnly(cmdutil.CompleteFromAPI(f, members, func(m organization.Member) (string, string) {
		if m.ServiceAccount {
			return m.Email, "service account " + m.Name
		}
		return m.Email, m.Name
	}))
}

// members lists every member of the organization.
func members(ctx context.Context, c *client.Client) iter.Seq2[organization.Member, error] {
	return organization.New(c).All(ctx, organization.ListOptions{})
}
