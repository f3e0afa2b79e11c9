package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ascii"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// The login endpoints; they take no token.
const (
	startPath = "/api/v2/users/create_otp_token"
	pollPath  = "/api/v2/users/request_otp_token/"
)

// The official CLI's login polling.
const (
	DefaultPollInterval = 3 * time.Second
	DefaultMaxPolls     = 60
)

// DefaultLifetime is how long a key made by a login lives unless
// Options.ExpiresIn says otherwise.
const DefaultLifetime = 7 * 24 * time.Hour

// maxLifetime is the longest a user key lives, the key policy's 30 days
// (keys.MaxLifetime: package keys builds on this one, so it cannot be
// imported here; a test in keys holds the two equal).
const maxLifetime = 30 * 24 * time.Hour

// ConsoleHost is the documented host of the Anyscale console. Run accepts
// an approval URL on it, besides the API's own host.
const ConsoleHost = "console.anyscale.com"

// envHost is the variable that sets the API's base URL (auth.EnvHost,
// named here in advice only).
const envHost = "ANYSCALE_HOST"

// ErrURLRefused is matched (with errors.Is) by the error of a login whose
// server returned an approval URL that is not safe to open: not http(s),
// or on a host other than the API's own or ConsoleHost. Nothing was opened
// or polled, and no credentials were written.
var ErrURLRefused = errors.New("login URL refused")

// Options configures Run. The zero value follows the official CLI.
type Options struct {
	// ExpiresIn is the new key's lifetime (default DefaultLifetime, at
	// most 30 days, keys.MaxLifetime).
	ExpiresIn time.Duration
	// NoExpiry asks for a key that never expires; it excludes ExpiresIn.
	NoExpiry bool
	// OpenURL hands the approval URL to the user; the default prints it to
	// standard error. A browser opener fits here. Run hands it only an
	// https URL on the API's own host or on ConsoleHost (plain http only
	// when the API's base URL is itself http); any other URL the server
	// returns is refused with ErrURLRefused before OpenURL is called.
	OpenURL func(ctx context.Context, url string) error
	// PollInterval is the wait between polls (default DefaultPollInterval).
	PollInterval time.Duration
	// MaxPolls bounds the polls (default DefaultMaxPolls).
	MaxPolls int
	// CredentialsPath is where the token is saved (default
	// credentials.DefaultPath()).
	CredentialsPath string
}

// Result is the outcome of a login that was approved: of a successful
// one, or of one whose key could not be saved (Run's error says why; Path
// is empty).
type Result struct {
	// Secret is the new token, also saved at Path.
	Secret credentials.Secret
	// Path is the credentials file written ("" when the save failed).
	Path string
	// URL is the approval URL that was handed to OpenURL.
	URL string
}

type startAnswer struct {
	URL string `json:"url"`
	OTP string `json:"otp"`
}

type pollAnswer struct {
	// Valid is nil when the answer has no "valid": an answer the SDK
	// does not understand, which may still have handed out the token.
	Valid           *bool              `json:"valid"`
	ServerSessionID credentials.Secret `json:"server_session_id"`
}

type startQuery struct {
	DurationSeconds int64 `url:"duration_seconds"`
}

