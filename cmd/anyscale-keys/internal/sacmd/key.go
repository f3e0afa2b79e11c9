package sacmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// KeyOptions are `sa key`'s flags and dependencies.
type KeyOptions struct {
	F *cmdutil.Factory
	// Ref is the service account --name or --email names.
	Ref serviceaccounts.Ref
	// ExpiresIn is --expires: the key's lifetime, 0 for the default.
	ExpiresIn time.Duration
	// Out is --out: the credentials file to write the key to, "" for
	// standard output.
	Out string
	// Clobber is --clobber: --out may replace a file that exists.
	Clobber bool
}

// NewCmdKey returns `sa key`; runF, when set, runs instead of keyRun.
func NewCmdKey(f *cmdutil.Factory, runF func(context.Context, *KeyOptions) error) *cobra.Command {
	opts := &KeyOptions{F: f}
	var rf refFlags
	var kf keyFlags
	cmd := &cobra.Command{
		Use:   "key ACCOUNT",
		Short: "Make a new key for a service account",
		Long: `Make a new key for the service account ACCOUNT, its name or its email (organization
owners only). Its other keys stay valid: to replace them, use "sa rotate".

The key lives 100 years unless --expires says otherwise. Its secret is printed
alone on standard output, whatever -o says; with --out it is written to FILE as
a credentials file (mode 0600) instead, and standard output gets the account's
JSON with -o json, else nothing. Either way the secret is shown only this once.`,
		Example: `  # A second key for a new runner, while the old one keeps working.
  anyscale-keys sa key ci-deploy --expires 30d | gh secret set ANYSCALE_CLI_TOKEN --env staging

  # Straight into the credentials file a job reads.
  anyscale-keys sa key nightly-batch --out /etc/nightly/credentials.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Ref, err = rf.ref(cmd, args); err != nil {
				return err
			}
			if opts.ExpiresIn, opts.Out, opts.Clobber, err = kf.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return keyRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd, f)
	kf.add(cmd)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func keyRun(ctx context.Context, opts *KeyOptions) error {
	if err := cmdutil.CheckOut(opts.Out, opts.Clobber); err != nil {
		return err
	}
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	svc := serviceaccounts.New(c)
	account, err := accountForJSON(ctx, opts.F, svc, opts.Ref, opts.Out)
	if err != nil {
		return err
	}
	secret, err := svc.CreateKey(ctx, opts.Ref, keyOptions(opts.ExpiresIn)...)
	if err != nil {
		return err
	}
	if err := cmdutil.Deliver(opts.F.IO, secret, opts.Out, describe(opts.Ref)); err != nil {
		return fmt.Errorf("a new key of %s was made, but it could not be written to %s: %w; nobody holds that key: "+
			"replace every key of the account with `anyscale-keys sa rotate %s --out FILE`", describe(opts.Ref), cmdutil.WhereTo(opts.Out), err, flagOf(opts.Ref))
	}
	return writeAccount(opts.F, account)
}

// accountForJSON reads the service account before a key is made, when
// --out and -o json ask for its JSON on standard output; else it returns
// nil. Reading it first means no key is made when it cannot be read.
func accountForJSON(ctx context.Context, f *cmdutil.Factory, svc *serviceaccounts.Service, ref serviceaccounts.Ref, out string) (*serviceaccounts.ServiceAccount, error) {
	if out == "" || !f.JSON() {
		return nil, nil
	}
	sa, err := svc.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	return sa, nil
}

// writeAccount writes sa's JSON to standard output, if there is one.
func writeAccount(f *cmdutil.Factory, sa *serviceaccounts.ServiceAccount) error {
	if sa == nil {
		return nil
	}
	return cmdutil.WriteJSON(f.IO.Out, cmdutil.ServiceAccountOf(*sa))
}
