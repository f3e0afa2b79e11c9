package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/loopback"
)

// HostFromOption is the origin a transport error and its advice
// (Advice.Origin) give for a base URL given with WithBaseURL; the others
// are auth.HostFromEnv, auth.HostFromDefault and a token's Origin (see
// auth.ResolveHost).
const HostFromOption = "option"

// baseFor returns the base URL for a call made with tok, and where it
// came from: the client's own (WithBaseURL, $ANYSCALE_HOST), else the one
// auth.ResolveHost gives for tok (the host a workspace injected with its
// token, or DefaultBaseURL). A client made with WithAuth sends a token
// that names no host where its parent sends its own.
func (c *Client) baseFor(ctx context.Context, tok auth.Token) (*baseURL, string, error) {
	if c.base != nil {
		return c.base, c.baseOrigin, nil
	}
	host, origin := auth.ResolveHost(tok)
	if origin == auth.HostFromDefault && c.parent != nil && tok.Value != "" {
		// The parent's token, resolved as its own calls resolve it; when it
		// has none (no source is configured), its default holds. A source
		// that is broken says nothing of the host: the call is not sent
		// on a guess.
		ptok, err := c.parent.provider.Token(ctx)
		switch {
		case errors.Is(err, auth.ErrUnavailable):
			ptok = auth.Token{}
		case err != nil:
			return nil, "", fmt.Errorf("finding the host the parent client sends to: %w", err)
		}
		return c.parent.baseFor(ctx, ptok)
	}
	base, err := c.hosts.parse(host, origin, c.insecureHTTP)
	return base, origin, err
}

// hostFrom says where a call's host came from, for an error.
func hostFrom(origin string) string {
	switch origin {
	case auth.HostFromEnv:
		return "the host from " + auth.EnvHost
	case HostFromOption:
		return "the host given to the client"
	case auth.HostFromDefault:
		return "the default host"
	}
	return "the host from " + origin
}

// hostCache keeps the last base URL parsed for a token's host, so that a
// call does not parse it again.
type hostCache struct {
	mu   sync.Mutex
	raw  string
	base *baseURL
}

// baseURL is a checked base URL and its text, made once.
type baseURL struct {
	u *url.URL
	s string
}

func newBaseURL(u *url.URL) *baseURL { return &baseURL{u: u, s: u.String()} }

func (h *hostCache) parse(raw, origin string, insecure bool) (*baseURL, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.base != nil && h.raw == raw {
		return h.base, nil
	}
	u, err := parseBaseURL(raw, insecure)
	if err != nil {
		return nil, advice.Wrap(fmt.Errorf("the API host from %s: %w", origin, err),
			Advice{Action: ActionExplainChain, Origin: origin},
			fmt.Sprintf("set %s, or pass client.WithBaseURL", auth.EnvHost))
	}
	h.raw, h.base = raw, newBaseURL(u)
	return h.base, nil
}

// parseBaseURL checks a base URL: absolute http(s), no user info, query or
// fragment, and https unless the host is loopback or insecure is set. Its
// errors never quote the URL: a token or password pasted into it would go
// along.
func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	const example = "use the API's bare URL, such as " + DefaultBaseURL
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: the base URL does not parse as a URL (look for spaces or stray characters); %s", ErrInvalid, example)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("%w: the base URL carries user info, a query or a fragment; %s", ErrInvalid, example)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%w: the base URL is not an absolute http(s) URL; %s", ErrInvalid, example)
	}
	// One spelling of the host for every decision and for the requests:
	// LOCALHOST, localhost., 127.1 and [::ffff:127.0.0.1] are loopback,
	// and are sent, dialed and kept from proxies as such.
	if host := u.Hostname(); host != "" {
		if canon := loopback.Canonical(host); canon != host {
			u.Host = joinHostPort(canon, u.Port())
		}
	}
	if u.Scheme == "http" && !insecure && !loopback.Is(u.Hostname()) {
		return nil, advice.Wrap(fmt.Errorf("%w: the base URL uses plain http to a host other than this machine (localhost or a loopback address), which would send the token unencrypted", ErrInvalid),
			Advice{}, "use https, or pass client.WithInsecureHTTP() on a trusted network")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// joinHostPort is a URL's host part: host, bracketed when it is an IPv6
// address, and ":port" when port is set.
func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}
