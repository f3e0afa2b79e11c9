// Package memberscmd is `anyscale-keys members`: the organization's
// members.
//
//	anyscale-keys members list
//	anyscale-keys members list --kind users -o json
//	anyscale-keys members remove ada@example.com --yes
package memberscmd

import (
	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// NewCmdMembers returns `members` and its subcommands.
func NewCmdMembers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "members <command>",
		Short: "List the organization's members, or remove one (owners)",
		Long: `List the organization's members, users and service accounts, or remove one.

Any member may list them; only organization owners may remove one, and nobody
may remove themselves (exit code 4). Removing a member revokes all of that
member's keys; on a terminal the command asks first, elsewhere it needs --yes.`,
		Example: `  anyscale-keys members list --kind users
  anyscale-keys members remove ada@example.com --yes`,
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdRemove(f, nil))
	return cmd
}
