// Command quickstart shows the SDK doing its job end to end: which
// credential source the auth chain picks, who the token belongs to,
// creating, listing, searching and paging keys, using a new key from the
// same client, an owner filtering a collaborator's keys by email, a bulk
// revoke that accounts for every id, service accounts, and audits that
// find legacy and unused keys and name their owners.
//
// By default it runs against the embedded fake Anyscale API
// (anyscaletest) and needs no account:
//
//	go run ./examples/quickstart
//
// With -live it uses the real auth chain and $ANYSCALE_HOST, and creates
// or revokes nothing unless -yes is given too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

func main() {
	live := flag.Bool("live", false, "use the real Anyscale API through the auth chain and $ANYSCALE_HOST")
	yes := flag.Bool("yes", false, "with -live: allow creating and revoking keys")
	collaborator := flag.String("collaborator-email", "", "with -live: a member whose keys the owner section lists")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, options{live: *live, yes: *yes, collaboratorEmail: *collaborator}); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart failed:", err)
		os.Exit(1)
	}
}

type options struct {
	live, yes         bool
	collaboratorEmail string
}

// demo holds what the sections share.
type demo struct {
	out    io.Writer
	srv    *anyscaletest.Server // nil with -live
	chain  *auth.Chain
	client *client.Client
	mutate bool
	// credentialsPath is the embedded demo's credentials file.
	credentialsPath string
	// prefix starts the name of everything the demo creates; live runs
	// add a timestamp, so a run never collides with an earlier one.
	prefix string
	// cleaned is set once the demo's keys were bulk-revoked.
	cleaned bool
	// collaboratorKeys holds the ids of the embedded collaborator's keys.
	collaboratorKeys []string
}

func (d *demo) section(title string) { fmt.Fprintf(d.out, "\n== %s\n", title) }

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.out, "   "+format+"\n", args...) }

