package keys

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

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ascii"
	"github.com/anyscale-go/anyscale/internal/callopt"
)

// The login endpoints; they take no token.
const (
	loginStartPath = "/api/v2/users/create_otp_token"
	loginPollPath  = "/api/v2/users/request_otp_token/"
)

// The official CLI's login polling.
const (
	DefaultPollInterval = 3 * time.Second
	DefaultMaxPolls     = 60
)

// ConsoleHost is the documented host of the Anyscale console. Login
// accepts an approval URL on it, besides the API's own host.
const ConsoleHost = "console.anyscale.com"

// ErrLoginURLRefused is matched (with errors.Is) by the error of a Login
// whose server returned an approval URL that is not safe to open: not
// http(s), or on a host other than the API's own or ConsoleHost. Nothing
// was opened or polled, and no credentials were written.
var ErrLoginURLRefused = errors.New("login URL refused")

// LoginOptions configures Login. The zero value follows the official CLI.
type LoginOptions struct {
	// ExpiresIn is the new key's lifetime (default LoginLifetime, at most
	// MaxLifetime).
	ExpiresIn time.Duration
	// NoExpiry asks for a key that never expires; it excludes ExpiresIn.
	NoExpiry bool
	// OpenURL hands the approval URL to the user; the default prints it to
	// standard error. A browser opener fits here. Login hands it only an
	// https URL on the API's own host or on ConsoleHost (plain http only
	// when the API's base URL is itself http); any other URL the server
	// returns is refused with ErrLoginURLRefused before OpenURL is called.
	OpenURL func(ctx context.Context, url string) error
	// PollInterval is the wait between polls (default DefaultPollInterval).
	PollInterval time.Duration
	// MaxPolls bounds the polls (default DefaultMaxPolls).
	MaxPolls int
	// CredentialsPath is where the token is saved (default
	// credentials.DefaultPath()).
	CredentialsPath string
}

// LoginResult is the outcome of a successful Login.
type LoginResult struct {
	// Secret is the new token, also saved at Path.
	Secret credentials.Secret
	// Path is the credentials file written.
	Path string
	// URL is the approval URL that was handed to OpenURL.
	URL string
}

type loginStart struct {
	URL string `json:"url"`
	OTP string `json:"otp"`
}

type loginPoll struct {
	// Valid is nil when the answer has no "valid": an answer the SDK
	// does not understand, which may still have handed out the token.
	Valid           *bool              `json:"valid"`
	ServerSessionID credentials.Secret `json:"server_session_id"`
}

type loginQuery struct {
	DurationSeconds int64 `url:"duration_seconds"`
}

// Login runs the browser login: it starts a login, hands the approval URL
// to opts.OpenURL, polls until the login is approved, validates the new
// token and saves it atomically with credentials.Save. It needs no token,
// so it works on a client whose chain finds none. A login that is never
// approved, or fails at any step, leaves any existing credentials file as
// it was. Before it starts, Login checks that the key could be saved (a
// directory others may write is refused); should the save fail anyway,
// the result holds the key's secret along with the error. The server hands the token out once: if the answer carrying it
// is lost, the error says so, and the login must be run again.
func (s *Service) Login(ctx context.Context, opts LoginOptions) (*LoginResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := saveable(opts.CredentialsPath); err != nil {
		return nil, err
	}
	duration := seconds(opts.ExpiresIn)
	if opts.NoExpiry {
		duration = 0
	}
	ctx = callopt.WithoutAuth(ctx)

	var start loginStart
	if _, err := s.c.Do(ctx, http.MethodGet, loginStartPath, loginQuery{DurationSeconds: duration}, nil, &start); err != nil {
		return nil, fmt.Errorf("keys: starting the login: %w", err)
	}
	if start.OTP == "" || start.URL == "" {
		return nil, errors.New("keys: starting the login: the server returned no login URL; try again")
	}
	if err := checkLoginURL(start.URL, start.OTP, s.c.BaseURL()); err != nil {
		return nil, err
	}
	if err := opts.OpenURL(ctx, start.URL); err != nil {
		// The URL holds the pending login code: keep it out of the error.
		msg := strings.ReplaceAll(err.Error(), start.OTP, "{otp}")
		if ctx.Err() != nil {
			return nil, fmt.Errorf("keys: handing over the login URL: %s: %w", msg, ctx.Err())
		}
		return nil, fmt.Errorf("keys: handing over the login URL: %s", msg)
	}

	secret, err := s.poll(ctx, start.OTP, opts)
	if err != nil {
		return nil, err
	}
	res := &LoginResult{Secret: secret, Path: opts.CredentialsPath, URL: start.URL}
	// Save validates the token before it writes anything.
	if err := credentials.Save(opts.CredentialsPath, secret); err != nil {
		// The key exists now: hand it back with the error, so it is not lost.
		res.Path = ""
		return res, fmt.Errorf("keys: the login succeeded but its key could not be saved; the result holds it (Secret): %w", err)
	}
	return res, nil
}

