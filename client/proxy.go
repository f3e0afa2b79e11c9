package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"github.com/anyscale-go/anyscale/internal/loopback"
)

// guardTransport adds the client's rules to t, an *http.Transport the
// client owns (its default, or a copy of the caller's):
//
//   - A request to a loopback host, in any spelling (loopback.Is), never
//     goes through a proxy, whatever HTTP_PROXY, HTTPS_PROXY, NO_PROXY or
//     t.Proxy say: net/http exempts only the exact "localhost" and
//     loopback IP literals, so http://LOCALHOST would otherwise hand the
//     token, in clear, to a proxy.
//   - The name localhost is dialed on a loopback address (127.0.0.1, then
//     ::1), not through the resolver, which a hosts file without the entry
//     or a DNS search domain could send elsewhere.
//   - A proxy that refuses a CONNECT fails with a *proxyError, which names
//     the proxy, says that nothing reached the API, and is not retried
//     when the refusal is final (4xx).
func guardTransport(t *http.Transport) *http.Transport {
	proxy := t.Proxy
	t.Proxy = func(req *http.Request) (*url.URL, error) {
		if proxy == nil || loopback.Is(req.URL.Hostname()) {
			return nil, nil
		}
		return proxy(req)
	}
	dial := t.DialContext
	if dial == nil {
		//lint:ignore SA1019 a caller's transport may still set Dial, which DialContext would override
		if old := t.Dial; old != nil {
			dial = func(_ context.Context, network, addr string) (net.Conn, error) { return old(network, addr) }
		} else {
			var d net.Dialer
			dial = d.DialContext
		}
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || !loopback.IsName(host) {
			return dial(ctx, network, addr)
		}
		conn, err := dial(ctx, network, net.JoinHostPort("127.0.0.1", port))
		if err == nil {
			return conn, nil
		}
		if conn, err6 := dial(ctx, network, net.JoinHostPort("::1", port)); err6 == nil {
			return conn, nil
		}
		return nil, err
	}
	hook := t.OnProxyConnectResponse
	t.OnProxyConnectResponse = func(ctx context.Context, proxyURL *url.URL, req *http.Request, resp *http.Response) error {
		if hook != nil {
			if err := hook(ctx, proxyURL, req, resp); err != nil {
				return err
			}
		}
		if resp.StatusCode != http.StatusOK {
			return &proxyError{proxy: shownProxy(proxyURL), status: resp.StatusCode}
		}
		return nil
	}
	return t
}

// proxyError is a proxy's refusal to open a tunnel to the API (its answer
// to CONNECT): nothing reached the API.
type proxyError struct {
	proxy  string // scheme://host:port, without user info
	status int
}

func (e *proxyError) Error() string {
	return fmt.Sprintf("the proxy %s refused to connect to the API (%d %s), so nothing reached the API; check HTTPS_PROXY, HTTP_PROXY and NO_PROXY",
		e.proxy, e.status, http.StatusText(e.status))
}

// final reports whether no retry can pass: the proxy refused the request
// itself (4xx: authentication required, forbidden), rather than failing
// to reach the API (5xx).
func (e *proxyError) final() bool { return e.status >= 400 && e.status < 500 }

// shownProxy is a proxy's URL as errors show it: scheme and host only,
// never its user info (a password may be there).
func shownProxy(u *url.URL) string {
	if u == nil {
		return "(unknown)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}
