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

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
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

// LoginOptions configures Login. The zero value follows the official CLI.
type LoginOptions struct {
	// ExpiresIn is the new key's lifetime (default LoginLifetime, at most
	// MaxLifetime).
	ExpiresIn time.Duration
	// NoExpiry asks for a key that never expires; it excludes ExpiresIn.
	NoExpiry bool
	// OpenURL hands the approval URL to the user; the default prints it to
	// standard error. A browser opener fits here.
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
	Valid           bool               `json:"valid"`
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
// it was.
func (s *Service) Login(ctx context.Context, opts LoginOptions) (*LoginResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	duration := seconds(opts.ExpiresIn)
	if opts.NoExpiry {
		duration = 0
	}
	ctx = client.WithoutAuth(ctx)

	var start loginStart
	if _, err := s.c.Do(ctx, http.MethodGet, loginStartPath, loginQuery{DurationSeconds: duration}, nil, &start); err != nil {
		return nil, fmt.Errorf("keys: starting the login: %w", err)
	}
	if start.OTP == "" || start.URL == "" {
		return nil, errors.New("keys: starting the login: the server returned no login URL; try again")
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
	// Save validates the token before it writes anything.
	if err := credentials.Save(opts.CredentialsPath, secret); err != nil {
		return nil, fmt.Errorf("keys: the login succeeded but the token could not be saved: %w", err)
	}
	return &LoginResult{Secret: secret, Path: opts.CredentialsPath, URL: start.URL}, nil
}

func (s *Service) poll(ctx context.Context, otp string, opts LoginOptions) (credentials.Secret, error) {
	// A poll hands the token out once, so the client does not repeat one:
	// a transient failure waits for the next poll instead, which is the
	// retry. (An answer lost after the server handed the token out cannot
	// be recovered; that key expires unused.) The login code in the path
	// is a secret while the login is pending: errors and logs show a
	// placeholder.
	pollCtx := client.WithPathLabel(client.WithIdempotency(ctx, false), loginPollPath+"{otp}")
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastErr error
	for i := 0; i < opts.MaxPolls; i++ {
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("keys: waiting for the login approval: %w", ctx.Err())
		case <-timer.C:
		}
		var res loginPoll
		if _, err := s.c.Do(pollCtx, http.MethodGet, loginPollPath+url.PathEscape(otp), nil, nil, &res); err != nil {
			if ctx.Err() != nil || !transient(err) {
				return "", fmt.Errorf("keys: polling the login: %w", err)
			}
			lastErr = err
			timer.Reset(opts.PollInterval)
			continue
		}
		if res.Valid {
			if res.ServerSessionID == "" {
				return "", errors.New("keys: the login was approved but the server returned no token; run the login again")
			}
			return res.ServerSessionID, nil
		}
		timer.Reset(opts.PollInterval)
	}
	if lastErr != nil {
		return "", fmt.Errorf("keys: the login was not approved after %d polls, %s apart (no credentials were written); the last poll failed: %w",
			opts.MaxPolls, opts.PollInterval, lastErr)
	}
	return "", fmt.Errorf("keys: the login was not approved after %d polls, %s apart; open the URL, approve the login, and run it again (no credentials were written)",
		opts.MaxPolls, opts.PollInterval)
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
