package keyscmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// CreateOptions are `keys create`'s flags and dependencies.
type CreateOptions struct {
	F *cmdutil.Factory
	// Name is the new key's name.
	Name string
	// Expires is --expires: the key's lifetime.
	Expires time.Duration
	// Out is --out: the credentials file to write the secret to, or "" to
	// print it.
	Out string
	// Clobber is --clobber: --out may replace a file that exists.
	Clobber bool
}

// NewCmdCreate returns `keys create`; runF, when set, runs instead of
// createRun (tests check the parsing alone).
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an API key and print its secret once",
		Long: `Create an API key of yours named NAME, which expires after --expires (at most
30 days, the policy for user keys).

The secret is printed once, alone on one line of standard output whatever -o
says, so that it pipes into a secret store; it cannot be shown again. With
--out FILE it is written instead to FILE as a credentials file (mode 0600, the
format of ~/.anyscale/credentials.json), and standard output gets the new key
as JSON with -o json, else nothing. Standard error names the new key, its id (a prefix
that every command taking a key takes), its display id and its expiry, never
the secret.

--out refuses a file that exists unless --clobber is given, and a directory
that does not exist; either way before any key is made.`,
		Example: `  # A key for a CI job, straight into a secret store
  anyscale-keys keys create ci-deploy --expires 30d | gh secret set ANYSCALE_CLI_TOKEN

  # A one-week key, saved where the SDK and the official CLI look for it
  anyscale-keys keys create laptop --expires 7d --out ~/.anyscale/credentials.json

  # Saved to a file; the key's id and expiry as JSON
  anyscale-keys keys create nightly --out nightly.json -o json | jq -r .id`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageError(fmt.Errorf("keys create takes one NAME, the new key's name (got %d arguments)", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Expires < time.Second {
				return cmdutil.UsageError(fmt.Errorf("--expires %s is under a second: give a lifetime such as 30d, 7d or 12h", cmd.Flag("expires").Value))
			}
			if opts.Expires > keys.MaxLifetime {
				return cmdutil.UsageError(fmt.Errorf("--expires %s is over the 30-day maximum for user keys: give 30d or less, and rotate the key before it expires", cmd.Flag("expires").Value))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().Var(cmdutil.NewDurationValue(&opts.Expires, "30d"), "expires", "the key's lifetime, a `DURATION` such as 30d, 7d or 12h (at most 30d)")
	cmdutil.AddOutFlags(cmd, &opts.Out, &opts.Clobber, "the secret")
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	if err := cmdutil.CheckOut(opts.Out, opts.Clobber); err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	ks := keys.New(c)
	k, err := ks.Create(ctx, keys.CreateRequest{Name: opts.Name, ExpiresIn: opts.Expires})
	if err != nil {
		return err
	}
	label := "id " + cmdutil.ShortID(k.Key.ID) + ", display id " + k.Key.DisplayID
	if !k.Listed {
		label = fmt.Sprintf("its id not known yet: find it with `anyscale-keys keys list --name %s`", strconv.Quote(opts.Name))
	}
	now := c.Now()
	if opts.Out == "" {
		fmt.Fprintf(f.IO.ErrOut, "Created key %q (%s); it %s.\nIts secret is on standard output and is shown only this once: store it now.\n",
			k.Key.Name, label, expiry(k.Key, now))
		_, err := fmt.Fprintln(f.IO.Out, k.Secret.Reveal())
		return err
	}
	// The file keeps the key's id and expiry beside its secret, so that
	// "keys rotate" knows which key it holds.
	stored := keys.Stored{Secret: k.Secret}
	if k.Listed {
		stored.KeyID = k.Key.ID
		if k.Key.ExpiresAt != nil {
			stored.ExpiresAt = *k.Key.ExpiresAt
		}
	}
	if err := keys.FileStore(opts.Out).Save(ctx, stored); err != nil {
		return lostSecret(ctx, ks, k, opts.Out, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Created key %q (%s); it %s.\nIts secret is saved in %s (mode 0600) and shown nowhere else.\n",
		k.Key.Name, label, expiry(k.Key, now), opts.Out)
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, cmdutil.KeyOf(k.Key, now))
	}
	return nil
}

// lostSecret handles a new key whose secret could not be saved: nobody
// holds the secret, so the key is revoked, which also frees its name for
// another try.
func lostSecret(ctx context.Context, ks *keys.Service, k *keys.CreatedKey, path string, saveErr error) error {
	if k.Key.ID != "" {
		revokeErr := ks.Revoke(ctx, k.Key.ID)
		if revokeErr == nil {
			return fmt.Errorf("writing the secret to %s failed, so the new key %q was revoked (nobody holds its secret): %w; fix that and run the command again", path, k.Key.Name, saveErr)
		}
		return fmt.Errorf("writing the secret to %s failed: %w; revoking the new key failed too (%v), and nobody holds its secret: revoke it with `anyscale-keys keys revoke %s`", path, saveErr, revokeErr, k.Key.ID)
	}
	return fmt.Errorf("writing the secret to %s failed: %w; nobody holds the new key's secret: find it with `anyscale-keys keys list --name %s` and revoke it", path, saveErr, strconv.Quote(k.Key.Name))
}
