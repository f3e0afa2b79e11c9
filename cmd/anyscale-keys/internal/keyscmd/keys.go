// Package keyscmd is `anyscale-keys keys`: create, list, revoke, rotate
// and audit API keys.
package keyscmd

import (
	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// NewCmdKeys returns `keys` and its subcommands.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Create, list, revoke, rotate and audit API keys",
	}
	return cmd
}
