package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/internal/redact"
)

// TraceIDHeader is the response header that carries the server's trace id.
const TraceIDHeader = "X-Trace-Id"

// maxRedirects bounds how many redirects one attempt follows.
const maxRedirects = 10

// attemptState travels in a call's context through go-retryablehttp to
// the transport, the retry policy and the body reader: what the attempts
// need (the token, the base URL, whether the call may be repeated) and
// what they learn (how many were made, whether the server may have acted,
// the last answer's body).
type attemptState struct {
	method string
	// base is the call's base URL: only its scheme and host get the token.
	base *baseURL
	// label replaces the URL path in logs and errors when the path holds
	// a secret (a login code); see callopt.WithPathLabel.
	label string
	token auth.Token
	// scrub keeps the token out of what the call shows.
	scrub *redact.Scrubber
	// idempotent: the call may be repeated (see WithIdempotency).
	idempotent bool

	attempt int
	// acted is set once an attempt may have been acted on by the server:
	// it was sent and its answer was lost, or was a server error or a
	// success.
	acted bool
	// resp and body are the last answer read whole.
	resp *http.Response
	body []byte
}

func newAttemptState(ctx context.Context, method string, label string) *attemptState {
	return &attemptState{method: method, label: label, idempotent: idempotent(ctx, method)}
}

type stateKey struct{}

func withState(ctx context.Context, st *attemptState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(stateKey{}).(*attemptState)
	return st
}

// readAnswer is go-retryablehttp's response handler: it reads the answer
// whole inside the retry loop, so that a body cut mid-way is an attempt's
// failure, which the retry policy may repeat.
func (st *attemptState) readAnswer(resp *http.Response) error {
	defer resp.Body.Close()
	data, err := readBody(resp.Body, resp.ContentLength)
	if err != nil {
		return err
	}
	st.resp, st.body = resp, data
	return nil
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
			base = defaultTransport()
		}
	}
	c.tr = &transport{base: base, fresh: freshConnections(base), logger: c.logger, gate: &gate{},
		maxRetryAfter: c.retry.MaxRetryAfter, attemptTimeout: timeout}
	return &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     c.tr,
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

// maxIdleConnsPerHost is how many idle connections the default transport
// keeps to the API: a client talks to one host, and many goroutines share
// it, so the pool keeps what they use instead of net/http's default of two.
const maxIdleConnsPerHost = 128

// defaultTransport clones http.DefaultTransport, so that the proxy
// variables work, with a pool sized for one host shared by many
// goroutines.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	return t
}

// freshConnections returns base without keep-alive: each request on a
// connection of its own, which net/http never re-sends (it replays a GET
// only on a reused connection that died). nil when base is not an
// *http.Transport.
func freshConnections(base http.RoundTripper) http.RoundTripper {
	t, ok := base.(*http.Transport)
	if !ok {
		return nil
	}
	fresh := t.Clone()
	fresh.DisableKeepAlives = true
	return fresh
}

// errRedirectRefused is every redirect the client does not follow; no
// retry follows one either.
var errRedirectRefused = errors.New("refusing a redirect")

var (
	// errInsecureRedirect stops a redirect from https to http.
	errInsecureRedirect = fmt.Errorf("%w from https to http", errRedirectRefused)
	// errTooManyRedirects stops a chain of more than maxRedirects redirects.
	errTooManyRedirects = fmt.Errorf("%w: stopped after %d redirects", errRedirectRefused, maxRedirects)
)

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errTooManyRedirects
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return errInsecureRedirect
	}
	if req.Method != via[0].Method {
		// net/http follows a 301, 302 or 303 to a POST or DELETE with a
		// GET, whose answer is not the call's.
		return fmt.Errorf("%w that turns a %s into a %s: the server may have acted on the %s; check before repeating it",
			errRedirectRefused, via[0].Method, req.Method, via[0].Method)
	}
	return nil
}

