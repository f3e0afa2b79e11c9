// Command renew is a service account replacing its own key, on its own
// token, with keys.Renew: the order that never loses access. It runs
// against the embedded fake Anyscale API and injects a fault between the
// steps on the way: after each run it prints the invariant, that the
// store holds a key that works, and how many keys of the lineage are
// active. The next run always converges to one.
//
//	go run ./examples/renew
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "renew:", err)
		os.Exit(1)
	}
}

// lineage is the name Renew gives the keys it makes, and finds them by.
const lineage = "deploy"

var lineageName = regexp.MustCompile(`^` + lineage + `-\d{8}T\d{6}Z(-\d+)?$`)

func run(ctx context.Context, out io.Writer) error {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	sa := srv.AddServiceAccount("ci-deployer")
	// No retries: each injected fault shows at once.
	c, err := srv.Client(sa, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "renew-example-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, credentials.FileName)
	store := keys.FileStore(path)
	own := keys.New(c)
	opts := keys.RenewOptions{Name: lineage}

	show := func(step string, res *keys.RenewResult, err error) error {
		fmt.Fprintf(out, "\n%s\n", step)
		switch {
		case err != nil:
			fmt.Fprintf(out, "  renew failed: %s\n", brief(client.Facts(err)))
		case res != nil:
			fmt.Fprintf(out, "  renewed: new key %s, revoked %d older\n", res.New.Name, len(res.Revoked))
		}
		stored, err := store.Load(ctx)
		if err != nil {
			return fmt.Errorf("the store lost its key: %w", err)
		}
		who, err := c.WithAuth(auth.StaticSecret(stored.Secret)).WhoAmI(ctx)
		if err != nil {
			return fmt.Errorf("the stored key does not work: %w", err)
		}
		active := 0
		for _, k := range srv.Keys(sa) {
			if k.RevokedAt == nil && lineageName.MatchString(k.Name) {
				active++
			}
		}
		fmt.Fprintf(out, "  invariant: the store holds key %s…, which answers as %s; %d key(s) of the lineage active\n",
			stored.KeyID[:8], who.Email, active)
		return nil
	}

	res, err := own.Renew(ctx, store, opts)
	if err := show("1. First run, on the service account's first token:", res, err); err != nil {
		return err
	}

	srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", Drop: true, AfterHandler: true})
	res, err = own.Renew(ctx, store, opts)
	if err := show("2. The answer to the new key is lost (the server made it):", res, err); err != nil {
		return err
	}

	crashing := &crashAfterSave{Store: store}
	res, err = renewCrashing(ctx, own, crashing, opts)
	if err := show("3. The process dies right after saving the new key:", res, err); err != nil {
		return err
	}

	srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/api_keys/revoke", Status: http.StatusServiceUnavailable})
	srv.FailNext(anyscaletest.Fault{Method: http.MethodDelete, PathPrefix: "/api/v2/users/api_keys/", Status: http.StatusServiceUnavailable})
	res, err = own.Renew(ctx, store, opts)
	if err := show("4. Revoking the older keys fails:", res, err); err != nil {
		return err
	}

	srv.ClearFaults()
	res, err = own.Renew(ctx, store, opts)
	if err := show("5. The next run finishes the job:", res, err); err != nil {
		return err
	}
	return err // the last run must have succeeded
}

// brief cuts a long error to its first line, and that to 120
// characters, for the demo's output.
func brief(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

// crashAfterSave is a store whose process dies right after a save.
type crashAfterSave struct{ keys.Store }

// errCrash stands for the process dying.
var errCrash = errors.New("the process died")

func (s *crashAfterSave) Save(ctx context.Context, st keys.Stored) error {
	if err := s.Store.Save(ctx, st); err != nil {
		return err
	}
	panic(errCrash)
}

// renewCrashing runs Renew until the injected crash, as a process would
// run until it died; the store is what the next process finds.
func renewCrashing(ctx context.Context, own *keys.Service, store keys.Store, opts keys.RenewOptions) (res *keys.RenewResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errCrash {
				panic(r)
			}
			res, err = nil, errCrash
		}
	}()
	return own.Renew(ctx, store, opts)
}
