package cmdutil

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
)

// NoAnswerError is the error of a command that gave up on the API: it
// had waited --timeout for an answer and got none. It names the host and
// where the host came from, and advises `auth explain`.
type NoAnswerError struct {
	// Host is the URL the last request went to (scheme and host).
	Host string
	// Origin is where the host came from: "--host", ANYSCALE_HOST, the
	// workspace, or "default".
	Origin string
	// Timeout is how long the command waited.
	Timeout time.Duration
	// Done, when set, says what the command did before it gave up.
	Done string
	// Err is the error the command ended with, when it ended on one: what
	// it did before it gave up, and its advice (a request that may have
	// acted).
	Err error
}

func (e *NoAnswerError) Error() string {
	msg := fmt.Sprintf("no answer from %s (the host from %s) in %s; --timeout sets how long to wait", e.Host, e.Origin, e.Timeout)
	if e.Done != "" {
		msg += ". " + e.Done
	}
	return msg
}

// Unwrap gives the error the command ended with, for its advice.
func (e *NoAnswerError) Unwrap() error { return e.Err }

// AdviceOf says to check the host and the token's source.
func (e *NoAnswerError) AdviceOf() (client.Advice, bool) {
	return client.Advice{Action: client.ActionExplainChain, Subject: e.Host, Origin: e.Origin}, true
}

// watchdog is the transport under the API client: it gives up on a host
// that stays silent. Its clock runs while the command waits for an
// answer: it starts when a request is sent and none is awaited, starts
// again at each answer while other requests are still out, stops when
// the last one is answered (a failed attempt leaves it running: nothing
// was heard). Once it reaches timeout, the command's context ends with a
// *NoAnswerError. Under --debug it also says when a request is sent again
// after a failed attempt.
type watchdog struct {
	base    http.RoundTripper
	timeout time.Duration
	// origin says where the host came from, once the token is known.
	origin func() string
	// cancel ends the command's context; nil: the command only learns of
	// it from NoAnswer.
	cancel context.CancelCauseFunc
	debug  bool
	errOut io.Writer
	// afterFunc starts the clock (time.AfterFunc; tests replace it).
	afterFunc func(time.Duration, func()) stopper

	mu       sync.Mutex
	inflight int
	timer    stopper
	gen      int // which arming the timer belongs to
	host     string
	err      *NoAnswerError
	// failed counts, by method and URL, attempts that failed and were
	// not sent again yet: the next one is a retry (--debug says so).
	failed map[string]int
	last   map[string]string
}

type stopper interface{ Stop() bool }

func (w *watchdog) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	w.start(req.URL.Scheme+"://"+req.URL.Host, key)
	resp, err := w.base.RoundTrip(req)
	w.done(key, resp, err)
	return resp, err
}

func (w *watchdog) start(host, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.host = host
	if w.debug && w.failed[key] > 0 {
		w.failed[key]--
		fmt.Fprintf(w.errOut, "anyscale-keys: debug: retrying %s (the attempt before: %s)\n", key, w.last[key])
	}
	w.inflight++
	if w.timer == nil && w.err == nil {
		w.arm()
	}
}

func (w *watchdog) done(key string, resp *http.Response, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inflight--
	if w.debug {
		failed, outcome := true, ""
		switch {
		case err != nil:
			outcome = "no answer: " + client.Facts(err)
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			outcome = resp.Status
		default:
			failed = false
		}
		if failed {
			if w.failed == nil {
				w.failed, w.last = map[string]int{}, map[string]string{}
			}
			w.failed[key]++
			w.last[key] = outcome
		}
	}
	if err != nil || w.err != nil {
		return // nothing was heard: the clock runs on
	}
	w.disarm()
	if w.inflight > 0 {
		w.arm()
	}
}

// arm starts the clock; w.mu is held.
func (w *watchdog) arm() {
	w.gen++
	gen := w.gen
	after := w.afterFunc
	if after == nil {
		after = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }
	}
	w.timer = after(w.timeout, func() { w.fire(gen) })
}

// disarm stops the clock; w.mu is held.
func (w *watchdog) disarm() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

func (w *watchdog) fire(gen int) {
	w.mu.Lock()
	if gen != w.gen || w.timer == nil || w.err != nil {
		w.mu.Unlock()
		return
	}
	w.timer = nil
	origin := "the default"
	if w.origin != nil {
		origin = w.origin()
	}
	w.err = &NoAnswerError{Host: w.host, Origin: origin, Timeout: w.timeout}
	e, cancel := w.err, w.cancel
	w.mu.Unlock()
	if cancel != nil {
		cancel(e)
	}
}

// fired returns the watchdog's error once it gave up, else nil.
func (w *watchdog) fired() *NoAnswerError {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// tokenSource is the credential chain as the command line uses it: any
// error of a source that is configured but broken (a directory where the
// credentials file should be, a file it may not read) is a
// *TokenSourceError, which exits 3 like every other "not authenticated".
// It remembers the last token, to say where the host came from.
type tokenSource struct {
	chain *auth.Chain
	mu    sync.Mutex
	tok   auth.Token
}

func (s *tokenSource) Token(ctx context.Context) (auth.Token, error) {
	tok, err := s.chain.Token(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return tok, err
		}
		return tok, &TokenSourceError{Err: err}
	}
	s.mu.Lock()
	s.tok = tok
	s.mu.Unlock()
	return tok, nil
}

// Invalidate drops the chain's cached token, after a 401.
func (s *tokenSource) Invalidate() { s.chain.Invalidate() }

func (s *tokenSource) last() auth.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok
}

// TokenSourceError is the error of a token source: none is configured, or
// one is broken. It exits 3.
type TokenSourceError struct{ Err error }

func (e *TokenSourceError) Error() string { return e.Err.Error() }
func (e *TokenSourceError) Unwrap() error { return e.Err }
