package authcmd

import (
	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
)

// NewCmdAuth returns `auth` and its subcommands.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "See where the token comes from",
		Long: `See which token anyscale-keys uses, and where it comes from.

The token comes from the first of these sources that has one:
ANYSCALE_CLI_TOKEN, then ~/.anyscale/credentials.json (written by
"anyscale-keys login"), then the token an Anyscale workspace injects.`,
		Example: `  anyscale-keys auth explain
  anyscale-keys auth explain -o json | jq -r '.sources[] | select(.status == "used") | .source'`,
	}
	cmd.AddCommand(NewCmdExplain(f, nil))
	return cmd
}
