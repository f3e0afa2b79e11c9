package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/anyscale-go/anyscale/auth"
)

// DefaultBaseURL is the Anyscale API used when neither WithBaseURL,
// $ANYSCALE_HOST nor the token's source (a workspace) says otherwise.
const DefaultBaseURL = auth.DefaultHost

// MaxPageSize is the most items one list request returns.
const MaxPageSize = 50

// Version is this SDK's version, sent in User-Agent and
// X-Anyscale-Client-Version.
const Version = "0.2.0"

// ClientName is sent in X-Anyscale-Client.
const ClientName = "go-sdk"

// maxBodyBytes bounds how much of a response the client reads.
const maxBodyBytes = 8 << 20

// Client calls the Anyscale API. It is safe for concurrent use by multiple
// goroutines; create one and share it.
type Client struct {
	// base is the base URL given with WithBaseURL or $ANYSCALE_HOST; nil
	// when the base URL follows the token (see baseFor).
	base         *url.URL
	insecureHTTP bool
	hosts        *hostCache
	provider     auth.Provider
	http         *retryablehttp.Client
	logger       *slog.Logger
	userAgent    string
	retry        RetryPolicy
}

// Response is the HTTP response to a call, its body already read and
// closed, with the server's trace id.
type Response struct {
	*http.Response
	TraceID string
}

// New returns a Client. It does no network or file I/O: the token is
// resolved on the first request.
func New(opts ...Option) (*Client, error) {
	cfg := config{retry: DefaultRetryPolicy()}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
	}
	if cfg.baseURL == "" {
		cfg.baseURL = os.Getenv(auth.EnvHost)
	}
	var base *url.URL
	if cfg.baseURL != "" {
		var err error
		if base, err = parseBaseURL(cfg.baseURL, cfg.insecureHTTP); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
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
		insecureHTTP: cfg.insecureHTTP,
		hosts:        &hostCache{},
		provider:     cfg.provider,
		logger:       cfg.logger,
		retry:        cfg.retry,
		userAgent:    userAgent(cfg.userAgent),
	}
	c.http = c.newRetryClient(cfg.httpClient, cfg.attemptTimeout)
	return c, nil
}

// WithAuth returns a copy of the client that takes its token from p, with
// every other setting of c and sharing its connection pool: to check a
// freshly rotated key, or to act as a service account
// (c.WithAuth(auth.StaticSecret(created.Secret))). A nil p gives a client
// whose every call fails with ErrInvalid. c is unchanged.
func (c *Client) WithAuth(p auth.Provider) *Client {
	if p == nil {
		p = auth.ProviderFunc(func(context.Context) (auth.Token, error) {
			return auth.Token{}, fmt.Errorf("%w: the client was made with WithAuth(nil); pass a provider such as auth.StaticSecret(secret)", ErrInvalid)
		})
	}
	cp := *c
	cp.provider = p
	return &cp
}

// BaseURL returns the API's base URL: the one given with WithBaseURL or
// $ANYSCALE_HOST. Without either it returns DefaultBaseURL, which a token
// that names its own host (one an Anyscale workspace injected along with
// its ANYSCALE_HOST) replaces for that token's calls: see auth.ResolveHost.
func (c *Client) BaseURL() string {
	if c.base != nil {
		return c.base.String()
	}
	return DefaultBaseURL
}

// Provider returns the auth provider the client takes its token from.
func (c *Client) Provider() auth.Provider { return c.provider }

func userAgent(product string) string {
	ua := fmt.Sprintf("anyscale-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if product != "" {
		ua += " " + product
	}
	return ua
}