// Run logs in through the browser and saves the new key in the
// credentials file.
//
// API: GET /api/v2/users/create_otp_token
//
// API: GET /api/v2/users/request_otp_token/{otp}
//
// Run starts a login, hands the approval URL to opts.OpenURL, polls until
// the login is approved, validates the new token and saves it atomically
// with credentials.Save at opts.CredentialsPath. It sends no token, so it
// works on a client whose chain finds none. A login that is never
// approved, or fails at any step, leaves any existing credentials file as
// it was. Before it starts, Run checks with credentials.CheckSave that the
// key could be saved (a directory others may write is refused); should the
// save fail anyway, the result holds the key's secret along with the
// error. The server hands the token out once: if the answer carrying it is
// lost, the error says so, and the login must be run again.
func Run(ctx context.Context, c *client.Client, opts Options) (*Result, error) {
	if err := ctxguard.Check(ctx, "login.Run"); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := credentials.CheckSave(opts.CredentialsPath); err != nil {
		// The new key would exist with nobody to hold it.
		return nil, fmt.Errorf("login: not starting, since the new key could not be saved: %w", err)
	}
	duration := int64(opts.ExpiresIn / time.Second)
	if opts.NoExpiry {
		duration = 0
	}
	ctx = callopt.WithoutAuth(ctx)

	var start startAnswer
	if _, err := c.Do(ctx, http.MethodGet, startPath, startQuery{DurationSeconds: duration}, nil, &start); err != nil {
		return nil, fmt.Errorf("login: starting: %w", err)
	}
	if start.OTP == "" || start.URL == "" {
		return nil, runAgain(errors.New("login: starting: the server returned no login URL"), "try again")
	}
	if err := checkURL(start.URL, start.OTP, c.BaseURL()); err != nil {
		return nil, err
	}
	if err := opts.OpenURL(ctx, start.URL); err != nil {
		// The URL holds the pending login code: keep it out of the error.
		msg := strings.ReplaceAll(err.Error(), start.OTP, "{otp}")
		if ctx.Err() != nil {
			return nil, fmt.Errorf("login: handing over the approval URL: %s: %w", msg, ctx.Err())
		}
		return nil, fmt.Errorf("login: handing over the approval URL: %s", msg)
	}

	secret, err := poll(ctx, c, start.OTP, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Secret: secret, Path: opts.CredentialsPath, URL: start.URL}
	// Save validates the token before it writes anything.
	if err := credentials.Save(opts.CredentialsPath, secret); err != nil {
		// The key exists now: hand it back with the error, so it is not
		// lost. The error wraps Save's alone: a caller that reports the
		// cause takes it with errors.Unwrap.
		res.Path = ""
		return res, fmt.Errorf("login: approved, but the new key could not be saved (the result holds its secret): %w", err)
	}
	return res, nil
}

func poll(ctx context.Context, c *client.Client, otp string, opts Options) (credentials.Secret, error) {
	// A poll hands the token out once, so the client does not repeat one:
	// a transient failure waits for the next poll instead, which is the
	// retry. The login code in the path is a secret while the login is
	// pending: errors and logs show a placeholder.
	pollCtx := callopt.WithPathLabel(client.WithIdempotency(ctx, false), pollPath+"{otp}")
	timer := time.NewTimer(0)
	defer timer.Stop()
	// lost is the latest poll failure that the server may have acted on
	// (a lost answer, a 5xx) with no "not yet approved" answer since: it
	// may have handed the token out, after which the server forgets the
	// login code and answers 404.
	var lastErr, lost error
	for i := 0; i < opts.MaxPolls; i++ {
		select {
		case <-ctx.Done():
			return "", mayBeHandedOut(fmt.Errorf("login: waiting for the approval: %w", ctx.Err()), lost)
		case <-timer.C:
		}
		var res pollAnswer
		if _, err := c.Do(pollCtx, http.MethodGet, pollPath+url.PathEscape(otp), nil, nil, &res); err != nil {
			if lost != nil && ctx.Err() == nil && errors.Is(err, client.ErrNotFound) {
				return "", lostAnswer(lost, err, opts)
			}
			if ctx.Err() != nil || !transient(err) {
				return "", mayBeHandedOut(fmt.Errorf("login: polling: %w", err), lost)
			}
			if client.MayHaveActed(err) {
				lost = err
			}
			lastErr = err
			timer.Reset(opts.PollInterval)
			continue
		}
		if res.Valid == nil {
			return "", runAgain(acted.Mark(fmt.Errorf("login: polling: %w: the answer has no \"valid\" field; the server may have handed out a key in it, which is lost", client.ErrMalformedResponse)), "run the login again, and revoke a key named for this login in the console if one appears")
		}
		if *res.Valid {
			if res.ServerSessionID == "" {
				return "", runAgain(acted.Mark(errors.New("login: approved, but the server returned no token")), "run the login again")
			}
			return res.ServerSessionID, nil
		}
		// The code is still pending: no earlier poll handed the token out.
		lost = nil
		timer.Reset(opts.PollInterval)
	}
	if lost != nil {
		return "", mayBeHandedOut(fmt.Errorf("login: no answer said the login was approved after %d polls, %s apart (no credentials were written)",
			opts.MaxPolls, opts.PollInterval), lost)
	}
	if lastErr != nil {
		return "", fmt.Errorf("login: not approved after %d polls, %s apart (no credentials were written); the last poll failed: %w",
			opts.MaxPolls, opts.PollInterval, lastErr)
	}
	return "", fmt.Errorf("login: not approved after %d polls, %s apart; open the URL, approve the login, and run it again (no credentials were written)",
		opts.MaxPolls, opts.PollInterval)
}

