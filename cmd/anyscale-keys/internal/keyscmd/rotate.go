package keyscmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
)

// RotateOptions are `keys rotate`'s flags and dependencies.
type RotateOptions struct {
	F *cmdutil.Factory
	// Yes is --yes: no confirmation.
	Yes bool
	// Out is --out: the credentials file to write the new secret to, or ""
	// for the credentials file the token came from, else standard output.
	Out string
	// Clobber is --clobber: --out may replace a file that exists.
	Clobber bool
	// All is --all: revoke every other key of yours too, not only the one
	// this command uses.
	All bool
	// Name is --name: the new key's name ("": the old key's name with the
	// time of the rotation).
	Name string
	// Expires is --expires: the new key's lifetime.
	Expires time.Duration
}

// NewCmdRotate returns `keys rotate`; runF, when set, runs instead of
// rotateRun.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Replace the key this command uses with a new one",
		Long: `Replace the API key this command uses with a new one, in an order that never
leaves you without a working key: make the new key, save it, check that it
works, and only then revoke the old one (with the new key).

Where the new key goes:
  --out FILE                     that credentials file (mode 0600)
  the token came from the        that file, in place: it ends up holding the
  credentials file               new key, and the next command uses it
  otherwise (ANYSCALE_CLI_TOKEN) standard output, alone on one line, shown
                                 only this once: store it, then update the
                                 variable

With --all it then revokes every other key of yours as well (a key leaked and
you do not know which): still only once the new key is saved and works.

The new key is named after the old one with the time of the rotation (as
"laptop-20260102T150405Z"), or --name; it lives 30 days, or --expires.

It lists the keys it will revoke and asks on a terminal, and needs --yes when
standard input is not one. If a step fails before the revocation, nothing of
yours was revoked: the old key still works, and the error says what became of
the new one. Exit code 6 when the new key works but an old one could not be
revoked. With -o json and a file to save to, standard output gets {"key":
{...the new key...}, "saved_to": FILE, "revoked": [...], "not_found": [...],
"failed": [...]}.`,
		Example: `  # Replace the key in ~/.anyscale/credentials.json with a new one
  anyscale-keys keys rotate

  # A key may have leaked: a new key, and every other key of yours revoked
  anyscale-keys keys rotate --all

  # In a CI job on ANYSCALE_CLI_TOKEN: hand the new key to a secret store
  anyscale-keys keys rotate --yes | gh secret set ANYSCALE_CLI_TOKEN`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Expires < time.Second || opts.Expires > keys.MaxLifetime {
				return cmdutil.UsageError(fmt.Errorf("--expires %s: a user key lives from 1s to 30d", cmd.Flag("expires").Value))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddYesFlag(cmd, &opts.Yes)
	cmdutil.AddOutFlags(cmd, &opts.Out, &opts.Clobber, "the new secret")
	cmd.Flags().BoolVar(&opts.All, "all", false, "revoke every other key of yours too, once the new key works")
	cmd.Flags().StringVar(&opts.Name, "name", "", "the new key's `NAME` (default: the old key's name and the time)")
	cmd.Flags().Var(cmdutil.NewDurationValue(&opts.Expires, "30d"), "expires", "the new key's lifetime, a `DURATION` such as 30d or 7d (at most 30d)")
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

// rotateJSON is rotate's -o json output when the new key went to a file.
type rotateJSON struct {
	Key     cmdutil.Key `json:"key"`
	SavedTo string      `json:"saved_to"`
	cmdutil.RevokeResult
}

// stampRE is the time a rotated key's name ends with.
var stampRE = regexp.MustCompile(`-\d{8}T\d{6}Z(-\d+)?$`)

// stampLayout is the UTC time in a rotated key's name, as keys.Renew
// names its keys.
const stampLayout = "20060102T150405Z"

func rotateRun(ctx context.Context, opts *RotateOptions) error {
	f := opts.F
	if err := cmdutil.CheckOut(opts.Out, opts.Clobber); err != nil {
		return err
	}
	c, err := f.AuthedClient(ctx)
	if err != nil {
		return err
	}
	tok, err := c.Provider().Token(ctx)
	if err != nil {
		return err
	}
	// Where the new key goes: --out, the credentials file the token came
	// from, or standard output.
	path, inPlace := opts.Out, false
	if path == "" && tok.Source == auth.SourceFile {
		path, inPlace = tok.Origin, true
	}
	me, err := c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	ks := keys.New(c)
	now := c.Now()
	var active []keys.Key
	for k, err := range ks.All(ctx, keys.ListOptions{}) {
		if err != nil {
			return err
		}
		if k.Status(now) == keys.Active {
			active = append(active, k)
		}
	}
	held := heldKey(ctx, tok, active)
	var doomed []keys.Key
	for _, k := range active {
		if opts.All || held != nil && k.ID == held.ID {
			doomed = append(doomed, k)
		}
	}
	where := "standard output"
	if path != "" {
		where = path
	}
	if held == nil && !opts.All {
		fmt.Fprintf(f.IO.ErrOut, "Note: the key this command uses is not known by id here (its source keeps no id, and no key of yours matches it): it is not revoked. Revoke it yourself once the new key is in use, or rotate with --all.\n")
	}
	if !inPlace && tok.Source == auth.SourceFile && held != nil && opts.Out != "" {
		fmt.Fprintf(f.IO.ErrOut, "Note: %s keeps the old key, which this revokes: commands that read it stop working until it holds the new key (rotate without --out to replace it in place).\n", tok.Origin)
	}
	rows := make([][]string, len(doomed))
	for i, k := range doomed {
		rows[i] = []string{cmdutil.ShortID(k.ID), k.Name}
		if held != nil && k.ID == held.ID {
			rows[i] = append(rows[i], "(the key this command uses)")
		}
	}
	items := cmdutil.Aligned(rows)
	loss := fmt.Sprintf("makes a new key, saves it to %s and checks it, then revokes %s of yours", where, plural(len(doomed), "key", "keys"))
	if err := cmdutil.ConfirmList(f.IO, opts.Yes, loss, items, "Anything else that uses a revoked key loses access."); err != nil {
		return err
	}

	name := opts.Name
	if name == "" {
		base := "anyscale-keys"
		if held != nil && held.Name != "" {
			base = stampRE.ReplaceAllString(held.Name, "")
		}
		name = base + "-" + now.UTC().Format(stampLayout)
		taken := map[string]bool{}
		for _, k := range active {
			taken[k.Name] = true
		}
		for n, stamped := 2, name; taken[name]; n++ {
			name = fmt.Sprintf("%s-%d", stamped, n)
		}
	}
	made, err := ks.Create(ctx, keys.CreateRequest{Name: name, ExpiresIn: opts.Expires})
	if err != nil {
		err = fmt.Errorf("making the new key (nothing was revoked): %w", err)
		if !client.MayHaveActed(err) {
			return err
		}
		// The answer was lost after the server may have made the key:
		// its secret is lost with it, so a key of that name, if there is
		// one, is held by nobody.
		if k, rerr := ks.Resolve(context.WithoutCancel(ctx), name); rerr == nil && k.Name == name {
			return abandon(ctx, ks, *k, err)
		}
		return fmt.Errorf("%w; if a key named %q appears, nobody holds it: revoke it with `anyscale-keys keys revoke %s`", err, name, name)
	}
	fresh := made.Key
	if !made.Listed {
		fresh.ID = ""
	}

	// Save it: until that is done, nothing is revoked.
	store := keys.FileStore(path)
	var before keys.Stored
	if inPlace {
		if before, err = store.Load(ctx); err != nil {
			return abandon(ctx, ks, fresh, fmt.Errorf("reading %s before replacing its key: %w", path, err))
		}
	}
	if path != "" {
		next := keys.Stored{Secret: made.Secret, KeyID: fresh.ID}
		if fresh.ExpiresAt != nil {
			next.ExpiresAt = *fresh.ExpiresAt
		}
		if err := store.Save(ctx, next); err != nil {
			return abandon(ctx, ks, fresh, fmt.Errorf("saving the new key to %s: %w", path, err))
		}
	} else if _, err := fmt.Fprintln(f.IO.Out, made.Secret.Reveal()); err != nil {
		return abandon(ctx, ks, fresh, fmt.Errorf("printing the new key: %w", err))
	}

	// Check it: the new key answers, as the same identity.
	withNew := c.WithAuth(auth.StaticSecret(made.Secret))
	who, err := withNew.WhoAmI(ctx)
	if err == nil && who.ID != me.ID {
		err = fmt.Errorf("the new key answers as %s, not as %s", who.ID, me.ID)
	}
	if err != nil {
		err = fmt.Errorf("checking the new key (nothing was revoked): %w", err)
		if inPlace {
			if rerr := store.Save(context.WithoutCancel(ctx), before); rerr != nil {
				return fmt.Errorf("%w; putting the old key back in %s failed too: %w", err, path, rerr)
			}
			return abandon(ctx, ks, fresh, fmt.Errorf("%w; %s holds the old key again", err, path))
		}
		if path == "" {
			// The new key was printed: it is active, and whoever took it
			// from standard output holds it.
			return fmt.Errorf("%w; the new key %q was printed and is active: if it is not used, revoke it with `anyscale-keys keys revoke %s`", err, name, name)
		}
		return abandon(ctx, ks, fresh, err)
	}

	saved := "It is saved in " + path + " (mode 0600) and shown nowhere else."
	if path == "" {
		saved = "Its secret is on standard output and is shown only this once: store it now."
	}
	fmt.Fprintf(f.IO.ErrOut, "Made key %q (id %s), which %s. %s It works.\n",
		name, cmdutil.ShortID(fresh.ID), expiry(fresh, now), saved)

	// Only now revoke, with the new key.
	ids := make([]string, len(doomed))
	for i, k := range doomed {
		ids[i] = k.ID
	}
	res := &keys.RevokeResult{}
	var revokeErr error
	if len(ids) > 0 {
		res, revokeErr = keys.New(withNew).RevokeMany(ctx, ids)
	}
	if f.JSON() && path != "" {
		out := rotateJSON{Key: cmdutil.KeyOf(fresh, now), SavedTo: path, RevokeResult: cmdutil.RevokeResultOf(res, ids)}
		if err := cmdutil.WriteJSON(f.IO.Out, out); err != nil {
			return err
		}
	}
	// An old key not found is gone: a lost answer to the revocation may
	// have revoked it, or it expired meanwhile. Either way nothing of it
	// is left to revoke.
	summary := fmt.Sprintf("Revoked %s (%d already gone, %d failed).", plural(len(res.Revoked)+len(res.NotFound), "old key", "old keys"), len(res.NotFound), len(res.Failed))
	if revokeErr != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitPartial, Err: partialError(
			"The new key is saved and works, but not every old key was revoked: "+summary, res, ids, revokeErr)}
	}
	fmt.Fprintln(f.IO.ErrOut, summary)
	return nil
}

