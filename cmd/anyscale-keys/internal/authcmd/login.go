package authcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
)

// LoginOptions are `login`'s flags and dependencies.
type LoginOptions struct {
	F *cmdutil.Factory

	// ExpiresIn is --expires: the key's lifetime, 0 for the default
	// (login.DefaultLifetime).
	ExpiresIn time.Duration
	// NoExpiry is --no-expiry.
	NoExpiry bool
	// Web is --web: open the approval URL in the browser.
	Web bool
	// ApproveWithHTTP is the hidden --approve-with-http, for tests: approve
	// the login with an HTTP GET of its URL instead of a browser.
	ApproveWithHTTP bool
	// PollInterval is the hidden --poll-interval, for tests: 0 for the
	// SDK's default.
	PollInterval time.Duration

	// OpenBrowser opens a URL in the user's browser (default: the
	// system's opener, see openBrowser).
	OpenBrowser func(ctx context.Context, url string) error
	// ApproveURL fetches the approval URL as a browser would, for
	// --approve-with-http (default: an HTTP GET, see getURL).
	ApproveURL func(ctx context.Context, url string) error
	// Now is the clock the expiry is reported by (default time.Now).
	Now func() time.Time
}

// loginJSON is login's -o json output: where the key was saved, when it
// expires and who approved the login. It never holds the key.
type loginJSON struct {
	Path string `json:"path"`
	// ExpiresAt is when the key expires by this machine's clock, to within
	// the wait between polls; null for a key without expiry.
	ExpiresAt *time.Time `json:"expires_at"`
	// Email is who approved the login, "" when it could not be checked.
	Email string `json:"email"`
}

// NewCmdLogin returns `login`.
func NewCmdLogin(f *cmdutil.Factory) *cobra.Command { return newCmdLogin(f, nil) }

// newCmdLogin returns `login`; runF, when set, runs instead of loginRun
// (tests check the parsing alone).
func newCmdLogin(f *cmdutil.Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{F: f, OpenBrowser: openBrowser, ApproveURL: getURL, Now: time.Now}
	var expires string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with the browser and save a key",
		Long: `Log in through the browser and save a new API key in the credentials file,
~/.anyscale/credentials.json (mode 0600), where anyscale-keys, the Go SDK and
the official Anyscale CLI all find it.

login prints an approval URL on standard error: open it in a browser where you
are signed in to Anyscale and approve the login. With --web, login opens the
browser itself. It then waits for the approval (up to three minutes; Ctrl-C
stops it) and saves the key. It needs no token to start. A login that is not
approved leaves any credentials file as it was.

The key expires after 7 days unless --expires says otherwise (at most 30d);
--no-expiry asks for a key that never expires.

The key is never printed. Standard output gets nothing; with -o json, an
object: path (the file written), expires_at (by this machine's clock, to within
a few seconds; null with --no-expiry) and email (who approved the login).
Should the key fail to be saved after the approval, its secret is printed
alone on standard output, so it is not lost, and login exits with 1.

ANYSCALE_CLI_TOKEN, when set, comes before the credentials file: unset it to
use the new key.`,
		Example: `  # Print the URL, approve the login in a browser, save the key
  anyscale-keys login

  # Open the browser too, for a key that lives 30 days
  anyscale-keys login --web --expires 30d

  # Where the key went, for a script
  anyscale-keys login -o json | jq -r .path`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl := cmd.Flags()
			if fl.Changed("expires") && opts.NoExpiry {
				return cmdutil.UsageError(errors.New("--expires and --no-expiry conflict: give one or neither"))
			}
			if opts.Web && opts.ApproveWithHTTP {
				return cmdutil.UsageError(errors.New("--web and --approve-with-http conflict: give one or neither"))
			}
			if fl.Changed("expires") {
				d, err := cmdutil.ParseDuration(expires)
				if err != nil {
					return fmt.Errorf("--expires: %w", err)
				}
				switch {
				case d < time.Second:
					return cmdutil.UsageError(fmt.Errorf("--expires %s is under a second: give a lifetime such as 7d", expires))
				case d > keys.MaxLifetime:
					return cmdutil.UsageError(fmt.Errorf("--expires %s is over 30d, the longest a user key lives: give at most 30d", expires))
				}
				opts.ExpiresIn = d
			}
			if opts.PollInterval < 0 {
				return cmdutil.UsageError(errors.New("--poll-interval must not be negative"))
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&expires, "expires", "", "the key's lifetime, a `DURATION` such as 12h, 7d or 30d (default 7d, at most 30d)")
	fl.BoolVar(&opts.NoExpiry, "no-expiry", false, "ask for a key that never expires")
	fl.BoolVar(&opts.Web, "web", false, "open the approval URL in the browser")
	fl.BoolVar(&opts.ApproveWithHTTP, "approve-with-http", false, "for tests: approve the login with an HTTP GET of its URL instead of a browser")
	fl.DurationVar(&opts.PollInterval, "poll-interval", 0, "for tests: the wait between polls, a `DURATION` (default 3s)")
	_ = fl.MarkHidden("approve-with-http")
	_ = fl.MarkHidden("poll-interval")
	cmdutil.AddTimeoutFlag(cmd, f)
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	f := opts.F
	path, err := f.CredentialsPath()
	if err != nil {
		return err
	}
	c, err := f.Client()
	if err != nil {
		return err
	}
	sdkOpts := login.Options{
		ExpiresIn:       opts.ExpiresIn,
		NoExpiry:        opts.NoExpiry,
		PollInterval:    opts.PollInterval,
		CredentialsPath: path,
	}
	sdkOpts.OpenURL = func(ctx context.Context, u string) error { return opts.handOver(ctx, u, sdkOpts) }
	// The login itself sends no token: it works with none configured.
	res, err := login.Run(ctx, c, sdkOpts)
	if err != nil {
		if res != nil && !res.Secret.IsZero() {
			return rescue(f, res, path, err)
		}
		return err
	}

	out := loginJSON{Path: res.Path}
	if !opts.NoExpiry {
		lifetime := opts.ExpiresIn
		if lifetime == 0 {
			lifetime = login.DefaultLifetime
		}
		t := opts.Now().Add(lifetime).UTC().Truncate(time.Second)
		out.ExpiresAt = &t
	}
	// The new key's first call: it works, and says whose it is.
	if me, err := c.WithAuth(auth.StaticSecret(res.Secret)).WhoAmI(ctx); err == nil {
		out.Email = me.Email
	} else {
		fmt.Fprintf(f.IO.ErrOut, "warning: the new key was saved but could not be checked: %s\n", client.Facts(err))
	}

	who := "Logged in"
	if out.Email != "" {
		who += " as " + out.Email
	}
	expiry := "never expires"
	if out.ExpiresAt != nil {
		expiry = "expires about " + cmdutil.Date(out.ExpiresAt)
	}
	fmt.Fprintf(f.IO.ErrOut, "%s. The new key %s; it was saved to %s.\n", who, expiry, res.Path)
	if _, set := os.LookupEnv(auth.EnvToken); set {
		fmt.Fprintf(f.IO.ErrOut, "Note: %s is set, and comes before the credentials file: unset it to use the new key.\n", auth.EnvToken)
	}
	if f.JSON() {
		return cmdutil.WriteJSON(f.IO.Out, out)
	}
	return nil
}

