package cmdutil

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NoArgs refuses positional arguments, naming the first, as a usage
// error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageError(fmt.Errorf("%s takes no arguments, got %q: its flags are in %q", cmd.CommandPath(), args[0], cmd.CommandPath()+" --help"))
	}
	return nil
}
