// Command serviceaccount-rotation is a CI/CD integration's key rotation on
// a service account: create the service account if it is missing, rotate
// its keys, hand the new secret to a sink (here a credentials file written
// with mode 0600, which the job reads through the auth chain), then verify
// that the new key works and the old one does not.
//
// By default it runs against the embedded fake Anyscale API. With -live it
// uses the real auth chain (an organization owner's token) and
// $ANYSCALE_HOST, and rotates nothing unless -yes is given too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

func main() {
	live := flag.Bool("live", false, "use the real Anyscale API through the auth chain and $ANYSCALE_HOST")
	yes := flag.Bool("yes", false, "with -live: allow creating the service account and rotating its keys")
	name := flag.String("name", "ci-deployer", "the service account's name")
	sink := flag.String("sink", "", "the file the new key is written to (required with -live; default: a temporary file)")
	lifetime := flag.Duration("lifetime", 90*24*time.Hour, "the new key's lifetime")
	flag.Parse()

	cfg := config{name: *name, sink: *sink, lifetime: *lifetime}
	if err := run(context.Background(), os.Stdout, *live, *yes, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "rotation failed:", err)
		os.Exit(1)
	}
}

type config struct {
	name     string
	sink     string
	lifetime time.Duration
	// newClient makes a client that authenticates with a given provider.
	newClient func(auth.Provider) (*client.Client, error)
}

func run(ctx context.Context, out io.Writer, live, yes bool, cfg config) error {
	if live {
		// A live rotation revokes the keys in use: the new key must land
		// somewhere that outlives this program.
		if !yes {
			return errors.New("with -live, pass -yes to create the service account and rotate its keys")
		}
		if cfg.sink == "" {
			return errors.New("with -live, pass -sink with the file the new key goes to; the rotation revokes the old keys")
		}
		cfg.newClient = func(p auth.Provider) (*client.Client, error) { return client.New(client.WithProvider(p)) }
		return rotate(ctx, out, auth.DefaultChain(), cfg)
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
	cfg.newClient = func(p auth.Provider) (*client.Client, error) {
		return client.New(client.WithBaseURL(srv.URL), client.WithProvider(p))
	}
	return rotate(ctx, out, auth.Static(srv.Owner().Token), cfg)
}

// rotate is the integration's job, run with an owner's credentials.
func rotate(ctx context.Context, out io.Writer, owner auth.Provider, cfg config) error {
	c, err := cfg.newClient(owner)
	if err != nil {
		return err
	}
	sas := serviceaccounts.New(c)
	ref := serviceaccounts.ByName(cfg.name)

	// 1. The service account, created on the first run.
	sa, err := sas.Get(ctx, ref)
	switch {
	case errors.Is(err, client.ErrNotFound):
		created, err := sas.Create(ctx, cfg.name, serviceaccounts.WithExpiresIn(cfg.lifetime))
		if err != nil {
			return err
		}
		sa = &created.Account
		// Its first key goes to the sink too, so the old key below is real.
		if err := credentials.Save(cfg.sink, created.Secret); err != nil {
			return err
		}
		fmt.Fprintf(out, "created service account %s\n", sa.Email)
	case err != nil:
		return err
	default:
		fmt.Fprintf(out, "found service account %s\n", sa.Email)
	}

	// 2. The key in use now, if the sink has one.
	var old credentials.Secret
	if f, err := credentials.Load(cfg.sink); err == nil {
		old = f.CLIToken
	}

	// 3. Rotate: revoke every key, then make one.
	secret, err := sas.RotateAPIKeys(ctx, ref, serviceaccounts.WithExpiresIn(cfg.lifetime))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rotated: new key %s (fingerprint %s), valid for %s\n", secret, secret.Fingerprint(), days(cfg.lifetime))

	// 4. Hand the secret to the sink: an atomic write with mode 0600.
	if err := credentials.Save(cfg.sink, secret); err != nil {
		return fmt.Errorf("the keys were rotated but the new key could not be stored (%w); rotate again", err)
	}
	info, err := os.Stat(cfg.sink)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stored in %s (mode %#o)\n", cfg.sink, info.Mode().Perm())

	// 5. Verify as the integration would: the new key through the sink...
	job, err := cfg.newClient(auth.File(auth.WithPath(cfg.sink), auth.WithStrictPermissions()))
	if err != nil {
		return err
	}
	me, err := job.WhoAmI(ctx)
	if err != nil {
		return fmt.Errorf("the new key does not work: %w", err)
	}
	if me.Email != sa.Email {
		return fmt.Errorf("the new key belongs to %s, not %s", me.Email, sa.Email)
	}
	fmt.Fprintf(out, "verified: the new key signs in as %s\n", me.Email)

	// ...and the old key no longer.
	if old != "" {
		oldClient, err := cfg.newClient(auth.Static(old.Reveal()))
		if err != nil {
			return err
		}
		if _, err := oldClient.WhoAmI(ctx); !errors.Is(err, client.ErrUnauthorized) {
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