// heldKey finds, among the active keys, the one whose secret this command
// authenticates with: by the key id its credentials file keeps beside the
// secret, else by the id the API derives from a secret (its SHA-256, in
// hex), when a key of that id is there. nil when neither names one.
func heldKey(ctx context.Context, tok auth.Token, active []keys.Key) *keys.Key {
	var ids []string
	if tok.Source == auth.SourceFile {
		if s, err := keys.FileStore(tok.Origin).Load(ctx); err == nil && s.KeyID != "" {
			ids = append(ids, s.KeyID)
		}
	}
	sum := sha256.Sum256([]byte(tok.Value.Reveal()))
	ids = append(ids, hex.EncodeToString(sum[:]))
	for _, id := range ids {
		for i := range active {
			if active[i].ID == id {
				return &active[i]
			}
		}
	}
	return nil
}

// abandon revokes a new key that nobody holds, after err stopped the
// rotation before anything old was revoked.
func abandon(ctx context.Context, ks *keys.Service, fresh keys.Key, err error) error {
	if fresh.ID == "" {
		return fmt.Errorf("%w; nothing was revoked; the new key %q is held nowhere: revoke it with `anyscale-keys keys revoke %s`", err, fresh.Name, fresh.Name)
	}
	if rerr := ks.Revoke(context.WithoutCancel(ctx), fresh.ID); rerr != nil {
		return fmt.Errorf("%w; nothing old was revoked; the new key %q is held nowhere and could not be revoked (%s): revoke it with `anyscale-keys keys revoke %s`",
			err, fresh.Name, client.Facts(rerr), cmdutil.ShortID(fresh.ID))
	}
	return fmt.Errorf("%w; nothing old was revoked, and the new key was revoked again", err)
}
