package client

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Now returns the time as the API server sees it: the local time,
// corrected by the clock skew measured from the Date header of the
// server's successful answers (the latest one counts; an error page may
// come from a proxy or a gateway, whose clock is not the API's). Until
// such an answer came it is the local time. Judge a key's
// expiry with it, not with time.Now: a local clock that is off would call
// a live key expired, or an expired one active.
//
// The Date header counts in whole seconds, so a skew smaller than a
// second plus the round trip cannot be told from none: the local time is
// kept then. Otherwise Now is corrected to the middle of what the header
// allows. The time returned carries no monotonic clock reading (the
// correction may change between two calls), so subtract two of them only
// to compare them with a server's times. Now is safe for concurrent use,
// costs one atomic load beyond time.Now, and is shared by the clients made
// from c with WithAuth.
func (c *Client) Now() time.Time { return c.tr.clock.now() }

// serverClock is the skew between the API server's clock and the local
// one, measured from the Date header of its answers.
type serverClock struct {
	skew atomic.Int64 // nanoseconds; 0 until measured
}

func (c *serverClock) now() time.Time {
	return time.Now().Add(time.Duration(c.skew.Load())).Round(0)
}

// observe measures the skew from an answer's Date header: the request
// left at sent, the answer came at received (local times).
func (c *serverClock) observe(resp *http.Response, sent, received time.Time) {
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	c.skew.Store(int64(skewOf(date, sent, received)))
}

// skewOf is how far the server's clock is ahead of the local one (behind
// when negative), from a Date header the server wrote between sent and
// received: at received, the server's clock read at least date and less
// than date plus a second (the header's resolution) plus the round trip.
// A local time inside that window is kept (no skew); outside it, the
// middle of the window is taken.
func skewOf(date, sent, received time.Time) time.Duration {
	window := time.Second + max(received.Sub(sent), 0)
	lo, hi := date, date.Add(window)
	if !received.Before(lo) && received.Before(hi) {
		return 0
	}
	return lo.Add(window / 2).Sub(received)
}

// dateOf is the time an answer was written, by the server's clock: its
// Date header, else now. A Retry-After given as a date is counted from
// it, so that a local clock that is off neither holds every call for days
// nor retries at once.
func dateOf(resp *http.Response, now time.Time) time.Time {
	if resp != nil {
		if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return date
		}
	}
	return now
}

// clockFromAnswers measures the server's clock from every successful
// answer to a request for the call's own host (not a redirect's other
// host): a 407 or an HTML 502 is a proxy's or a gateway's, whose Date
// says nothing of the API's clock.
type clockFromAnswers struct {
	base  http.RoundTripper
	clock *serverClock
}

func (t *clockFromAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if st := stateFrom(req.Context()); st != nil && st.base != nil && req.URL.Host == st.base.u.Host {
			t.clock.observe(resp, sent, time.Now())
		}
	}
	return resp, err
}
