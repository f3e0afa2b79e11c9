package parallel

import (
	"context"
	"sync"
)

// DefaultLimit is how many calls Run makes at once unless told otherwise.
const DefaultLimit = 8

// Run calls fn(ctx, i) for every i in [0, n), at most limit at a time
// (DefaultLimit when limit < 1), and returns once every call has returned.
// fn writes its result by index, so the caller keeps the input's order.
// Once ctx is done, the calls not yet started are still made, so that fn
// can account for each i; fn checks ctx itself.
//
// The bound adapts to the server: pace, when not nil, is given the run's
// context and a function to call when a call is throttled (a 429 or 503:
// callopt.OnThrottle fits), and returns the context fn gets; each throttle
// halves the bound, down to one call at a time, for the rest of the run.
func Run(ctx context.Context, limit, n int, pace Pacer, fn func(ctx context.Context, i int)) {
	if limit < 1 {
		limit = DefaultLimit
	}
	if n <= 1 || limit == 1 {
		for i := range n {
			fn(ctx, i)
		}
		return
	}
	runWith(ctx, newLimiter(min(limit, n)), n, pace, fn)
}

// Pacer wires a run's throttle signal into the context its calls get.
type Pacer func(ctx context.Context, throttled func()) context.Context

// runWith is Run with a given limiter.
func runWith(ctx context.Context, l *limiter, n int, pace Pacer, fn func(ctx context.Context, i int)) {
	if pace != nil {
		ctx = pace(ctx, l.throttled)
	}
	var wg sync.WaitGroup
	for i := range n {
		l.acquire()
		wg.Add(1)
		go func() {
			defer func() { l.release(); wg.Done() }()
			fn(ctx, i)
		}()
	}
	wg.Wait()
}

// limiter is a semaphore whose bound can shrink while calls are out.
type limiter struct {
	mu       sync.Mutex
	cond     *sync.Cond
	limit    int
	inFlight int
}

func newLimiter(limit int) *limiter {
	l := &limiter{limit: limit}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *limiter) acquire() {
	l.mu.Lock()
	for l.inFlight >= l.limit {
		l.cond.Wait()
	}
	l.inFlight++
	l.mu.Unlock()
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
	l.cond.Signal()
}

// throttled halves the bound; calls already out finish.
func (l *limiter) throttled() {
	l.mu.Lock()
	l.limit = max(1, l.limit/2)
	l.mu.Unlock()
}
