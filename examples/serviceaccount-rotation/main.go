// Command serviceaccount-rotation is a CI/CD integration's key rotation on
// a service account, both ways it is done:
//
//   - by an organization owner: create the service account if it is
//     missing, then RotateKeys (revoke all its keys, make a new one);
//   - by the job itself, on the service account's own token, as a CI job
//     runs: keys.New(c).Rotate, which revokes the account's keys and
//     returns a new one. A service account that is not an owner cannot
//     call RotateKeys; the error says so, and says what works, also as
//     data (client.ActionRotateOwnKey).
//
// Either way the new secret goes to a sink (here a credentials file
// written with mode 0600, which the job reads through the auth chain with
// strict permissions), and the example verifies that the new key works and
// the old one does not. The sink is checked before anything is rotated: a
// rotation whose new key cannot be stored loses it.
//
// By default it runs both ways against the embedded fake Anyscale API. With
// -live it uses $ANYSCALE_HOST and needs -yes and -sink; -as owner (the
// default) rotates with the auth chain's token, an owner's, and -as self
// rotates with the token already in the sink, the service account's own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

func main() {
	live := flag.Bool("live", false, "use the real Anyscale API through the auth chain and $ANYSCALE_HOST")
	yes := flag.Bool("yes", false, "with -live: allow creating the service account and rotating its keys")
	as := flag.String("as", "owner", "with -live: rotate as the organization owner (the auth chain's token) or as the service account itself (self: the sink's token)")
	name := flag.String("name", "ci-deployer", "the service account's name")
	sink := flag.String("sink", "", "the file the new key is written to (required with -live; default: a temporary file)")
	lifetime := flag.Duration("lifetime", 90*24*time.Hour, "the new key's lifetime, when an owner rotates")
	flag.Parse()

	cfg := config{name: *name, sink: *sink, lifetime: *lifetime}
	if err := run(context.Background(), os.Stdout, *live, *yes, *as, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "rotation failed:", err)
		os.Exit(1)
	}
}

type config struct {
	name     string
	sink     string
	lifetime time.Duration
	// client is a client of the API; rotations use it with other tokens
	// through WithAuth.
	client *client.Client
}

func run(ctx context.Context, out io.Writer, live, yes bool, as string, cfg config) error {
	if live {
		// A live rotation revokes the keys in use: the new key must land
		// somewhere that outlives this program.
		if !yes {
			return errors.New("with -live, pass -yes to create the service account and rotate its keys")
		}
		if cfg.sink == "" {
			return errors.New("with -live, pass -sink with the file the new key goes to; the rotation revokes the old keys")
		}
		c, err := client.New()
		if err != nil {
			return err
		}
		cfg.client = c
		switch as {
		case "owner":
			return rotateAsOwner(ctx, out, cfg)
		case "self":
			return rotateAsSelf(ctx, out, cfg)
		}
		return fmt.Errorf("-as %q: use owner or self", as)
	}
	if cfg.sink == "" {
		dir, err := os.MkdirTemp("", "anyscale-rotation-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.sink = filepath.Join(dir, "ci-deployer.json")
	}
	srv := anyscaletest.NewServer()
	defer srv.Close()
	fmt.Fprintf(out, "Embedded fake Anyscale API at %s (pass -live -yes for the real one).\n", srv.URL)
	c, err := srv.Client(srv.Owner())
	if err != nil {
		return err
	}
	cfg.client = c
	fmt.Fprintln(out, "\n== An organization owner rotates the service account's keys")
	if err := rotateAsOwner(ctx, out, cfg); err != nil {
		return err
	}
	fmt.Fprintln(out, "\n== The CI job rotates its own token")
	return rotateAsSelf(ctx, out, cfg)
}

// checkSink fails before anything is rotated when the sink could not hold
// the new key safely: a directory that others may write.
func checkSink(sink string) error {
	if err := credentials.CheckPermissions(sink); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the sink is not safe to write the new key to, so nothing was rotated: %w", err)
	}
	return nil
}

