// Package keyscmd is `anyscale-keys keys`: create, list, revoke, rotate
// and audit API keys.
package keyscmd

import (
	"errors"
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
  anyscale-keys keys revoke "$KEY_ID" --yes
  anyscale-keys keys audit --org --fail-on-findings`,
		DisableFlagsInUseLine: true,
		// A group runs only to refuse what is not one of its commands:
		// cobra would print the help and succeed.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UsageError(fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()))
			}
			return cmd.Help()
		},
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

// durationValue is a flag holding a lifetime such as "30d" (see
// cmdutil.ParseDuration); a bad value is a flag error that names the flag.
type durationValue struct {
	d    *time.Duration
	text string
}

func newDurationValue(d *time.Duration, def string) *durationValue {
	v := &durationValue{d: d}
	if err := v.Set(def); err != nil {
		panic(err)
	}
	return v
}

func (v *durationValue) Set(s string) error {
	d, err := cmdutil.ParseDuration(s)
	if err != nil {
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) {
			return ee.Err
		}
		return err
	}
	*v.d, v.text = d, s
	return nil
}

func (v *durationValue) String() string { return v.text }
func (v *durationValue) Type() string   { return "duration" }

// expiry renders a key's expiry for a message.
func expiry(k keys.Key) string {
	if k.ExpiresAt == nil {
		return "never expires"
	}
	return "expires " + cmdutil.Date(k.ExpiresAt) + " UTC"
}

// plural returns "1 key" or "n keys".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
