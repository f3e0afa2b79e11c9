package cmdutil

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// fakeTimer is a clock the test moves: fire runs the function of the
// timer armed last, unless it was stopped.
type fakeTimer struct {
	mu      sync.Mutex
	f       func()
	stopped bool
	d       time.Duration
}

func (t *fakeTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

type fakeClock struct {
	mu     sync.Mutex
	timers []*fakeTimer
	armed  chan struct{}
}

func newFakeClock() *fakeClock { return &fakeClock{armed: make(chan struct{}, 64)} }

func (c *fakeClock) after(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{f: f, d: d}
	c.timers = append(c.timers, t)
	c.armed <- struct{}{}
	return t
}

// elapse fires every timer still running, as if its time had come.
func (c *fakeClock) elapse() {
	c.mu.Lock()
	timers := c.timers
	c.timers = nil
	c.mu.Unlock()
	for _, t := range timers {
		t.mu.Lock()
		stopped := t.stopped
		t.mu.Unlock()
		if !stopped {
			t.f()
		}
	}
}

// gate is a round tripper whose answers the test releases.
type gate struct{ answer chan error }

func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := <-g.answer; err != nil {
		return nil, err
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Body: http.NoBody, Request: req}, nil
}

func newTestWatchdog(clock *fakeClock, base http.RoundTripper) (*watchdog, context.Context) {
	ctx, cancel := context.WithCancelCause(context.Background())
	w := &watchdog{base: base, timeout: 30 * time.Second, cancel: cancel, errOut: io.Discard, afterFunc: clock.after,
		origin: func() string { return "ANYSCALE_HOST" }}
	return w, ctx
}

func send(t *testing.T, w *watchdog, done chan<- error) {
	t.Helper()
	req, err := http.NewRequest("GET", "https://api.example.com/api/v2/userinfo/", nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := w.RoundTrip(req)
		done <- err
	}()
}

// A host that stays silent for the timeout ends the command's context with
// a *NoAnswerError naming the host and its origin.
func TestWatchdogGivesUpOnSilence(t *testing.T) {
	clock := newFakeClock()
	g := &gate{answer: make(chan error)}
	w, ctx := newTestWatchdog(clock, g)
	done := make(chan error, 1)
	send(t, w, done)
	waitArmed(t, clock)
	clock.elapse()
	var na *NoAnswerError
	if !errors.As(context.Cause(ctx), &na) || na.Host != "https://api.example.com" || na.Origin != "ANYSCALE_HOST" || na.Timeout != 30*time.Second {
		t.Fatalf("cause = %v", context.Cause(ctx))
	}
	if w.fired() == nil {
		t.Error("fired() is nil")
	}
	g.answer <- errors.New("gave up")
	<-done
}

// An answer stops the clock; a failed attempt (nothing heard) does not.
func TestWatchdogAnswerStopsTheClock(t *testing.T) {
	clock := newFakeClock()
	g := &gate{answer: make(chan error)}
	w, ctx := newTestWatchdog(clock, g)
	done := make(chan error, 1)
	send(t, w, done)
	waitArmed(t, clock)
	g.answer <- nil
	<-done
	clock.elapse()
	if ctx.Err() != nil {
		t.Fatalf("the clock ran on after an answer: %v", context.Cause(ctx))
	}

	send(t, w, done)
	waitArmed(t, clock)
	g.answer <- errors.New("connection reset")
	<-done
	clock.elapse()
	if ctx.Err() == nil {
		t.Fatal("a failed attempt stopped the clock: nothing was heard")
	}
}

// The default gives up within 40 seconds, with room for the backoff before
// a retry.
func TestDefaultTimeoutUnder40s(t *testing.T) {
	if DefaultTimeout > 35*time.Second {
		t.Errorf("DefaultTimeout = %s", DefaultTimeout)
	}
	f := NewFactory(nil, "test")
	if f.timeout() != DefaultTimeout {
		t.Errorf("timeout() = %s", f.timeout())
	}
}

func waitArmed(t *testing.T, clock *fakeClock) {
	t.Helper()
	select {
	case <-clock.armed:
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog never armed")
	}
}
