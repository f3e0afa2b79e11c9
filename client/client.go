package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/pathseg"
	"github.com/anyscale-go/anyscale/internal/redact"
)

// DefaultBaseURL is the Anyscale API used when neither WithBaseURL,
// $ANYSCALE_HOST nor the token's source (a workspace) says otherwise.
const DefaultBaseURL = auth.DefaultHost

// MaxPageSize is the most items one list request returns.
const MaxPageSize = 50

// Version is this SDK's version, sent in User-Agent and
// X-Anyscale-Client-Version.
const Version = "0.2.0"

// Client calls the Anyscale API. It is safe for concurrent use by multiple
// goroutines; create one and share it.
type Client struct {
	// base is the base URL given with WithBaseURL or $ANYSCALE_HOST; nil
	// when the base URL follows the token (see baseFor). baseOrigin says
	// which: HostFromOption or auth.HostFromEnv.
	base         *baseURL
	baseOrigin   string
	insecureHTTP bool
	// parent is the client this one was made from with WithAuth: a token
	// that names no host goes where the parent's would (see baseFor).
	parent   *Client
	hosts    *hostCache
	provider auth.Provider
	tokens   *tokenCache
	http     *retryablehttp.Client
	tr       *transport // http's, shared by the clients made with WithAuth
	logger   *slog.Logger
	// header is every request's headers but Authorization and
	// Content-Type, built once.
	header http.Header
	retry  RetryPolicy
}

// Response is the HTTP response to a call, its body already read and
// closed, with the server's trace id.
type Response struct {
	*http.Response
	TraceID string
}

// New returns a Client configured by opts. It does no network or file I/O:
// the token is resolved on the first request. An option's error, or a base
// URL that is not usable, matches ErrInvalid.
func New(opts ...Option) (*Client, error) {
	cfg := config{retry: DefaultRetryPolicy()}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
	}
	baseOrigin := HostFromOption
	if host, origin := auth.ResolveHost(auth.Token{}); cfg.baseURL == "" && origin == auth.HostFromEnv {
		cfg.baseURL, baseOrigin = host, origin
	}
	var base *baseURL
	if cfg.baseURL != "" {
		u, err := parseBaseURL(cfg.baseURL, cfg.insecureHTTP)
		if err != nil {
			if baseOrigin == auth.HostFromEnv {
				return nil, fmt.Errorf("client: the API host from %s: %w", auth.EnvHost, err)
			}
			return nil, fmt.Errorf("client: %w", err)
		}
		base = newBaseURL(u)
	}
	if cfg.provider == nil {
		// The chain warns on its own logger (slog.Default) unless the
		// caller gave one: a loose credentials file should not go unseen.
		var chainOpts []auth.ChainOption
		if cfg.logger != nil {
			chainOpts = append(chainOpts, auth.WithLogger(cfg.logger))
		}
		cfg.provider = auth.DefaultChain(chainOpts...)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(discardHandler{})
	}
	c := &Client{
		base:         base,
		baseOrigin:   baseOrigin,
		insecureHTTP: cfg.insecureHTTP,
		hosts:        &hostCache{},
		provider:     cfg.provider,
		tokens:       &tokenCache{},
		logger:       cfg.logger,
		retry:        cfg.retry,
		header: http.Header{
			"Accept":                    {"application/json"},
			"User-Agent":                {userAgent(cfg.userAgent)},
			"X-Anyscale-Client":         {callopt.ClientName},
			"X-Anyscale-Client-Version": {Version},
		},
	}
	c.http = c.newRetryClient(cfg.httpClient, cfg.attemptTimeout)
	return c, nil
}