// lostAnswer is the error of a login whose token was handed out in an
// answer that was lost: a poll failed after the server may have acted
// (lost), and the next one found the code gone (gone, a 404), as the
// server forgets a code once it hands out its token.
func lostAnswer(lost, gone error, opts Options) error {
	orphan := "the key it carried is held by nobody and expires unused within "
	if opts.ExpiresIn >= time.Hour {
		orphan += days(opts.ExpiresIn)
	} else {
		orphan += opts.ExpiresIn.String()
	}
	if opts.NoExpiry {
		orphan = "the key it carried is held by nobody and never expires"
	}
	// The error is the lost poll's: the server may have acted on it.
	err := fmt.Errorf("login: approved, but the answer carrying its token was lost: a poll failed after the server may have handed the token out (%w), "+
		"and the server forgets a login code once it has (%v); no credentials were written, so run the login again (%s)", lost, gone, orphan)
	if !opts.NoExpiry {
		return err
	}
	// A key that never expires stays until someone revokes it: look for
	// it once logged in.
	return advice.Wrap(err, advice.Advice{Action: advice.CheckFirst},
		"once logged in, find that key with keys.Service.Audit or keys.Service.List and revoke it")
}

// mayBeHandedOut adds to err, when a poll's answer was lost since the
// last "not yet approved" (lost), that the lost answer may have carried
// the token: nothing is concluded from an answer that never came, and the
// error may have acted as lost may have.
func mayBeHandedOut(err, lost error) error {
	if lost == nil {
		return err
	}
	return advice.Wrap(fmt.Errorf("%w; an earlier poll's answer was lost, and it may have carried the token, which nobody holds then (%w)", err, lost),
		advice.Advice{Action: advice.CheckFirst}, "run the login again, and revoke a key named for this login in the console if one appears")
}

// transient reports whether a failed poll may pass next time: a server
// error, a transport failure or rate limiting, not a refusal.
func transient(err error) bool {
	return client.MayHaveActed(err) || errors.Is(err, client.ErrRateLimited)
}

// invalid is an error in the options: ErrInvalid, the facts (no Go
// identifier), then what to change, in Go terms, as advice. It needs no
// action: ErrInvalid says it is the caller's to fix.
func invalid(facts, fix string) error {
	return advice.Wrap(fmt.Errorf("login: %w: %s", client.ErrInvalid, facts), advice.Advice{}, fix)
}

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.NoExpiry && o.ExpiresIn != 0:
		return o, invalid("both a lifetime and no expiry were asked for", "give Options.ExpiresIn or Options.NoExpiry, not both")
	case o.ExpiresIn == 0:
		o.ExpiresIn = DefaultLifetime
	}
	if !o.NoExpiry {
		if err := checkLifetime(o.ExpiresIn); err != nil {
			return o, err
		}
	}
	if o.PollInterval < 0 || o.MaxPolls < 0 {
		return o, invalid(fmt.Sprintf("a negative poll interval (%s) or poll count (%d)", o.PollInterval, o.MaxPolls),
			"give Options.PollInterval and Options.MaxPolls a positive value, or 0 for the default")
	}
	if o.PollInterval == 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxPolls == 0 {
		o.MaxPolls = DefaultMaxPolls
	}
	if o.OpenURL == nil {
		o.OpenURL = printURL
	}
	if o.CredentialsPath == "" {
		p, err := credentials.DefaultPath()
		if err != nil {
			return o, advice.Wrap(err, advice.Advice{}, "give Options.CredentialsPath")
		}
		o.CredentialsPath = p
	}
	return o, nil
}

// checkLifetime checks a login key's lifetime against the key policy: at
// least a second, at most maxLifetime.
func checkLifetime(d time.Duration) error {
	const fix = "give Options.ExpiresIn of 1s to 30 days (keys.MaxLifetime), or 0 for DefaultLifetime"
	switch {
	case d < 0:
		return invalid(fmt.Sprintf("the key lifetime %s is negative", d), fix)
	case d < time.Second:
		return invalid(fmt.Sprintf("the key lifetime %s is under a second", d), fix)
	case d > maxLifetime:
		return invalid(fmt.Sprintf("the key lifetime %s is over the 30-day maximum", d),
			"give Options.ExpiresIn of at most 30 days (keys.MaxLifetime), and log in again before the key expires")
	}
	return nil
}

