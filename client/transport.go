package client

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/redact"
)

// TraceIDHeader is the response header that carries the server's trace id.
const TraceIDHeader = "X-Trace-Id"

// attemptState travels in a call's context through go-retryablehttp to
// the transport, the retry policy and the body reader: what the attempts
// need (the token, the base URL, whether the call may be repeated) and
// what they learn (how many were made, whether the server may have acted,
// the last answer's body).
type attemptState struct {
	method string
	// base is the call's base URL: only its scheme and host get the token.
	// hostOrigin is where it came from (see baseFor).
	base       *baseURL
	hostOrigin string
	// label replaces the URL path in logs and errors when the path holds
	// a secret (a login code); see callopt.WithPathLabel.
	label string
	token auth.Token
	// scrub keeps the token out of what the call shows.
	scrub *redact.Scrubber
	// idempotent: the call may be repeated (see WithIdempotency).
	idempotent bool

	attempt int
	// nothingThere counts the attempts that found nothing at the host
	// (a refused connection, an unknown name); see shouldRetry.
	nothingThere int
	// acted is set once an attempt may have been acted on by the server:
	// it was sent and its answer was lost, or was a server error or a
	// success.
	acted bool
	// resp and body are the last answer read whole.
	resp *http.Response
	body []byte
}

func newAttemptState(ctx context.Context, method string) *attemptState {
	return &attemptState{method: method, label: callopt.PathLabel(ctx), idempotent: idempotent(ctx, method)}
}

type stateKey struct{}

func withState(ctx context.Context, st *attemptState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateFrom(ctx context.Context) *attemptState {
	st, _ := ctx.Value(stateKey{}).(*attemptState)
	return st
}

// scrubber is the call's scrubber; nil (which scrubs nothing) without a
// call.
func (st *attemptState) scrubber() *redact.Scrubber {
	if st == nil {
		return nil
	}
	return st.scrub
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
	// The client's rules for loopback hosts and proxies go on an
	// *http.Transport of its own: its default, or a copy of the caller's.
	// Another RoundTripper (a test double) is used as it is.
	switch t := base.(type) {
	case nil:
		if hc != nil {
			base = guardTransport(http.DefaultTransport.(*http.Transport).Clone())
		} else {
			base = guardTransport(defaultTransport())
		}
	case *http.Transport:
		base = guardTransport(t.Clone())
	}
	c.tr = newTransport(base, c.logger, c.retry.MaxRetryAfter, timeout)
	return &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     c.tr.top,
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

// transport is what every attempt of a call goes through: a stack of
// small round trippers, each one concern wrapping the next (as oauth2's
// Transport wraps its Base), from the top:
//
//	countAttempts  numbers the call's attempts
//	logAttempts    a debug line per attempt, without the token
//	scrubErrors    the token out of a transport error's text
//	trackActed     whether the server may have acted (MayHaveActed)
//	throttle       a 429 or 503 paces every call, and runs OnThrottle hooks
//	clock          the server's clock, from each answer's Date (Client.Now)
//	scopeAuth      the Authorization header only to the call's own host
//	boundAttempt   each attempt's time bound, until its answer is closed
//	noReplay       a call that must not be repeated, where net/http cannot
//	base           the caller's transport, or a clone of http.DefaultTransport
//
// Each layer reads the call it serves from its attemptState, in the
// request's context; the stack holds nothing of one call's or one token's,
// so that clients made with WithAuth share it and its connection pool.
// (Redirects are not a layer: net/http follows them, and checkRedirect
// refuses those the client does not follow.)
type transport struct {
	top  http.RoundTripper
	base http.RoundTripper
	// gate paces every call after a 429 or 503 with Retry-After.
	gate *gate
	// clock is the server's, measured from its answers (Client.Now).
	clock *serverClock
	// proxy is the base transport's proxy function; nil when the base is
	// not an *http.Transport.
	proxy func(*http.Request) (*url.URL, error)
	// attemptTimeout bounds each attempt, from sending the request to
	// reading the answer's last byte.
	attemptTimeout time.Duration
}

func newTransport(base http.RoundTripper, logger *slog.Logger, maxRetryAfter, attemptTimeout time.Duration) *transport {
	t := &transport{base: base, gate: &gate{}, clock: &serverClock{}, attemptTimeout: attemptTimeout}
	if ht, ok := base.(*http.Transport); ok {
		t.proxy = ht.Proxy
	}
	var rt http.RoundTripper = &noReplay{base: base, fresh: freshConnections(base)}
	rt = &boundAttempt{base: rt, timeout: attemptTimeout}
	rt = &scopeAuth{base: rt}
	rt = &clockFromAnswers{base: rt, clock: t.clock}
	rt = &throttle{base: rt, gate: t.gate, clock: t.clock, maxRetryAfter: maxRetryAfter}
	_, traced := base.(*http.Transport)
	rt = &trackActed{base: rt, traced: traced}
	rt = &scrubErrors{base: rt}
	rt = &logAttempts{base: rt, logger: logger}
	t.top = &countAttempts{base: rt}
	return t
}

// proxyOf names the proxy req went through, as errors show it.
func (t *transport) proxyOf(req *http.Request) (string, bool) {
	if t.proxy == nil || req == nil {
		return "", false
	}
	u, err := t.proxy(req)
	if err != nil || u == nil {
		return "", false
	}
	return shownProxy(u), true
}

// closeIdle closes the base transport's idle connections. No layer is
// named CloseIdleConnections on purpose: go-retryablehttp calls that on
// every failed call, which would empty the pool that every goroutine
// sharing the client uses.
func (t *transport) closeIdle() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// countAttempts numbers the call's attempts, for errors (APIError.Attempts)
// and logs. A redirect hop belongs to the attempt that led to it.
type countAttempts struct{ base http.RoundTripper }

func (t *countAttempts) RoundTrip(req *http.Request) (*http.Response, error) {
	if st := stateFrom(req.Context()); st != nil && req.Response == nil {
		st.attempt++
	}
	return t.base.RoundTrip(req)
}

// logAttempts logs each attempt and redirect hop at debug level: method,
// host, path (or its label), attempt, duration, and the status and trace
// id or the error, all without the token.
type logAttempts struct {
	base   http.RoundTripper
	logger *slog.Logger
}

func (t *logAttempts) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.logger.Enabled(ctx, slog.LevelDebug) {
		return t.base.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	st := stateFrom(ctx)
	attempt := 0 // a redirect hop
	if st != nil && req.Response == nil {
		attempt = st.attempt
	}
	scrub := st.scrubber()
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("host", req.URL.Host),
		slog.String("path", scrub.Scrub(st.shown(req.URL.Path))), // a redirect's path is the server's
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("trace_id", scrub.Scrub(resp.Header.Get(TraceIDHeader))))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "anyscale: request", attrs...)
	return resp, err
}