// WithAuth returns a copy of the client that takes its token from p, with
// every other setting of c and sharing its connection pool: to check a
// freshly rotated key, or to act as a service account
// (c.WithAuth(auth.StaticSecret(created.Secret))). A nil p gives a client
// whose every call fails with ErrInvalid. c is unchanged.
//
// The copy sends its token to the host c sends its own to: c's base URL
// (WithBaseURL, $ANYSCALE_HOST), else, for a token that names no host of
// its own (auth.Static, auth.StaticSecret, auth.File, a key just made
// with c), the host that goes with c's token, such as the one a workspace
// injected. A key made through c is checked where it was made, never at
// DefaultBaseURL by default. A token that names its own host
// (auth.Token.Host) goes there, as with New.
func (c *Client) WithAuth(p auth.Provider) *Client {
	if p == nil {
		p = auth.ProviderFunc(func(context.Context) (auth.Token, error) {
			return auth.Token{}, advice.Wrap(fmt.Errorf("%w: the client has no token provider", ErrInvalid),
				Advice{}, "it was made with WithAuth(nil); pass a provider such as auth.StaticSecret(secret)")
		})
	}
	cp := *c
	cp.provider, cp.tokens, cp.hosts, cp.parent = p, &tokenCache{}, &hostCache{}, c
	return &cp
}

// BaseURL returns the API's base URL: the one given with WithBaseURL or
// $ANYSCALE_HOST. Without either it returns DefaultBaseURL, which a token
// that names its own host (one an Anyscale workspace injected along with
// its ANYSCALE_HOST) replaces for that token's calls: see auth.ResolveHost.
func (c *Client) BaseURL() string {
	if c.base != nil {
		return c.base.s
	}
	return DefaultBaseURL
}

// gate is the transport's: clients made with WithAuth share it.
func (c *Client) gate() *gate { return c.tr.gate }

// CloseIdleConnections closes the idle connections of the client's
// transport, which clients made from it with WithAuth share. A client
// stays usable: later calls open new connections.
func (c *Client) CloseIdleConnections() { c.tr.closeIdle() }

// Provider returns the auth provider the client takes its token from.
func (c *Client) Provider() auth.Provider { return c.provider }

func userAgent(product string) string {
	ua := fmt.Sprintf("anyscale-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if product != "" {
		ua += " " + product
	}
	return ua
}

// Do sends one API call and decodes its answer into out.
//
// API: any endpoint: method and path as given.
//
// path is relative to the base URL and already escaped (use url.PathEscape
// on ids). query is nil, a
// url.Values, or a struct with `url` tags for go-querystring. body is nil
// or a value encoded as JSON. out is nil, a pointer the "result" envelope
// is decoded into, or a *ListEnvelope[T] that takes the whole list answer.
//
// Do checks the token before sending it, retries as the RetryPolicy
// allows, retries once after a 401 with a freshly resolved token, and
// returns an *APIError for every non-2xx answer. A 2xx answer without the
// expected envelope is an error matching ErrMalformedResponse; one over
// MaxResponseBytes is refused. MayHaveActed tells, for every error,
// whether the server may have acted.
func (c *Client) Do(ctx context.Context, method, path string, query, body any, out any) (*Response, error) {
	if err := ctxguard.Check(ctx, "client.Client.Do"); err != nil {
		return nil, err
	}
	return c.call(ctx, method, path, query, body, out, true)
}

// call is Do; withResponse says whether the caller wants the Response
// (the client's own calls do not, and save making it).
func (c *Client) call(ctx context.Context, method, path string, query, body any, out any, withResponse bool) (*Response, error) {
	st := newAttemptState(ctx, method)
	resp, err := c.do(withState(ctx, st), st, path, query, body, out, withResponse)
	if err != nil {
		// One exit: whatever an error quotes (a decoder's, net/http's, a
		// redirect's URL) is scrubbed of the call's tokens here.
		err = scrubCallError(err, st.scrub)
	}
	return resp, err
}

// do sends the call st describes (ctx carries st) and decodes its answer.
func (c *Client) do(ctx context.Context, st *attemptState, path string, query, body any, out any, withResponse bool) (*Response, error) {
	req, resp, err := c.sendAuthenticated(ctx, st, path, query, body)
	if err != nil {
		return nil, err
	}
	return c.handle(resp, req, st, out, withResponse)
}

