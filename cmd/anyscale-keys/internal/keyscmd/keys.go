// Package keyscmd is `anyscale-keys keys`: create, list, revoke, rotate
// and audit API keys.
package keyscmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// NewCmdKeys returns `keys` and its subcommands.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Create, list, revoke, rotate and audit API keys",
		Long: `Create, list, revoke, rotate and audit Anyscale API keys: your own, or with
--org (organization owners) every key of every member and service account.

A new key's secret is printed once, alone on standard output, or written with
--out FILE as a credentials file (mode 0600); it is shown nowhere else.`,
		Example: `  anyscale-keys keys create ci-deploy --expires 30d --out ci-deploy.json
  anyscale-keys keys list --org --owner ada@example.com
  anyscale-keys keys revoke ci-deploy --yes
  anyscale-keys keys audit --org --fail-on-findings`,
		DisableFlagsInUseLine: true,
	}
	cmd.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdRevoke(f, nil),
		NewCmdRotate(f, nil),
		NewCmdAudit(f, nil),
	)
	return cmd
}

// expiry renders a key's expiry for a message, by now (the server's
// clock): "expires in 30 days (2026-01-02 15:04 UTC)".
func expiry(k keys.Key, now time.Time) string {
	if k.ExpiresAt == nil {
		return "never expires"
	}
	return "expires " + cmdutil.Relative(*k.ExpiresAt, now) + " (" + cmdutil.Date(k.ExpiresAt) + ")"
}

// plural returns "1 key" or "n keys".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
