package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The retry rules. GET, HEAD and DELETE are idempotent: they retry on
// network errors, 429 and 500/502/503/504. Any other method (POST creates
// keys and service accounts) retries only when the server cannot have acted
// on it: 429, 503 with Retry-After, or nothing at the host. Nothing at the
// host (a refused connection, a name DNS does not know) is retried once, for
// a server that is restarting, and then said: a wrong host is not worth a
// whole retry budget. Neither is a certificate error, a refused redirect or
// a proxy's refusal of the tunnel, which end the retries at once. A
// Retry-After longer than RetryPolicy.MaxRetryAfter ends the retries.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, cerr := c.shouldRetry(ctx, resp, err)
	if retry && err == nil && resp != nil {
		// Read the answer whole (bounded) before it is retried: its
		// connection goes back to the pool instead of being dropped, and
		// the answer is kept should this attempt be the last.
		if st := stateFrom(ctx); st != nil {
			_ = st.readAnswer(resp)
		}
	}
	return retry, cerr
}

func (c *Client) shouldRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := stateFrom(ctx)
	idempotent, acted := true, false
	if st != nil {
		idempotent, acted = st.idempotent, st.acted
	}
	// A wait over the cap ends the retries, whether or not the answer
	// asking for it could be read.
	if wait, ok := retryAfter(resp, c.Now()); ok && wait > c.retry.MaxRetryAfter {
		return false, nil
	}
	if err != nil {
		if !retryableNetError(err) {
			return false, nil
		}
		if nothingThere(err) {
			// A refused connection or an unknown host name: a server
			// that is restarting passes on one quick retry; a wrong host
			// never does, so it is said at once, not after the whole
			// retry budget.
			if st != nil {
				st.nothingThere++
				if st.nothingThere > maxNothingThereRetries {
					return false, nil
				}
			}
			// A call that must not be repeated is, since nothing
			// reached the server.
			return idempotent || !acted, nil
		}
		return idempotent, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true, nil
	case http.StatusServiceUnavailable:
		_, hasRetryAfter := retryAfter(resp, time.Now())
		return idempotent || hasRetryAfter, nil
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent, nil
	}
	return false, nil
}

type idempotencyKey struct{}

// WithIdempotency overrides, for the calls made with the returned context,
// the rule that only GET, HEAD, DELETE and OPTIONS are idempotent. Services
// mark a POST that is safe to repeat (revoking all of a user's keys) as
// idempotent, and a GET that is not (rotating keys revokes the token that
// sent it) as not.
//
// A nil ctx stays nil, so that the call made with it fails as every call
// with a nil context does, instead of panicking here.
func WithIdempotency(ctx context.Context, idempotent bool) context.Context {
	if ctx == nil {
		return nil
	}
	return context.WithValue(ctx, idempotencyKey{}, idempotent)
}

// idempotent reports whether a call may be repeated: by its method, unless
// WithIdempotency says otherwise.
func idempotent(ctx context.Context, method string) bool {
	if v, ok := ctx.Value(idempotencyKey{}).(bool); ok {
		return v
	}
	return isIdempotent(method)
}

func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// maxNothingThereRetries is how many times a call is retried when
// nothing answers at the host: the connection was refused, or the name
// does not resolve.
const maxNothingThereRetries = 1

// nothingThere reports whether a transport error says that nothing
// answers at the host: the connection was refused, or DNS says the name
// does not exist.
func nothingThere(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns) && dns.IsNotFound
}

// retryableNetError reports whether a transport error may pass on a retry:
// not a certificate problem, a refused redirect, a malformed request or a
// proxy's final refusal.
func retryableNetError(err error) bool {
	var proxy *proxyError
	switch {
	case certificateError(err):
		return false
	case errors.As(err, &proxy) && proxy.final():
		return false
	case errors.Is(err, errRedirectRefused), errors.Is(err, errBodyTooLarge):
		return false
	case strings.Contains(err.Error(), "unsupported protocol scheme"): // net/http has no sentinel for it
		return false
	}
	return true
}

// certificateError reports whether err is TLS refusing the server's
// certificate: no retry helps, and nothing was sent.
func certificateError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// backoff waits as Retry-After asks on 429 and 503, else exponentially from
// MinWait to MaxWait with jitter.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	// Another call's Retry-After holds this one too.
	held := c.gate().remaining()
	if resp != nil {
		if wait, ok := retryAfter(resp, c.Now()); ok {
			return min(max(wait, held), c.retry.MaxRetryAfter)
		}
	}
	wait := maxWait
	if attempt < 30 {
		if d := minWait << attempt; d > 0 && d < maxWait {
			wait = d
		}
	}
	// Equal jitter: between half and all of the computed wait.
	half := wait / 2
	return max(half+rand.N(wait-half+1), held)
}

// retryAfter parses a 429 or 503 response's Retry-After header, in seconds
// or as an HTTP date. A date is the server's: it counts from the answer's
// own Date header, else from now (the server's time, Client.Now).
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), dateOf(resp, now))
}

// maxRetryAfterSeconds caps a parsed Retry-After: a day, longer than any
// MaxRetryAfter a policy would wait for.
const maxRetryAfterSeconds = int64(24 * time.Hour / time.Second)

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case secs < 0:
			return 0, false
		case err != nil, secs > maxRetryAfterSeconds:
			// Too large even for int64, or beyond any cap: the longest
			// wait the client knows, which no retry policy waits for.
			secs = maxRetryAfterSeconds
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), time.Duration(maxRetryAfterSeconds)*time.Second), true
	}
	return 0, false
}