// sendAuthenticated sends the call with its token, and once more after a
// 401 with a freshly resolved one. A non-2xx answer is returned, not an
// error; every error is a *callError.
func (c *Client) sendAuthenticated(ctx context.Context, st *attemptState, path string, query, body any) (*retryablehttp.Request, *http.Response, error) {
	shown := st.shown(path)
	// Nothing of this call was sent, unless a 401 answered; but a token
	// source may itself have acted on the server (a renewing provider that
	// made a key), and its own verdict stands.
	fail := func(err error) error {
		return &callError{err: fmt.Errorf("%s %s: %w", st.method, shown, err), acted: st.acted || MayHaveActed(err)}
	}
	authenticated := callopt.Authenticated(ctx)
	var prev auth.Token
	// A second round only after a 401, with a freshly resolved token.
	for refreshed := false; ; refreshed = true {
		tok, checked := auth.Token{}, &checkedToken{} // none: a call without a token
		if authenticated {
			var err error
			if tok, checked, err = c.token(ctx); err != nil {
				if refreshed {
					err = fmt.Errorf("the token was rejected (401) and no fresh token could be resolved: %w", err)
				}
				return nil, nil, fail(err)
			}
		}
		if refreshed {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "anyscale: 401, retrying with a freshly resolved token",
				slog.String("source", string(tok.Source)), slog.Bool("same_token", tok.Value == prev.Value))
		}
		// A token goes only to its own host: a fresh one may come from
		// another source, with another host.
		base, origin, err := c.baseFor(ctx, tok)
		if err != nil {
			return nil, nil, fail(err)
		}
		// What the call shows holds no token it sent.
		st.base, st.hostOrigin, st.token, st.scrub = base, origin, tok, checked.scrub.And(st.scrub)
		// A new request each round: the last one may still be read by
		// the transport.
		req, err := c.newRequest(ctx, st, path, query, body, checked.authz)
		if err != nil {
			return nil, nil, fail(err)
		}
		resp, err := c.send(req, st)
		if err != nil {
			return req, nil, c.sendFailed(ctx, req, st, err)
		}
		if refreshed || !authenticated || resp.StatusCode != http.StatusUnauthorized {
			return req, resp, nil
		}
		inv, ok := c.provider.(interface{ Invalidate() })
		if !ok {
			return req, resp, nil
		}
		inv.Invalidate()
		prev = tok
	}
}

// sendFailed is the error of a call whose request got no answer (or one
// that could not be read). Its text names the host and where it came from;
// its advice is to check both, and the token's source
// (ActionExplainChain), unless the server may have acted on a call that
// must not be repeated (ActionCheckFirst), the caller's context ended it,
// or a proxy refused it (its text says what to check).
func (c *Client) sendFailed(ctx context.Context, req *retryablehttp.Request, st *attemptState, err error) error {
	err = st.relabel(err)
	clause := st.method + " " + st.path(req)
	if ue, ok := err.(*url.Error); ok {
		// net/http's "Get \"<url>\": <cause>" would say again what the
		// clause says: the clause names the host instead, and the cause
		// follows.
		clause = st.method + " " + req.URL.Scheme + "://" + req.URL.Host + st.path(req)
		if shown := st.scrub.Scrub(ue.URL); shown != ue.URL {
			// A redirect's URL is the server's: it may echo the token.
			ue = &url.Error{Op: ue.Op, URL: shown, Err: ue.Err}
		}
		err = &urlError{ue: ue}
	}
	if st.hostOrigin != "" {
		clause += " (" + hostFrom(st.hostOrigin) + ")"
	}
	var ne net.Error
	var proxy *proxyError
	timedOut := ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout()
	tooLarge := errors.Is(err, errBodyTooLarge)
	if timedOut {
		err = fmt.Errorf("%w (each attempt may take at most %s)", err, c.tr.attemptTimeout)
	}
	checkFirst := st.acted && !st.idempotent && !tooLarge
	if checkFirst {
		err = fmt.Errorf("%w; the answer was lost and the server may have acted on the request, so it was not repeated", err)
	}
	err = fmt.Errorf("%s: %w", clause, err)
	if timedOut {
		err = advice.Wrap(err, Advice{}, "client.WithAttemptTimeout sets the bound")
	}
	switch {
	case checkFirst:
		err = advice.Wrap(err, Advice{Action: ActionCheckFirst}, "check before repeating it")
	case tooLarge, ctx.Err() != nil, errors.As(err, &proxy), st.base == nil:
	case st.acted && !timedOut:
		// The host answered (its answer was cut): it was reached, and
		// checking which host it is would not help.
	default:
		err = advice.Wrap(err, Advice{Action: ActionExplainChain, Subject: st.base.s, Origin: st.hostOrigin},
			"check the host, where it came from and the token's source with auth.Chain.Explain (auth.DefaultChain().Explain(ctx) for the default chain)")
	}
	return &callError{err: err, acted: st.acted}
}