func (s *Service) poll(ctx context.Context, otp string, opts LoginOptions) (credentials.Secret, error) {
	// A poll hands the token out once, so the client does not repeat one:
	// a transient failure waits for the next poll instead, which is the
	// retry. The login code in the path is a secret while the login is
	// pending: errors and logs show a placeholder.
	pollCtx := callopt.WithPathLabel(client.WithIdempotency(ctx, false), loginPollPath+"{otp}")
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
			return "", fmt.Errorf("keys: waiting for the login approval: %w", ctx.Err())
		case <-timer.C:
		}
		var res loginPoll
		if _, err := s.c.Do(pollCtx, http.MethodGet, loginPollPath+url.PathEscape(otp), nil, nil, &res); err != nil {
			if lost != nil && ctx.Err() == nil && errors.Is(err, client.ErrNotFound) {
				return "", lostLogin(lost, err, opts)
			}
			if ctx.Err() != nil || !transient(err) {
				return "", fmt.Errorf("keys: polling the login: %w", err)
			}
			if client.MayHaveActed(err) {
				lost = err
			}
			lastErr = err
			timer.Reset(opts.PollInterval)
			continue
		}
		if res.Valid == nil {
			return "", fmt.Errorf("keys: polling the login: %w: the answer has no \"valid\" field; the server may have handed out a key in it, which is lost: run the login again, and revoke a key named for this login in the console if one appears", client.ErrMalformedResponse)
		}
		if *res.Valid {
			if res.ServerSessionID == "" {
				return "", errors.New("keys: the login was approved but the server returned no token; run the login again")
			}
			return res.ServerSessionID, nil
		}
		// The code is still pending: no earlier poll handed the token out.
		lost = nil
		timer.Reset(opts.PollInterval)
	}
	if lastErr != nil {
		return "", fmt.Errorf("keys: the login was not approved after %d polls, %s apart (no credentials were written); the last poll failed: %w",
			opts.MaxPolls, opts.PollInterval, lastErr)
	}
	return "", fmt.Errorf("keys: the login was not approved after %d polls, %s apart; open the URL, approve the login, and run it again (no credentials were written)",
		opts.MaxPolls, opts.PollInterval)
}

// lostLogin is the error of a login whose token was handed out in an
// answer that was lost: a poll failed after the server may have acted
// (lost), and the next one found the code gone (gone, a 404), as the
// server forgets a code once it hands out its token.
func lostLogin(lost, gone error, opts LoginOptions) error {
	within := opts.ExpiresIn.String()
	if opts.ExpiresIn >= time.Hour {
		within = days(opts.ExpiresIn)
	}
	orphan := "the key it carried is held by nobody and expires unused within " + within
	if opts.NoExpiry {
		orphan = "the key it carried is held by nobody and never expires: once logged in, find it with Audit or List and revoke it"
	}
	// The error is the lost poll's: the server may have acted on it.
	return fmt.Errorf("keys: the login was approved, but the answer carrying its token was lost: a poll failed after the server may have handed the token out (%w), "+
		"and the server forgets a login code once it has (%v); no credentials were written, so run the login again (%s)", lost, gone, orphan)
}

// transient reports whether a failed poll may pass next time: a server
// error, a transport failure or rate limiting, not a refusal.
func transient(err error) bool {
	return client.MayHaveActed(err) || errors.Is(err, client.ErrRateLimited)
}

func (o LoginOptions) withDefaults() (LoginOptions, error) {
	switch {
	case o.NoExpiry && o.ExpiresIn != 0:
		return o, fmt.Errorf("keys: %w: give ExpiresIn or NoExpiry, not both", client.ErrInvalid)
	case o.ExpiresIn == 0:
		o.ExpiresIn = LoginLifetime
	}
	if !o.NoExpiry {
		if err := validateExpiry(o.ExpiresIn); err != nil {
			return o, err
		}
	}
	if o.PollInterval < 0 || o.MaxPolls < 0 {
		return o, fmt.Errorf("keys: %w: PollInterval and MaxPolls must not be negative", client.ErrInvalid)
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
			return o, err
		}
		o.CredentialsPath = p
	}
	return o, nil
}

func printURL(_ context.Context, u string) error {
	_, err := fmt.Fprintf(os.Stderr, "Open this URL in a browser to approve the login:\n\n    %s\n\n", u)
	return err
}

// checkLoginURL refuses an approval URL that is not safe to hand to
// OpenURL (a browser, say): it must be an absolute https URL, without user
// info, on the API's own host and port (base) or on ConsoleHost; plain
// http is accepted only on the API's host when base is itself http (a
// local fake API). The error shows the URL with the login code replaced
// by {otp}.
func checkLoginURL(raw, otp, base string) error {
	hide := func(s string) string { return strings.ReplaceAll(s, otp, "{otp}") }
	reason := loginURLProblem(raw, base, hide)
	if reason == "" {
		return nil
	}
	return fmt.Errorf("keys: starting the login: %w: the server answered with the approval URL %s, which %s; "+
		"nothing was opened and no credentials were written. Run the login again; if this repeats, the API at %s is not one to log in to: check the base URL (client.WithBaseURL or %s)",
		ErrLoginURLRefused, shownURL(raw, otp), reason, base, auth.EnvHost)
}

// loginURLProblem says what is wrong with the approval URL raw for the
// API at base, or returns "" when it is acceptable. The parts of raw it
// quotes go through hide, which removes the login code.
func loginURLProblem(raw, base string, hide func(string) string) string {
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

// saveable checks, before a login starts, that its key could be saved at
// path: the new key would otherwise exist with nobody to hold it.
func saveable(path string) error {
	if err := credentials.CheckSave(path); err != nil {
		return fmt.Errorf("keys: not starting the login, since its key could not be saved: %w", err)
	}
	return nil
}