func run(ctx context.Context, out io.Writer, opts options) error {
	d := &demo{out: out, mutate: !opts.live || opts.yes, prefix: "quickstart"}
	if opts.live {
		d.prefix = fmt.Sprintf("quickstart-%d", time.Now().Unix())
	}
	if opts.live {
		d.chain = auth.DefaultChain()
		c, err := client.New(client.WithProvider(d.chain), client.WithUserAgent("anyscale-go-quickstart"))
		if err != nil {
			return err
		}
		d.client = c
		fmt.Fprintf(out, "Live mode against %s.\n", c.BaseURL())
	} else {
		cleanup, err := d.startEmbedded()
		if err != nil {
			return err
		}
		defer cleanup()
	}

	var steps []func(context.Context) error
	if d.srv != nil {
		steps = append(steps, d.explainBeforeLogin, d.login)
	}
	steps = append(steps, d.explain, d.whoAmI, d.createAndList)
	if d.srv != nil || opts.collaboratorEmail != "" {
		steps = append(steps, func(ctx context.Context) error { return d.ownerView(ctx, opts.collaboratorEmail) })
	}
	steps = append(steps, d.bulkRevoke, d.serviceAccounts, d.audit)
	if d.mutate {
		// Whatever fails, the keys and the service account the demo made
		// do not outlive it.
		defer d.cleanup(ctx)
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// startEmbedded starts the fake API and a chain that reads a credentials
// file in a temporary directory, where the login section saves the token
// `anyscale login` would.
func (d *demo) startEmbedded() (func(), error) {
	d.srv = anyscaletest.NewServer(anyscaletest.WithOrgName("Quickstart Org"), anyscaletest.WithOwnerEmail("owner@example.com"))
	dir, err := os.MkdirTemp("", "anyscale-quickstart-")
	if err != nil {
		d.srv.Close()
		return nil, err
	}
	cleanup := func() {
		d.srv.Close()
		os.RemoveAll(dir)
	}
	d.credentialsPath = filepath.Join(dir, credentials.DirName, credentials.FileName)
	// The demo's chain reads only its own credentials file, so that no
	// real token (ANYSCALE_CLI_TOKEN, a workspace's) is used or sent to
	// the fake API.
	d.chain = auth.NewChain(auth.File(auth.WithPath(d.credentialsPath)))
	c, err := client.New(client.WithBaseURL(d.srv.URL), client.WithProvider(d.chain))
	if err != nil {
		cleanup()
		return nil, err
	}
	d.client = c
	fmt.Fprintf(d.out, "Embedded fake Anyscale API at %s (pass -live for the real one).\n", d.srv.URL)
	return cleanup, nil
}

// explainBeforeLogin shows the chain finding nothing on a fresh machine.
func (d *demo) explainBeforeLogin(ctx context.Context) error {
	d.section("A fresh machine: no credentials yet")
	_, err := d.client.WhoAmI(ctx)
	var chainErr *auth.ChainError
	if !errors.As(err, &chainErr) {
		return fmt.Errorf("expected the chain to find no token, got %v", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		d.printf("%s", line)
	}
	return nil
}

// login runs the browser login; the fake API approves a login when its URL
// is opened, as a person would in a browser.
func (d *demo) login(ctx context.Context) error {
	d.section("Log in (the browser flow of `anyscale login`)")
	res, err := login.Run(ctx, d.client, login.Options{
		CredentialsPath: d.credentialsPath,
		PollInterval:    100 * time.Millisecond,
		OpenURL: func(ctx context.Context, u string) error {
			d.printf("open %s and approve", u)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		},
	})
	if err != nil {
		return err
	}
	d.printf("approved; a 7-day key %s was saved to %s (mode 0600)", res.Secret, res.Path)
	d.chain.Invalidate()
	return nil
}

func (d *demo) explain(ctx context.Context) error {
	d.section("Which credential source did the chain pick?")
	report := d.chain.Explain(ctx)
	d.lines(report.String())
	if d.client.BaseURL() != report.Host {
		d.printf("(the host line is what a client without WithBaseURL uses; this one was given %s)", d.client.BaseURL())
	}
	return report.Err
}

func (d *demo) whoAmI(ctx context.Context) error {
	d.section("Who does the token belong to?")
	me, err := d.client.WhoAmI(ctx)
	if err != nil {
		return err
	}
	org := me.OrganizationID()
	if len(me.Organizations) > 0 {
		org = me.Organizations[0].Name
	}
	d.printf("%s (%s), %s of %s", me.Email, me.ID, me.OrganizationPermissionLevel, org)
	return nil
}

func (d *demo) createAndList(ctx context.Context) error {
	ks := keys.New(d.client)
	d.section("Create a named key that expires in 30 days")
	if !d.mutate {
		d.printf("skipped: pass -yes with -live to create and revoke keys")
	} else {
		var first *keys.CreatedKey
		for _, suffix := range []string{"ci", "etl", "scratch"} {
			k, err := ks.Create(ctx, keys.CreateRequest{Name: d.prefix + "-" + suffix, ExpiresIn: keys.MaxLifetime})
			if err != nil {
				return err
			}
			if first == nil {
				first = k
			}
			d.printf("%-20s id %s  expires %s  secret %s", k.Key.Name, k.Key.DisplayID, day(k.Key.ExpiresAt), k.Secret)
		}
		d.printf("(a secret is shown once, at creation: store it now; it prints redacted, Reveal() gives the raw value)")
		// The same client, with the new key as its token: no Reveal needed.
		me, err := d.client.WithAuth(auth.StaticSecret(first.Secret)).WhoAmI(ctx)
		if err != nil {
			return fmt.Errorf("the new key does not work: %w", err)
		}
		d.printf("the new key %s works: it signs in as %s", first.Key.Name, me.Email)
		_, err = ks.Create(ctx, keys.CreateRequest{Name: d.prefix + "-ci", ExpiresIn: keys.MaxLifetime})
		d.printf("a second active key named %s-ci is a conflict: %v", d.prefix, errors.Is(err, client.ErrConflict))
		_, err = ks.Create(ctx, keys.CreateRequest{Name: d.prefix + "-long", ExpiresIn: 90 * 24 * time.Hour})
		d.printf("a 90-day key is refused before any request: %v", errors.Is(err, client.ErrInvalid))
	}

	d.section("List and search your keys")
	page, err := ks.List(ctx, keys.ListOptions{})
	if err != nil {
		return err
	}
	d.printf("first page: %d of %d keys", len(page.Items), page.Total)
	found, err := ks.List(ctx, keys.ListOptions{Name: d.prefix})
	if err != nil {
		return err
	}
	for _, k := range found.Items {
		d.printf("search %q: %-20s %s", d.prefix, k.Name, k.Status(time.Now()))
	}

	d.section("Page through every key with All (2 a page)")
	n := 0
	for k, err := range ks.All(ctx, keys.ListOptions{PageSize: 2}) {
		if err != nil {
			return err
		}
		n++
		d.printf("%d. %s", n, k.Name)
	}
	return nil
}

// ownerView lists a collaborator's keys by email. It only lists: the
// bulk revoke below touches the demo's own keys, and in the embedded demo
// the collaborator it made up.
func (d *demo) ownerView(ctx context.Context, email string) error {
	org := keys.New(d.client).Org()
	d.section("As the owner, filter a collaborator's keys by email")
	if d.srv != nil {
		ada := d.srv.AddUser("ada@example.com", anyscaletest.Collaborator)
		email = ada.Email
		c, err := d.srv.Client(ada)
		if err != nil {
			return err
		}
		for _, name := range []string{"notebook", "laptop"} {
			if _, err := keys.New(c).Create(ctx, keys.CreateRequest{Name: name, ExpiresIn: 14 * 24 * time.Hour}); err != nil {
				return err
			}
		}
		_, err = keys.New(c).Org().List(ctx, keys.ListOptions{})
		d.printf("the collaborator asking for the org's keys gets forbidden: %v", errors.Is(err, client.ErrForbidden))
	}
	for k, err := range org.All(ctx, keys.ListOptions{Owner: organization.ByEmail(email)}) {
		if err != nil {
			return err
		}
		d.printf("%s: %-12s expires %s", email, k.Name, day(k.ExpiresAt))
		if d.srv != nil {
			d.collaboratorKeys = append(d.collaboratorKeys, k.ID)
		}
	}
	return nil
}

// demoKeys returns the ids of the caller's active keys whose names start
// with the demo's prefix: the ones it made, even those Create could not
// read back.
func (d *demo) demoKeys(ctx context.Context) ([]string, error) {
	var ids []string
	for k, err := range keys.New(d.client).All(ctx, keys.ListOptions{Name: d.prefix}) {
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(k.Name, d.prefix+"-") && k.Status(time.Now()) == keys.Active {
			ids = append(ids, k.ID)
		}
	}
	return ids, nil
}

// bulkRevoke revokes the keys the demo made, and in the embedded demo the
// made-up collaborator's keys and an id that does not exist.
func (d *demo) bulkRevoke(ctx context.Context) error {
	d.section("Bulk-revoke (at most 50 a request; every id accounted for)")
	if !d.mutate {
		d.printf("skipped: pass -yes with -live to revoke keys")
		return nil
	}
	ids, err := d.demoKeys(ctx)
	if err != nil {
		return err
	}
	revokeMany := keys.New(d.client).RevokeMany
	if d.srv != nil {
		ids = append(ids, d.collaboratorKeys...)
		ids = append(ids, "no-such-key")
		revokeMany = keys.New(d.client).Org().RevokeMany
	}
	if len(ids) == 0 {
		d.printf("nothing to revoke")
		return nil
	}
	res, err := revokeMany(ctx, ids)
	if err != nil {
		return err
	}
	d.cleaned = true
	d.printf("revoked %d; no active key for %v; may still be active: %d", len(res.Revoked), res.NotFound, len(res.Failed))
	return nil
}

// cleanup runs when the demo ends: it revokes the demo's keys if the bulk
// revoke did not, and deletes the demo's service account if it is left.
func (d *demo) cleanup(ctx context.Context) {
	if !d.cleaned {
		ids, err := d.demoKeys(ctx)
		if err == nil && len(ids) > 0 {
			_, err = keys.New(d.client).RevokeMany(ctx, ids)
		}
		if err != nil {
			fmt.Fprintf(d.out, "\ncleanup: revoke the keys named %s-* by hand: %v\n", d.prefix, err)
		}
	}
	err := serviceaccounts.New(d.client).Delete(ctx, serviceaccounts.ByName(d.prefix+"-bot"))
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		fmt.Fprintf(d.out, "\ncleanup: delete the service account %s-bot by hand: %v\n", d.prefix, err)
	}
}

func (d *demo) serviceAccounts(ctx context.Context) error {
	d.section("Service accounts for production integrations (owners only)")
	if !d.mutate {
		d.printf("skipped: pass -yes with -live to create a service account")
		return nil
	}
	sas := serviceaccounts.New(d.client)
	name := d.prefix + "-bot"
	ref := serviceaccounts.ByName(name)
	created, err := sas.Create(ctx, name, serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour})
	if err != nil {
		return err
	}
	d.printf("created %s with its first key %s (shown once)", created.Account.Email, created.Secret)
	second, err := sas.CreateKey(ctx, ref, serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour})
	if err != nil {
		return err
	}
	d.printf("a second key %s", second)
	n := 0
	for _, err := range sas.Keys(ctx, ref) {
		if err != nil {
			return err
		}
		n++
	}
	d.printf("it has %d keys", n)
	rotated, err := sas.RotateKeys(ctx, ref, serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour})
	if err != nil {
		return err
	}
	d.printf("rotated: every old key revoked, new key %s", rotated)
	if err := sas.Delete(ctx, ref); err != nil {
		return err
	}
	_, err = sas.Get(ctx, ref)
	d.printf("deleted; looking it up again finds nothing: %v", errors.Is(err, client.ErrNotFound))
	return nil
}

