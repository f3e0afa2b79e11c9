// Package sacmd is `anyscale-keys sa`: service accounts and their keys.
package sacmd

import (
	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// NewCmdSA returns `sa` and its subcommands.
func NewCmdSA(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sa <command>",
		Short: "Manage service accounts and their keys (organization owners)",
	}
	return cmd
}
