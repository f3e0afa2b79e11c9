package sacmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// RotateOptions are `sa rotate`'s flags and dependencies.
type RotateOptions struct {
	F *cmdutil.Factory
	// Ref is the service account --name or --email names.
	Ref serviceaccounts.Ref
	// ExpiresIn is --expires: the new key's lifetime, 0 for the default.
	ExpiresIn time.Duration
	// Out is --out: the credentials file to write the key to, "" for
	// standard output.
	Out string
	// Clobber is --clobber: --out may replace a file that exists.
	Clobber bool
	// Yes is --yes: go on without asking.
	Yes bool
}

// NewCmdRotate returns `sa rotate`; runF, when set, runs instead of
// rotateRun.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{F: f}
	var rf refFlags
	var kf keyFlags
	cmd := &cobra.Command{
		Use:   "rotate ACCOUNT [--yes]",
		Short: "Replace every key of a service account with one new key",
		Long: `Revoke every key of the service account ACCOUNT (its name, or its email), then make
one new key (organization owners only). A job still using an old key stops
working until it has the new one. On a terminal the command asks first;
elsewhere it needs --yes.

The new key lives 100 years unless --expires says otherwise. Its secret is
printed alone on standard output, whatever -o says; with --out it is written to
FILE as a credentials file (mode 0600) instead, and standard output gets the
account's JSON with -o json, else nothing. Either way it is shown only once.

A job that runs on the service account's own token, as CI jobs do, rotates
that token with "anyscale-keys keys rotate" instead: this command needs an
organization owner, and the 403 (exit code 4) a non-owner gets says so.`,
		Example: `  # An owner rotates the deploy key and stores the new one at once.
  anyscale-keys sa rotate ci-deploy --yes | gh secret set ANYSCALE_CLI_TOKEN

  # The same by email, into a credentials file, with a 90-day key.
  anyscale-keys sa rotate ci-deploy@org-abc.serviceaccount.com --expires 90d --out ./ci.json --yes`,
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
			return rotateRun(cmd.Context(), opts)
		},
	}
	rf.add(cmd, f)
	kf.add(cmd)
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func rotateRun(ctx context.Context, opts *RotateOptions) error {
	if err := cmdutil.CheckOut(opts.Out, opts.Clobber); err != nil {
		return err
	}
	what := describe(opts.Ref)
	c, err := opts.F.AuthedClient(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(opts.F.IO, opts.Yes, fmt.Sprintf(
		"revokes every key of %s, and a job using one of them stops working until it has the new key", what)); err != nil {
		return err
	}
	svc := serviceaccounts.New(c)
	account, err := accountForJSON(ctx, opts.F, svc, opts.Ref, opts.Out)
	if err != nil {
		return err
	}
	secret, err := svc.RotateKeys(ctx, opts.Ref, keyOptions(opts.ExpiresIn)...)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "Revoked every earlier key of %s.\n", what)
	if err := cmdutil.Deliver(opts.F.IO, secret, opts.Out, what); err != nil {
		return fmt.Errorf("the keys of %s were rotated, but the new key could not be written to %s: %w; nobody holds it: "+
			"rotate again with `anyscale-keys sa rotate %s --out FILE`", what, cmdutil.WhereTo(opts.Out), err, flagOf(opts.Ref))
	}
	return writeAccount(opts.F, account)
}