func (d *demo) audit(ctx context.Context) error {
	d.section("Audit your keys against the policy")
	if d.srv != nil {
		id := d.srv.AddLegacyKey(d.srv.Owner(), "old-laptop")
		d.srv.SetLastUsed(id, d.srv.Now().Add(-45*24*time.Hour))
		d.printf("(seeded a legacy key without expiry, last used 45 days ago, as keys made before the policy are)")
	}
	report, err := keys.New(d.client).Audit(ctx, keys.AuditOptions{})
	if err != nil {
		return err
	}
	d.lines(report.String())
	if d.srv != nil && (!hasFinding(report, keys.FindingLegacy) || !hasFinding(report, keys.FindingUnused)) {
		return errors.New("the audit missed the legacy key or the unused one")
	}

	d.section("Audit the whole organization, naming every key's owner (owners only)")
	if d.srv != nil {
		if ada, ok := d.srv.LookupUser("ada@example.com"); ok {
			d.srv.AddLegacyKey(ada, "old-script")
			d.printf("(seeded a legacy key of ada's)")
		}
	}
	report, err = keys.New(d.client).Org().Audit(ctx, keys.AuditOptions{})
	if errors.Is(err, client.ErrForbidden) {
		d.printf("skipped: only organization owners audit every member's keys")
		return nil
	}
	if err != nil {
		return err
	}
	d.lines(report.String())
	if d.srv != nil && !namesOwner(report, "ada@example.com") {
		return errors.New("the organization audit did not name the collaborator")
	}
	return nil
}

// lines prints a multi-line text, indented.
func (d *demo) lines(text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		d.printf("%s", line)
	}
}

func namesOwner(r *keys.AuditReport, email string) bool {
	for _, f := range r.Findings {
		if f.OwnerEmail == email {
			return true
		}
	}
	return false
}

func hasFinding(r *keys.AuditReport, kind keys.FindingKind) bool {
	for _, f := range r.Findings {
		if f.Kind == kind {
			return true
		}
	}
	return false
}

func day(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format(time.DateOnly)
}
