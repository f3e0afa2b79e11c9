package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/anyscale-go/anyscale/auth"
)

// TraceIDHeader is the response header that carries the server's trace id.
const TraceIDHeader = "X-Trace-Id"

// maxRedirects bounds how many redirects one attempt follows.
const maxRedirects = 10

// attemptState travels in a request's context through go-retryablehttp to
// the transport and the retry policy: the method (the retry rules depend on
// it), the token for the Authorization header, and the attempt count.
type attemptState struct {
	method string
	// base is the call's base URL: only its scheme and host get the token.
	base *url.URL
	// label replaces the URL path in logs and errors when the path holds
	// a secret (a login code); see WithPathLabel.
	label   string
	token   auth.Token
	attempt int
}

type stateKey struct{}

func withState(ctx context.Context, st *attemptState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(stateKey{}).(*attemptState)
	return st
}

// newRetryClient wires go-retryablehttp: our retry check and backoff, no
// logging of its own, the last response passed through to our error
// mapping, and our transport under it.
func (c *Client) newRetryClient(hc *http.Client, attemptTimeout time.Duration) *retryablehttp.Client {
	var base http.RoundTripper
	timeout := DefaultAttemptTimeout
	if hc != nil {
		base = hc.Transport
		if hc.Timeout > 0 {
			timeout = hc.Timeout
		}
	}
	if attemptTimeout > 0 {
		timeout = attemptTimeout
	}
	if base == nil {
		if hc != nil {
			base = http.DefaultTransport
		} else {
			base = http.DefaultTransport.(*http.Transport).Clone()
		}
	}
	return &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     &transport{base: base, logger: c.logger},
			Timeout:       timeout,
			CheckRedirect: checkRedirect,
		},
		Logger:       nil,
		RetryMax:     c.retry.MaxRetries,
		RetryWaitMin: c.retry.MinWait,
		RetryWaitMax: c.retry.MaxWait,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// errInsecureRedirect stops a redirect from https to http.
var errInsecureRedirect = errors.New("refusing a redirect from https to http")

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return errInsecureRedirect
	}
	return nil
}

// transport adds the Authorization header, only for the call's base URL's
// scheme and host (so a redirect elsewhere never carries the token), and
// logs each attempt at debug level. It holds nothing of one Client's, so
// that clients made with WithAuth share it and its connection pool.
type transport struct {
	base   http.RoundTripper
	logger *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateFrom(req.Context())
	orig := req
	if st != nil && !st.token.Value.IsZero() && st.base != nil && req.URL.Scheme == st.base.Scheme && req.URL.Host == st.base.Host {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+st.token.Value.Reveal())
	}
	attempt := 0
	if st != nil && req.Response == nil { // not a redirect hop
		st.attempt++
		attempt = st.attempt
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.Request == req {
		// The request that went out carries the token: hand back the one
		// that came in, so no Response exposes the header.
		resp.Request = orig
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("host", req.URL.Host),
		slog.String("path", st.shown(req.URL.Path)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("trace_id", resp.Header.Get(TraceIDHeader)))
	}
	t.logger.LogAttrs(req.Context(), slog.LevelDebug, "anyscale: request", attrs...)
	return resp, err
}

// discardHandler is a slog.Handler that drops every record (slog's own
// DiscardHandler needs Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
