// Package memberscmd is `anyscale-keys members`: the organization's
// members.
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
	}
	return cmd
}
