package sacmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// CreateOptions are `sa create`'s flags and dependencies.
type CreateOptions struct {
	F *cmdutil.Factory
	// Name is the new service account's name.
	Name string
	// ExpiresIn is --expires: the first key's lifetime, 0 for the default.
	ExpiresIn time.Duration
	// Out is --out: the credentials file to write the key to, "" for
	// standard output.
	Out string
	// Clobber is --clobber: --out may replace a file that exists.
	Clobber bool
}

// NewCmdCreate returns `sa create`; runF, when set, runs instead of
// createRun.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{F: f}
	var kf keyFlags
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a service account and its first key",
		Long: `Create a service account named NAME, and its first key (organization owners only).

The name is 1 to 64 ASCII letters, digits, '.', '_' and '-', starting with a
letter or digit; it becomes the account's email. The key lives 100 years unless
--expires says otherwise: a shorter lifetime with regular rotation is safer.

The key's secret is printed alone on standard output, whatever -o says, so it
pipes into a secret store; with --out it is written to FILE as a credentials
file (mode 0600) instead, and standard output gets the account's JSON with
-o json, else nothing. Either way the secret is shown only this once.`,
		Example: `  # Create ci-deploy and store its key in GitHub Actions' secrets.
  anyscale-keys sa create ci-deploy --expires 90d | gh secret set ANYSCALE_CLI_TOKEN

  # Write the key to a credentials file instead, and keep the account's JSON.
  anyscale-keys sa create nightly-batch --out ./nightly.json -o json > account.json`,
		Args: nameArg("create", "the new service account's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			var err error
			if opts.ExpiresIn, opts.Out, opts.Clobber, err = kf.parse(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	kf.add(cmd)
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	if err := cmdutil.CheckOut(opts.Out, opts.Clobber); err != nil {
		return err
	}
	c, err := opts.F.Client()
	if err != nil {
		return err
	}
	ref := serviceaccounts.ByName(opts.Name)
	created, err := serviceaccounts.New(c).Create(ctx, opts.Name, keyOptions(opts.ExpiresIn)...)
	if err != nil {
		return err
	}
	io := opts.F.IO
	fmt.Fprintf(io.ErrOut, "Created service account %q (%s).\n", created.Account.Name, created.Account.Email)
	if err := cmdutil.Deliver(io, created.Secret, opts.Out, describe(ref)); err != nil {
		return fmt.Errorf("service account %q was created, but its key could not be written to %s: %w; nobody holds that key: "+
			"replace it with `anyscale-keys sa rotate %s --out FILE`", opts.Name, cmdutil.WhereTo(opts.Out), err, flagOf(ref))
	}
	if opts.Out != "" && opts.F.JSON() {
		return cmdutil.WriteJSON(io.Out, cmdutil.ServiceAccountOf(created.Account))
	}
	return nil
}

// nameArg accepts exactly one argument, what, for `sa verb`.
func nameArg(verb, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return cmdutil.UsageError(fmt.Errorf("give %s: anyscale-keys sa %s NAME", what, verb))
		case len(args) > 1:
			return cmdutil.UsageError(fmt.Errorf("anyscale-keys sa %s takes one name, %d given", verb, len(args)))
		}
		return nil
	}
}
