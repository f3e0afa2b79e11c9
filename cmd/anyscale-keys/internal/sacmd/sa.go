// Package sacmd is `anyscale-keys sa`: service accounts and their keys.
//
//	anyscale-keys sa create ci-deploy --expires 90d | gh secret set ANYSCALE_CLI_TOKEN
//	anyscale-keys sa list -o json
//	anyscale-keys sa get ci-deploy
//	anyscale-keys sa rotate ci-deploy --yes > new-key.txt
//	anyscale-keys sa delete ci-deploy --yes
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
		Long: `Manage the organization's service accounts, the non-user identities whose keys
production jobs (CI/CD, schedulers) should use, and their keys.

Any member may list and show them; only organization owners, or a service
account that is an owner, may create, rotate, revoke and delete (exit code 4
otherwise). A command about one account names it as its argument ACCOUNT: the
account's name, or its email (--name and --email still work until 0.4.0).

A new key's secret is printed alone on standard output, whatever -o says, or
written with --out FILE as a credentials file; it is shown only once.
Destructive commands (rotate, revoke-all, delete) ask on a terminal and need
--yes elsewhere.`,
		Example: `  anyscale-keys sa create ci-deploy --expires 90d | gh secret set ANYSCALE_CLI_TOKEN
  anyscale-keys sa list
  anyscale-keys sa get ci-deploy
  anyscale-keys sa rotate ci-deploy --yes --out ./ci.json`,
	}
	cmd.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdGet(f, nil),
		NewCmdKey(f, nil),
		NewCmdRotate(f, nil),
		NewCmdRevokeAll(f, nil),
		NewCmdDelete(f, nil),
	)
	return cmd
}
