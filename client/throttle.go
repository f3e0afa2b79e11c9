package client

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/anyscale-go/anyscale/internal/callopt"
)

// gate holds back every call of a client, whichever goroutine makes it,
// while the server asked to wait (a 429 or 503 with Retry-After): one
// worker's answer paces them all.
type gate struct {
	mu    sync.Mutex
	until time.Time
}

// hold closes the gate for d from now, unless it is closed longer already.
func (g *gate) hold(d time.Duration) {
	until := time.Now().Add(d)
	g.mu.Lock()
	if until.After(g.until) {
		g.until = until
	}
	g.mu.Unlock()
}

// remaining is how long the gate stays closed.
func (g *gate) remaining() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(time.Until(g.until), 0)
}

// wait returns once the gate is open, or ctx is done.
func (g *gate) wait(ctx context.Context) error {
	d := g.remaining()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// throttle tells the gate, and the call's callopt.OnThrottle hooks, of a
// 429 or 503: a Retry-After of up to maxRetryAfter holds every call of
// the client (and of those made from it with WithAuth) that long.
type throttle struct {
	base          http.RoundTripper
	gate          *gate
	clock         *serverClock
	maxRetryAfter time.Duration
}

func (t *throttle) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return resp, err
	}
	if wait, ok := retryAfter(resp, t.clock.now()); ok && wait > 0 && wait <= t.maxRetryAfter {
		t.gate.hold(wait)
	}
	callopt.Throttled(req.Context())
	return resp, err
}