// scrubErrors keeps the call's token out of a transport error's text (see
// redact.Scrubber.Error).
type scrubErrors struct{ base http.RoundTripper }

func (t *scrubErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		err = stateFrom(req.Context()).scrubber().Error(err)
	}
	return resp, err
}

// trackActed notes in the call's state whether the server may have acted
// on an attempt: it was written and its answer was lost, was a success, a
// server error (but a 503 with Retry-After, a refusal), or a redirect
// other than 307 and 308. It reads the error as the network gave it,
// before scrubErrors.
//
// Over net/http's Transport (traced), an attempt that failed was written
// only if it got a connection: httptrace's GotConn. A refused or failed
// dial, a name that did not resolve, a TLS handshake that failed and a
// proxy that refused the tunnel all come before it, whatever error they
// surface as. Over another RoundTripper (a test double), the error's kind
// decides (unsent).
type trackActed struct {
	base   http.RoundTripper
	traced bool
}

func (t *trackActed) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateFrom(req.Context())
	if st == nil || st.acted {
		return t.base.RoundTrip(req)
	}
	if err := req.Context().Err(); err != nil {
		// Done before this attempt: nothing is written.
		return nil, err
	}
	var conn atomic.Bool
	if t.traced {
		ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { conn.Store(true) },
		})
		req = req.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(req)
	switch {
	case err != nil && t.traced:
		st.acted = conn.Load()
	case err != nil:
		st.acted = !unsent(err)
	case resp.StatusCode < 300:
		st.acted = true
	case resp.StatusCode < 400:
		// Only 307 and 308 say the request was not acted on and goes
		// elsewhere as it is; after another redirect (a 303 "see
		// other" answers a POST that was done) it may have been.
		st.acted = resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect
	case resp.StatusCode >= 500:
		_, refused := retryAfter(resp, time.Now())
		st.acted = !(resp.StatusCode == http.StatusServiceUnavailable && refused)
	}
	return resp, err
}

// unsent reports whether a transport error means the request never
// reached the server: the connection was refused or never made, the name
// did not resolve, TLS failed before the request was written, or a proxy
// refused the tunnel.
func unsent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var record tls.RecordHeaderError
	var proxy *proxyError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial" ||
		certificateError(err) || errors.As(err, &record) || errors.As(err, &proxy)
}

// boundAttempt bounds each attempt by timeout, until its answer is closed
// (the caller's deadline, in the request's context, still wins).
type boundAttempt struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (t *boundAttempt) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return resp, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
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

// noReplay sends a call that must not be repeated (a rotation, a login
// poll) where net/http cannot re-send it: net/http silently re-sends a GET
// when a reused connection dies before the answer. Such a call goes on a
// fresh connection, which is never re-sent; over a transport of the
// caller's that cannot do that, it gets a body net/http cannot rewind,
// which makes it not replayable (but not redirectable by 307 or 308
// either).
type noReplay struct {
	base http.RoundTripper
	// fresh is base without keep-alive; nil when base is not an
	// *http.Transport.
	fresh http.RoundTripper
}

func (t *noReplay) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateFrom(req.Context())
	if st == nil || st.idempotent || !replayedByMethod(req.Method) {
		return t.base.RoundTrip(req)
	}
	if t.fresh != nil {
		return t.fresh.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.GetBody, req.Body, req.ContentLength = nil, noReplayBody{}, 0
	return t.base.RoundTrip(req)
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

// noReplayBody is an empty request body that net/http cannot rewind: a
// request carrying it is not replayable (see http.Request's GetBody).
type noReplayBody struct{}

func (noReplayBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplayBody) Close() error             { return nil }

// scrubCallError is Scrubber.Error for an error of Do, which stays a
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