// rotateAsOwner is the job run with an organization owner's credentials
// (cfg.client's).
func rotateAsOwner(ctx context.Context, out io.Writer, cfg config) error {
	if err := checkSink(cfg.sink); err != nil {
		return err
	}
	sas := serviceaccounts.New(cfg.client)
	ref := serviceaccounts.ByName(cfg.name)

	// 1. The service account, created on the first run.
	sa, err := sas.Get(ctx, ref)
	switch {
	case errors.Is(err, client.ErrNotFound):
		created, err := sas.Create(ctx, cfg.name, serviceaccounts.KeyOptions{ExpiresIn: cfg.lifetime})
		if err != nil {
			return err
		}
		sa = &created.Account
		// Its first key goes to the sink too, so the old key below is real.
		if err := credentials.Save(cfg.sink, created.Secret); err != nil {
			return fmt.Errorf("the service account was created but its first key could not be stored (%w); rotate its keys", err)
		}
		fmt.Fprintf(out, "created service account %s\n", sa.Email)
	case err != nil:
		return err
	default:
		fmt.Fprintf(out, "found service account %s\n", sa.Email)
	}

	old := sinkToken(cfg.sink)
	// 2. Rotate: revoke every key, then make one.
	secret, err := sas.RotateKeys(ctx, ref, serviceaccounts.KeyOptions{ExpiresIn: cfg.lifetime})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rotated: new key %s (fingerprint %s), valid for %s\n", secret, secret.Fingerprint(), days(cfg.lifetime))
	return store(ctx, out, cfg, sa.Email, old, secret, "rotate again")
}

// rotateAsSelf is the job run with the service account's own token, the
// one in the sink.
func rotateAsSelf(ctx context.Context, out io.Writer, cfg config) error {
	if err := checkSink(cfg.sink); err != nil {
		return err
	}
	old := sinkToken(cfg.sink)
	if old == "" {
		return fmt.Errorf("%s holds no token to rotate: an owner rotates first (-as owner)", cfg.sink)
	}
	job := cfg.client.WithAuth(auth.File(auth.WithPath(cfg.sink), auth.WithStrictPermissions()))
	me, err := job.WhoAmI(ctx)
	if err != nil {
		return fmt.Errorf("the token in %s does not work: %w", cfg.sink, err)
	}
	fmt.Fprintf(out, "the job signs in as %s (%s)\n", me.Email, me.OrganizationPermissionLevel)

	// What does not work for a service account that is no owner...
	if !me.IsOwner() {
		_, err := serviceaccounts.New(job).RotateKeys(ctx, serviceaccounts.ByEmail(me.Email))
		if !errors.Is(err, client.ErrForbidden) {
			return fmt.Errorf("RotateKeys on its own token: want forbidden, got %v", err)
		}
		fmt.Fprintf(out, "RotateKeys is for owners; the error says:\n    %v\n", err)
		for _, a := range client.AdviceOf(err) {
			if a.Action == client.ActionRotateOwnKey {
				fmt.Fprintf(out, "and advises, as data: %s\n", a.Action)
			}
		}
	}
	// ...and what does: its own keys' rotation.
	secret, err := keys.New(job).Rotate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rotated with keys.New(c).Rotate: new key %s (fingerprint %s)\n", secret, secret.Fingerprint())
	return store(ctx, out, cfg, me.Email, old, secret,
		"the job's own token is revoked, so it cannot rotate again: an organization owner must rotate the service account's keys (-as owner)")
}

// sinkToken returns the token in the sink, or "".
func sinkToken(sink string) credentials.Secret {
	if f, err := credentials.Load(sink); err == nil {
		return f.CLIToken
	}
	return ""
}

// store hands the new secret to the sink and verifies, as the integration
// would, that the new key signs in as email and the old one no longer.
// ifLost says what to do when the sink cannot take the key.
func store(ctx context.Context, out io.Writer, cfg config, email string, old, secret credentials.Secret, ifLost string) error {
	if err := credentials.Save(cfg.sink, secret); err != nil {
		return fmt.Errorf("the keys were rotated but the new key could not be stored (%w); %s", err, ifLost)
	}
	info, err := os.Stat(cfg.sink)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stored in %s (mode %#o)\n", cfg.sink, info.Mode().Perm())

	job := cfg.client.WithAuth(auth.File(auth.WithPath(cfg.sink), auth.WithStrictPermissions()))
	me, err := job.WhoAmI(ctx)
	if err != nil {
		return fmt.Errorf("the new key does not work: %w", err)
	}
	if me.Email != email {
		return fmt.Errorf("the new key belongs to %s, not %s", me.Email, email)
	}
	fmt.Fprintf(out, "verified: the new key signs in as %s\n", me.Email)
	if old != "" {
		if _, err := cfg.client.WithAuth(auth.StaticSecret(old)).WhoAmI(ctx); !errors.Is(err, client.ErrUnauthorized) {
			return fmt.Errorf("the old key %s still works after rotation (%v)", old, err)
		}
		fmt.Fprintf(out, "verified: the old key %s is rejected\n", old)
	}
	return nil
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