// transport keeps the Authorization header to the call's base URL's scheme
// and host (so a redirect elsewhere never carries the token); notes
// whether the server may have acted; keeps the token out of transport
// errors; and logs each attempt at debug level. It holds nothing of one Client's, so
// that clients made with WithAuth share it and its connection pool.
type transport struct {
	base http.RoundTripper
	// fresh is base without keep-alive, for a call that must not be
	// repeated; nil when base is not an *http.Transport.
	fresh  http.RoundTripper
	logger *slog.Logger
	// gate paces every call after a 429 or 503 with Retry-After, up to
	// maxRetryAfter.
	gate          *gate
	maxRetryAfter time.Duration
	// attemptTimeout bounds each attempt, from sending the request to
	// reading the answer's last byte.
	attemptTimeout time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateFrom(req.Context())
	if st == nil {
		return t.base.RoundTrip(req)
	}
	if _, ok := req.Header["Authorization"]; ok && (st.base == nil || req.URL.Scheme != st.base.u.Scheme || req.URL.Host != st.base.u.Host) {
		// A redirect to another host or scheme: the token stays behind.
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
	}
	attempt := 0
	if req.Response == nil { // not a redirect hop
		st.attempt++
		attempt = st.attempt
	}
	rt := t.base
	if !st.idempotent && replayedByMethod(req.Method) {
		// net/http silently re-sends a GET when a reused connection dies
		// before the answer. A call that must not be repeated (a
		// rotation, a login poll) goes on a fresh connection, which is
		// never re-sent; over a transport of the caller's that cannot do
		// that, it gets a body net/http cannot rewind, which makes it
		// not replayable (but not redirectable by 307 or 308 either).
		if t.fresh != nil {
			rt = t.fresh
		} else {
			req = req.Clone(req.Context())
			req.GetBody, req.Body, req.ContentLength = nil, noReplayBody{}, 0
		}
	}
	// The attempt's own bound, until its answer is read (the caller's
	// deadline, in req's context, still wins).
	ctx, cancel := context.WithTimeout(req.Context(), t.attemptTimeout)
	req = req.WithContext(ctx)
	start := time.Now()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		cancel()
	} else {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	switch {
	case err != nil:
		st.acted = st.acted || !unsent(err)
		err = st.scrub.Error(err)
	case resp.StatusCode < 300:
		st.acted = true
	case resp.StatusCode < 400:
		// Only 307 and 308 say the request was not acted on and goes
		// elsewhere as it is; after another redirect (a 303 "see
		// other" answers a POST that was done) it may have been.
		st.acted = st.acted || (resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect)
	case resp.StatusCode >= 500:
		_, refused := retryAfter(resp, time.Now())
		st.acted = st.acted || !(resp.StatusCode == http.StatusServiceUnavailable && refused)
	}
	if resp != nil {
		t.throttled(req.Context(), resp)
	}
	if t.logger.Enabled(req.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("method", req.Method),
			slog.String("host", req.URL.Host),
			slog.String("path", st.scrub.Scrub(st.shown(req.URL.Path))), // a redirect's path is the server's
			slog.Int("attempt", attempt),
			slog.Duration("duration", time.Since(start)),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("trace_id", st.scrub.Scrub(resp.Header.Get(TraceIDHeader))))
		}
		t.logger.LogAttrs(req.Context(), slog.LevelDebug, "anyscale: request", attrs...)
	}
	return resp, err
}

// cancelOnClose ends an attempt's time bound once its answer is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// replayedByMethod reports whether net/http may re-send a request of this
// method on its own (see http.Request's GetBody).
func replayedByMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// closeIdle closes the base transport's idle connections. It is not
// named CloseIdleConnections on purpose: go-retryablehttp calls that on
// every failed call, which would empty the pool that every goroutine
// sharing the client uses.
func (t *transport) closeIdle() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// noReplayBody is an empty request body that net/http cannot rewind: a
// request carrying it is not replayable (see http.Request's GetBody).
type noReplayBody struct{}

func (noReplayBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplayBody) Close() error             { return nil }

// unsent reports whether a transport error means the request never
// reached the server: the connection was refused or never made, the name
// did not resolve, or TLS failed before the request was written.
func unsent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var record tls.RecordHeaderError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial" ||
		certificateError(err) || errors.As(err, &record)
}

// scrubCallError is scrubError for an error of Do, which stays a
// *callError so that MayHaveActed still reads it.
func scrubCallError(err error, m *redact.Scrubber) error {
	ce, ok := err.(*callError)
	if !ok {
		return m.Error(err)
	}
	if clean := m.Error(ce.err); clean != ce.err {
		return &callError{err: clean, acted: ce.acted}
	}
	return err
}

// discardHandler is a slog.Handler that drops every record (slog's own
// DiscardHandler needs Go 1.24).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