func printURL(_ context.Context, u string) error {
	_, err := fmt.Fprintf(os.Stderr, "Open this URL in a browser to approve the login:\n\n    %s\n\n", u)
	return err
}

// checkURL refuses an approval URL that is not safe to hand to OpenURL (a
// browser, say): it must be an absolute https URL, without user info, on
// the API's own host and port (base) or on ConsoleHost; plain http is
// accepted only on the API's host when base is itself http (a local fake
// API). The error shows the URL with the login code replaced by {otp}.
func checkURL(raw, otp, base string) error {
	hide := func(s string) string { return strings.ReplaceAll(s, otp, "{otp}") }
	reason := urlProblem(raw, base, hide)
	if reason == "" {
		return nil
	}
	err := fmt.Errorf("login: starting: %w: the server answered with the approval URL %s, which %s; nothing was opened and no credentials were written",
		ErrURLRefused, shownURL(raw, otp), reason)
	host := base
	if b, perr := url.Parse(base); perr == nil && b.Host != "" {
		host = b.Host
	}
	return advice.Wrap(err, advice.Advice{Action: advice.ExplainChain, Subject: host},
		fmt.Sprintf("run the login again; if this repeats, the API at %s is not one to log in to: check the base URL (client.WithBaseURL or %s)", base, envHost))
}

// urlProblem says what is wrong with the approval URL raw for the API at
// base, or returns "" when it is acceptable. The parts of raw it quotes go
// through hide, which removes the login code.
func urlProblem(raw, base string, hide func(string) string) string {
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return "cannot be checked, because the client's base URL does not parse"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "does not parse as a URL"
	case u.Scheme == "":
		return "is not an absolute URL"
	case u.Scheme != "https" && !(u.Scheme == "http" && b.Scheme == "http"):
		if u.Scheme == "http" {
			return fmt.Sprintf("uses plain http while the API at %s uses https", base)
		}
		if b.Scheme == "http" {
			return fmt.Sprintf("has the scheme %q; only http(s) URLs are opened", hide(u.Scheme))
		}
		return fmt.Sprintf("has the scheme %q; only https URLs are opened", hide(u.Scheme))
	case u.Opaque != "" || u.Host == "":
		return "names no host"
	case u.User != nil:
		return "carries user info before its host (a way to disguise the host it really names)"
	}
	console := ascii.EqualFold(u.Hostname(), ConsoleHost)
	if sameHost(u, b) || (console && u.Scheme == "https" && port(u) == "443") {
		return ""
	}
	if console {
		return fmt.Sprintf("is on %s but not as https on its default port, the only form accepted there", ConsoleHost)
	}
	return fmt.Sprintf("is on the host %q: neither the API's own host %q nor %s", hide(u.Host), b.Host, ConsoleHost)
}

// sameHost reports whether u and base name the same host and port; host
// names compare without regard to the case of ASCII letters only, as DNS
// does.
func sameHost(u, base *url.URL) bool {
	return ascii.EqualFold(u.Hostname(), base.Hostname()) && port(u) == port(base)
}

// port returns u's port, or its scheme's default port.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// maxShownURL bounds the length of a refused URL in an error.
const maxShownURL = 200

// shownURL is raw quoted for an error, with the login code replaced by
// {otp} and cut to maxShownURL bytes. A URL that still holds the code in
// an escaped form is not shown at all.
func shownURL(raw, otp string) string {
	s := strings.ReplaceAll(raw, otp, "{otp}")
	for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
		if d, err := unescape(s); err == nil && strings.Contains(d, otp) {
			return "(not shown: it holds the login code in an escaped form)"
		}
	}
	if len(s) > maxShownURL {
		cut := maxShownURL
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// days renders a duration in days and hours, as "6d 23h".
func days(d time.Duration) string {
	d = d.Round(time.Hour)
	if d < 24*time.Hour {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// runAgain advises running the login again, which is safe: a login that
// did not finish wrote nothing.
func runAgain(err error, text string) error {
	return advice.Wrap(err, advice.Advice{Action: advice.RunAgain}, text)
}
