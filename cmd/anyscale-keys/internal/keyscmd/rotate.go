package keyscmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// RotateOptions are `keys rotate`'s flags and dependencies.
type RotateOptions struct {
	F *cmdutil.Factory
	// Yes is --yes: no confirmation.
	Yes bool
	// Out is --out: the credentials file to write the new secret to, or ""
	// to print it.
	Out string
}

// rotateLoss is what a rotation loses, for the confirmation.
const rotateLoss = "revokes every key of yours, the one this command uses included, and makes one new key: anything that uses your current keys loses access"

// NewCmdRotate returns `keys rotate`; runF, when set, runs instead of
// rotateRun.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Revoke all your keys and make a new one",
		Long: `Revoke every API key of yours, the one this command uses included, and make
one new key.

The new secret is printed once, alone on one line of standard output whatever
-o says; with --out FILE it is written instead to FILE as a credentials file
(mode 0600, the format of ~/.anyscale/credentials.json), and standard output
gets nothing. Store it before anything else: the token this command used stops
working.

It asks for confirmation on a terminal, and needs --yes when standard input is
not one.`,
		Example: `  # Rotate and save the new key where the SDK and the official CLI look for it
  anyscale-keys keys rotate --out ~/.anyscale/credentials.json

  # In a CI job: rotate and hand the new key to a secret store
  anyscale-keys keys rotate --yes | gh secret set ANYSCALE_CLI_TOKEN`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the new secret to this credentials file (mode 0600) instead of standard output")
	return cmd
}

func rotateRun(ctx context.Context, opts *RotateOptions) error {
	f := opts.F
	if opts.Out != "" {
		if err := cmdutil.CheckOut(opts.Out); err != nil {
			return err
		}
	}
	c, err := f.AuthedClient(ctx)
	if err != nil {
		return err
	}
	if err := cmdutil.Confirm(f.IO, opts.Yes, rotateLoss); err != nil {
		return err
	}
	secret, err := keys.New(c).Rotate(ctx)
	if err != nil {
		return err
	}
	if opts.Out != "" {
		return saveRotated(f, opts.Out, secret)
	}
	fmt.Fprintln(f.IO.ErrOut, "Rotated: every key of yours was revoked. The new key's secret is on standard output and is shown only this once: store it now.")
	_, err = fmt.Fprintln(f.IO.Out, secret.Reveal())
	return err
}

// saveRotated writes the new secret to path. Should that fail, the secret
// is printed on standard output, where a secret belongs: every other key
// was revoked, so it must not be lost.
func saveRotated(f *cmdutil.Factory, path string, secret credentials.Secret) error {
	err := credentials.Save(path, secret)
	if err == nil {
		fmt.Fprintf(f.IO.ErrOut, "Rotated: every key of yours was revoked. The new key's secret (%s) is saved in %s (mode 0600) and shown nowhere else.\n",
			secret.Fingerprint(), path)
		return nil
	}
	if _, perr := fmt.Fprintln(f.IO.Out, secret.Reveal()); perr != nil {
		return fmt.Errorf("writing the new secret to %s failed: %w; printing it failed too (%v): the key is lost, create a new one in the console", path, err, perr)
	}
	return fmt.Errorf("writing the new secret to %s failed: %w; every key of yours was revoked, so the new secret was printed on standard output instead, the only copy: store it now", path, err)
}