// Do sends one API call and decodes its answer. path is relative to the
// base URL and already escaped (use url.PathEscape on ids). query is nil, a
// url.Values, or a struct with `url` tags for go-querystring. body is nil
// or a value encoded as JSON. out is nil, a pointer the "result" envelope
// is decoded into, or a *ListEnvelope[T] that takes the whole list answer.
//
// Do retries as the RetryPolicy allows, retries once after a 401 with a
// freshly resolved token, and returns an *APIError for every non-2xx
// answer.
func (c *Client) Do(ctx context.Context, method, path string, query, body, out any) (*Response, error) {
	authenticated := ctx.Value(noAuthKey{}) == nil
	var tok auth.Token
	if authenticated {
		var err error
		if tok, err = c.provider.Token(ctx); err != nil {
			return nil, notSent(fmt.Errorf("anyscale: %s %s: %w", method, path, err))
		}
	}
	base, err := c.baseFor(tok)
	if err != nil {
		return nil, notSent(fmt.Errorf("anyscale: %s %s: %w", method, path, err))
	}
	req, err := c.newRequest(ctx, base, method, path, query, body)
	if err != nil {
		return nil, notSent(err)
	}
	resp, st, err := c.send(req, base, tok)
	if authenticated && err == nil && resp.StatusCode == http.StatusUnauthorized {
		if inv, ok := c.provider.(interface{ Invalidate() }); ok {
			inv.Invalidate()
			fresh, terr := c.provider.Token(ctx)
			if terr != nil {
				drain(resp)
				return nil, notSent(fmt.Errorf("anyscale: %s %s: the token was rejected (401) and no fresh token could be resolved: %w", method, path, terr))
			}
			c.logger.LogAttrs(ctx, slog.LevelDebug, "anyscale: 401, retrying with a freshly resolved token",
				slog.String("source", string(fresh.Source)), slog.Bool("same_token", fresh.Value == tok.Value))
			drain(resp)
			tok = fresh
			resp, st, err = c.send(req, base, tok)
		}
	}
	if err != nil {
		err = st.relabel(err)
		var ne net.Error
		if ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout() {
			err = fmt.Errorf("%w (each attempt may take at most %s: see client.WithAttemptTimeout)", err, c.http.HTTPClient.Timeout)
		}
		return nil, fmt.Errorf("anyscale: %s %s: %w", method, st.path(req), err)
	}
	return c.handle(resp, req, st, tok, out)
}

type noAuthKey struct{}

// WithoutAuth marks the calls made with the returned context as
// unauthenticated: they resolve no token and send no Authorization header.
// The login endpoints use it, so a login works before any token exists.
func WithoutAuth(ctx context.Context) context.Context {
	return context.WithValue(ctx, noAuthKey{}, true)
}

func (c *Client) newRequest(ctx context.Context, base *url.URL, method, path string, q, body any) (*retryablehttp.Request, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%w: path %q must start with /", ErrInvalid, path)
	}
	rawURL := base.String() + path
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: path %q: %v", ErrInvalid, path, err)
	}
	values, err := encodeQuery(q)
	if err != nil {
		return nil, err
	}
	if len(values) > 0 {
		u.RawQuery = values.Encode()
	}
	var raw []byte
	if body != nil {
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("anyscale: encoding the %s %s body: %w", method, path, err)
		}
	}
	var rawBody any
	if raw != nil {
		rawBody = raw
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), rawBody)
	if err != nil {
		return nil, fmt.Errorf("anyscale: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Anyscale-Client", ClientName)
	req.Header.Set("X-Anyscale-Client-Version", Version)
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

// send runs one request, with retries, carrying tok. A non-2xx response is
// returned, not an error: handle maps it. The state tells how many attempts
// were made.
func (c *Client) send(req *retryablehttp.Request, base *url.URL, tok auth.Token) (*http.Response, *attemptState, error) {
	st := &attemptState{method: req.Method, base: base, token: tok}
	st.label, _ = req.Context().Value(pathLabelKey{}).(string)
	r := req.WithContext(withState(req.Context(), st))
	resp, err := c.http.Do(r)
	if err != nil && resp != nil {
		resp.Body.Close()
		resp = nil
	}
	return resp, st, err
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

type pathLabelKey struct{}

// WithPathLabel makes the calls made with the returned context show label
// instead of their URL path in errors and logs, for a path that holds a
// secret such as a login code.
func WithPathLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, pathLabelKey{}, label)
}

// drain reads a little of resp's body, so the connection can be reused,
// and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// handle reads resp and decodes it into out, or maps it to an *APIError.
func (c *Client) handle(resp *http.Response, req *retryablehttp.Request, st *attemptState, tok auth.Token, out any) (*Response, error) {
	defer resp.Body.Close()
	r := &Response{Response: resp, TraceID: resp.Header.Get(TraceIDHeader)}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return r, fmt.Errorf("anyscale: %s %s: reading the response: %w", req.Method, st.path(req), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return r, newAPIError(resp, req.Method, st.path(req), st.attempt, data, tok, c.retry)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return r, nil
	}
	if env, ok := out.(listEnvelope); ok {
		err = json.Unmarshal(data, env)
	} else {
		err = json.Unmarshal(data, &struct {
			Result any `json:"result"`
		}{out})
	}
	if err != nil {
		return r, fmt.Errorf("anyscale: %s %s: decoding the response (trace id %s): %w", req.Method, st.path(req), r.TraceID, err)
	}
	return r, nil
}
