package client

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/advice"
)

// Option configures a Client; see New.
type Option func(*config) error

type config struct {
	baseURL        string
	attemptTimeout time.Duration
	insecureHTTP   bool
	provider       auth.Provider
	httpClient     *http.Client
	retry          RetryPolicy
	logger         *slog.Logger
	userAgent      string
}

// RetryPolicy says how often and how long the client retries. Zero
// durations take the defaults; a negative MaxRetries turns retries off.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt (default 4).
	MaxRetries int
	// MinWait and MaxWait bound the exponential backoff (default 500ms, 30s).
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for
	// (default 60s); a longer one ends the retries with the server's error,
	// whose RetryAfter says how long the server asked for.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a Client uses unless
// WithRetryPolicy is given: 4 retries, 500ms to 30s of backoff, and a
// Retry-After of up to 60s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:    4,
		MinWait:       500 * time.Millisecond,
		MaxWait:       30 * time.Second,
		MaxRetryAfter: 60 * time.Second,
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	def := DefaultRetryPolicy()
	switch {
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	case p.MaxRetries == 0:
		p.MaxRetries = def.MaxRetries
	}
	if p.MinWait <= 0 {
		p.MinWait = def.MinWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = def.MaxWait
	}
	if p.MaxWait < p.MinWait {
		p.MaxWait = p.MinWait
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = def.MaxRetryAfter
	}
	return p
}

// WithBaseURL sets the API's base URL. Without it the client uses
// $ANYSCALE_HOST, else DefaultBaseURL. It must be https unless its host is
// this machine or WithInsecureHTTP is given. The host is normalised first
// (LOCALHOST, localhost., 127.1, 0x7f.0.0.1 and [::ffff:127.0.0.1] are
// localhost and 127.0.0.1), and a base URL on this machine is never sent
// through a proxy, whatever HTTP_PROXY, HTTPS_PROXY and NO_PROXY say: a
// plain-http token stays on the machine. The same holds for
// $ANYSCALE_HOST and for the host a workspace injects.
func WithBaseURL(u string) Option {
	return func(c *config) error {
		if u == "" {
			return optionError("WithBaseURL", "the base URL is empty")
		}
		c.baseURL = u
		return nil
	}
}

// WithInsecureHTTP allows a plain-http base URL on a host other than this
// machine. The token then crosses the network unencrypted, through any
// proxy the environment names: use it only on a trusted network.
func WithInsecureHTTP() Option {
	return func(c *config) error {
		c.insecureHTTP = true
		return nil
	}
}

// WithToken authenticates every request with token, instead of the auth
// chain. A token that fails credentials.ValidateToken makes New fail.
func WithToken(token string) Option {
	return func(c *config) error {
		if err := credentials.ValidateToken(token); err != nil {
			return optionError("WithToken", "the token is not usable: %w", err)
		}
		c.provider = auth.Static(token)
		return nil
	}
}

// WithProvider authenticates with p instead of auth.DefaultChain(). When p
// has an Invalidate method (as *auth.Chain does), the client calls it after
// a 401 and retries once with the token p resolves next.
func WithProvider(p auth.Provider) Option {
	return func(c *config) error {
		if p == nil {
			return optionError("WithProvider", "the token provider is nil")
		}
		c.provider = p
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose Transport carries every request
// and whose Timeout, when set, bounds each attempt instead of
// DefaultAttemptTimeout (WithAttemptTimeout wins over both). Tests pass one
// whose Transport is httpmock.NewMockTransport(). The default transport
// clones http.DefaultTransport, so the proxy variables work.
//
// An *http.Transport (nil means http.DefaultTransport) is copied when New
// runs, and the copy gets the client's rules: a request to this machine
// never goes through its proxy, the name localhost is dialed on a
// loopback address, and a proxy that refuses the tunnel (407, 403) is
// reported as such, naming the proxy. Changes made to the transport after
// New do not reach the client, nor does closing its idle connections
// (Client.CloseIdleConnections does). Another http.RoundTripper is used as
// it is: where it sends a request is its own affair.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return optionError("WithHTTPClient", "the HTTP client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// DefaultAttemptTimeout bounds each attempt of a request (connecting,
// sending, waiting for the answer and reading it) unless WithAttemptTimeout
// or WithHTTPClient's Timeout says otherwise. A GET or DELETE that times
// out is retried, so a server that holds every attempt makes a call last
// up to (RetryPolicy.MaxRetries+1) attempts plus the backoff between them:
// about two and a half minutes with the defaults. The caller's context
// deadline bounds the whole call, and wins when it is shorter.
const DefaultAttemptTimeout = 30 * time.Second

// WithAttemptTimeout bounds each attempt of a request by d instead of
// DefaultAttemptTimeout. An attempt that takes longer fails as a timeout,
// which a GET or DELETE retries and a POST does not, since the server may
// have acted. d must be positive.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return optionError("WithAttemptTimeout", "the time bound of an attempt is %s: it must be positive", d)
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy().
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		c.retry = p.withDefaults()
		return nil
	}
}

// WithLogger sets the logger for request debug lines and warnings (default:
// discard). Tokens never reach it.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return optionError("WithLogger", "the logger is nil")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent appends product (such as "my-scheduler/1.2") to the
// User-Agent header.
func WithUserAgent(product string) Option {
	return func(c *config) error {
		for _, r := range product {
			if r < ' ' || r == 0x7f {
				return optionError("WithUserAgent", "the user agent %q holds a control character", product)
			}
		}
		c.userAgent = product
		return nil
	}
}

// optionError is the error of an option given a bad value: the facts say
// what is wrong in plain words, matching ErrInvalid; the option's name is
// the advice, for the Go program that passed it.
func optionError(option, format string, args ...any) error {
	return advice.Wrap(fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...), Advice{},
		"check the value given to client."+option)
}