// handOver hands the approval URL to the user: it prints it on standard
// error, then opens it in the browser with --web, or approves it with an
// HTTP GET with --approve-with-http. A browser that fails to open is no
// failure: the user can open the URL.
func (opts *LoginOptions) handOver(ctx context.Context, u string, sdkOpts login.Options) error {
	w := opts.F.IO.ErrOut
	fmt.Fprintf(w, "Open this URL in a browser to approve the login:\n\n    %s\n\n", u)
	switch {
	case opts.ApproveWithHTTP:
		fmt.Fprintln(w, "Approving it with an HTTP GET (--approve-with-http).")
		if err := opts.ApproveURL(ctx, u); err != nil {
			return fmt.Errorf("approving the login with an HTTP GET: %w", err)
		}
	case opts.Web:
		fmt.Fprintln(w, "Opening it in your browser.")
		if err := opts.OpenBrowser(ctx, u); err != nil {
			fmt.Fprintf(w, "Could not open a browser (%v): open the URL yourself.\n", err)
		}
	}
	interval, polls := sdkOpts.PollInterval, sdkOpts.MaxPolls
	if interval == 0 {
		interval = login.DefaultPollInterval
	}
	if polls == 0 {
		polls = login.DefaultMaxPolls
	}
	fmt.Fprintf(w, "Waiting for the approval (up to %s; Ctrl-C stops)...\n", waitTime(interval*time.Duration(polls)))
	return nil
}

// waitTime renders how long login waits: "3 minutes", or Go's form.
func waitTime(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "1 minute"
	case d > time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

// rescue handles a login that was approved but whose key could not be
// saved: the key exists and nobody else holds it, so its secret goes alone
// to standard output, the one place a new secret is printed.
func rescue(f *cmdutil.Factory, res *login.Result, path string, err error) error {
	cause := errors.Unwrap(err)
	if cause == nil {
		cause = err
	}
	if _, werr := fmt.Fprintln(f.IO.Out, res.Secret.Reveal()); werr != nil {
		return fmt.Errorf("the login was approved, but its key could not be saved to %s (%v) nor printed (%v); "+
			"it is lost: revoke it with \"anyscale-keys keys list\" and \"anyscale-keys keys revoke ID\" once logged in", path, cause, werr)
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Err: fmt.Errorf(
		"the login was approved, but its key could not be saved to %s: %v; "+
			"its secret is on standard output, the only place it appears: store it, or revoke the key", path, cause)}
}

// approveTimeout bounds the HTTP GET of --approve-with-http.
const approveTimeout = 30 * time.Second

// getURL approves a login as a browser would, with an HTTP GET of its
// approval URL; any answer but a 2xx is an error. It is for tests, against
// a fake API whose approval page approves on a GET.
func getURL(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: approveTimeout}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the approval page answered %s", resp.Status)
	}
	return nil
}
