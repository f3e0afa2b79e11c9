package client

import (
	"errors"
	"fmt"
	"net/http"
)

// maxRedirects bounds how many redirects one attempt follows.
const maxRedirects = 10

// errRedirectRefused is every redirect the client does not follow; no
// retry follows one either.
var errRedirectRefused = errors.New("refusing a redirect")

var (
	// errInsecureRedirect stops a redirect from https to http.
	errInsecureRedirect = fmt.Errorf("%w from https to http", errRedirectRefused)
	// errTooManyRedirects stops a chain of more than maxRedirects redirects.
	errTooManyRedirects = fmt.Errorf("%w: stopped after %d redirects", errRedirectRefused, maxRedirects)
)

// checkRedirect is the http.Client's redirect policy: at most
// maxRedirects, never from https to http, and never one that changes the
// method.
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
		return fmt.Errorf("%w that turns a %s into a %s: the server may have acted on the %s",
			errRedirectRefused, via[0].Method, req.Method, via[0].Method)
	}
	return nil
}

// scopeAuth keeps the Authorization header to the call's base URL's
// scheme and host: a redirect to another host or scheme goes without the
// token.
type scopeAuth struct{ base http.RoundTripper }

func (t *scopeAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, ok := req.Header["Authorization"]; ok {
		st := stateFrom(req.Context())
		if st == nil || st.base == nil || req.URL.Scheme != st.base.u.Scheme || req.URL.Host != st.base.u.Host {
			req = req.Clone(req.Context())
			req.Header.Del("Authorization")
		}
	}
	return t.base.RoundTrip(req)
}