// urlError is net/http's *url.Error under a clause that names the method
// and URL already: its text is the cause alone.
type urlError struct{ ue *url.Error }

func (e *urlError) Error() string { return e.ue.Err.Error() }
func (e *urlError) Unwrap() error { return e.ue }

// withoutToken returns req as a Response shows it: a copy without the
// Authorization header, and so are the requests of the redirects that led
// to it. (req itself may still be read by the transport, so it is not
// changed.)
func withoutToken(req *http.Request) *http.Request {
	if req == nil {
		return nil
	}
	shown := *req
	if req.Header.Get("Authorization") != "" {
		shown.Header = make(http.Header, len(req.Header))
		for k, v := range req.Header {
			if k != "Authorization" {
				shown.Header[k] = v
			}
		}
	}
	if req.Response != nil {
		hop := *req.Response
		hop.Request = withoutToken(hop.Request)
		shown.Response = &hop
	}
	return &shown
}

// tokenCache remembers the last token that passed the check, and its
// Authorization header value, so that a token is checked once, not on
// every call.
type tokenCache struct {
	last atomic.Pointer[checkedToken]
}

type checkedToken struct {
	value credentials.Secret
	authz []string // "Bearer <token>"
	scrub *redact.Scrubber
}

// token resolves the call's token and checks it before it is sent: a
// token that can never go in a header fails at once, never retried. It
// returns what goes with the token: the Authorization header's value and
// the scrubber that keeps it out of what the call shows.
func (c *Client) token(ctx context.Context) (auth.Token, *checkedToken, error) {
	tok, err := c.provider.Token(ctx)
	if err != nil {
		return auth.Token{}, nil, err
	}
	if last := c.tokens.last.Load(); last != nil && last.value == tok.Value {
		return tok, last, nil
	}
	if err := credentials.ValidateToken(tok.Value.Reveal()); err != nil {
		return auth.Token{}, nil, fmt.Errorf("%w: the token from %s is not usable: %w", ErrInvalid, tok.Source, err)
	}
	checked := &checkedToken{value: tok.Value, authz: []string{"Bearer " + tok.Value.Reveal()}, scrub: redact.New(tok.Value)}
	c.tokens.last.Store(checked)
	return tok, checked, nil
}

func (c *Client) newRequest(ctx context.Context, st *attemptState, path string, q, body any, authz []string) (*retryablehttp.Request, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%w: the path must start with /", ErrInvalid)
	}
	if err := checkSegments(path); err != nil {
		return nil, err
	}
	rawURL := st.base.s + path
	values, err := encodeQuery(q)
	if err != nil {
		return nil, err
	}
	if len(values) > 0 {
		rawURL += "?" + values.Encode()
	}
	var rawBody any
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encoding the body: %w", err)
		}
		rawBody = raw
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, st.method, rawURL, rawBody)
	if err != nil {
		return nil, fmt.Errorf("%w: the path is not a valid URL path", ErrInvalid)
	}
	req.Header = c.header.Clone()
	if rawBody != nil {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	if authz != nil {
		// Only for the base URL's host: the transport takes it off a
		// request to any other (a redirect).
		req.Header["Authorization"] = authz
	}
	return req, nil
}

func encodeQuery(q any) (url.Values, error) {
	switch v := q.(type) {
	case nil:
		return nil, nil
	case url.Values:
		return v, nil
	default:
		values, err := query.Values(q)
		if err != nil {
			return nil, fmt.Errorf("%w: encoding the query: %v", ErrInvalid, err)
		}
		return values, nil
	}
}

// send runs one request, with retries. A non-2xx response is returned,
// not an error: handle maps it. st, in the request's context, learns how
// many attempts were made, whether the server may have acted, and the
// answer's body.
func (c *Client) send(req *retryablehttp.Request, st *attemptState) (*http.Response, error) {
	// While the server asked every call to wait, this one waits too, out
	// of its attempts' time bound (a retry waits in the backoff).
	if err := c.gate().wait(req.Context()); err != nil {
		return nil, err // nothing was sent
	}
	req.SetResponseHandler(st.readAnswer)
	resp, err := c.http.Do(req)
	if err != nil && resp != nil {
		resp.Body.Close()
		resp = nil
	}
	return resp, err
}

// path is the request's path as errors and logs show it.
func (st *attemptState) path(req *retryablehttp.Request) string { return st.shown(req.URL.Path) }

// shown is path, or the label that hides it.
func (st *attemptState) shown(path string) string {
	if st != nil && st.label != "" {
		return st.label
	}
	return path
}

// relabel hides the URL path of a transport error (net/http's *url.Error
// carries the whole URL) behind the label, when the path holds a secret.
func (st *attemptState) relabel(err error) error {
	var ue *url.Error
	if st == nil || st.label == "" || !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: st.label, Err: ue.Err}
	}
	return &url.Error{Op: ue.Op, URL: u.Scheme + "://" + u.Host + st.label, Err: ue.Err}
}

// handle decodes the answer into out, or maps it to an *APIError.
func (c *Client) handle(resp *http.Response, req *retryablehttp.Request, st *attemptState, out any, withResponse bool) (*Response, error) {
	var r *Response
	traceID := st.scrub.Scrub(resp.Header.Get(TraceIDHeader))
	if withResponse {
		resp.Request = withoutToken(resp.Request)
		r = &Response{Response: resp, TraceID: traceID}
	}
	data := st.body
	if st.resp != resp {
		// Reading this answer in the retry loop failed: the status says
		// enough.
		resp.Body.Close()
		data = nil
	}
	fail := func(err error) (*Response, error) { return r, &callError{err: err, acted: st.acted} }
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := newAPIError(resp, st, st.path(req), data, c.retry, c.Now())
		if proxy, viaProxy := c.tr.proxyOf(resp.Request); viaProxy && resp.StatusCode == http.StatusProxyAuthRequired {
			// A 407 to a request that went through a proxy is the
			// proxy's: a plain-http request it was to forward (a refused
			// tunnel is a *proxyError). Without a proxy, nothing says who
			// answered, and nothing is concluded.
			apiErr.note = fmt.Sprintf("the proxy %s answered, not the API, so nothing reached the API; check HTTP_PROXY, HTTPS_PROXY and NO_PROXY", proxy)
		}
		return fail(apiErr)
	}
	if out == nil {
		return r, nil
	}
	if err := decodeAnswer(data, out); err != nil {
		return fail(fmt.Errorf("%s %s: %w (trace id %s); the server may have acted on the request", req.Method, st.path(req), err, traceID))
	}
	return r, nil
}

// checkSegments refuses a path with a segment that a normalizing proxy or
// server would not pass on as is: "." or "..", which resolve to another
// path, or one that decodes to hold a slash or backslash. Ids enter paths
// escaped, so an id such as ".." or "a/../b" is refused here, whichever
// service built the path.
func checkSegments(path string) error {
	for _, seg := range strings.Split(path[1:], "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return fmt.Errorf("%w: a path segment is not validly escaped", ErrInvalid)
		}
		if dec != "" && !pathseg.Passes(dec) {
			return fmt.Errorf("%w: a path segment is \".\" or \"..\", or holds a slash once unescaped: no id has that form; check the id", ErrInvalid)
		}
	}
	return nil
}
