package parallel

import (
	"context"
	"sync"
)

// Queue runs tasks under one bound, as Run does, where a running task may
// add more: the bulk revoke's batches, and the ids a batch leaves to be
// revoked one at a time, share the bound. A task added with Next runs
// before every task added with Add that is still waiting; among each kind,
// tasks start in the order added. Make one with NewQueue, add the first
// tasks, then call Run once.
type Queue struct {
	l    *limiter
	mu   sync.Mutex
	cond *sync.Cond
	// next and later are the tasks waiting, by kind; running counts those
	// started and not yet returned.
	next, later []func(ctx context.Context)
	running     int
}

// NewQueue returns a queue that runs at most limit tasks at a time
// (DefaultLimit when limit < 1).
func NewQueue(limit int) *Queue {
	if limit < 1 {
		limit = DefaultLimit
	}
	q := &Queue{l: newLimiter(limit)}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Add queues task after every task waiting.
func (q *Queue) Add(task func(ctx context.Context)) {
	q.mu.Lock()
	q.later = append(q.later, task)
	q.mu.Unlock()
	q.cond.Broadcast()
}

// Next queues task before the tasks added with Add that are still waiting,
// after those added with Next.
func (q *Queue) Next(task func(ctx context.Context)) {
	q.mu.Lock()
	q.next = append(q.next, task)
	q.mu.Unlock()
	q.cond.Broadcast()
}

// Run runs the tasks, at most the bound at a time, and returns once none
// is waiting or running. Every task added runs, even once ctx is done: it
// checks ctx itself. pace, when not nil, wires the throttle signal into
// the context the tasks get, as Run's does: each throttle halves the
// bound, down to one task at a time.
func (q *Queue) Run(ctx context.Context, pace Pacer) {
	if pace != nil {
		ctx = pace(ctx, q.l.throttled)
	}
	var wg sync.WaitGroup
	for {
		// A slot first, then a task: a task that is waiting for a slot
		// holds none, and tasks never wait for one, so none is starved.
		q.l.acquire()
		q.mu.Lock()
		for len(q.next) == 0 && len(q.later) == 0 && q.running > 0 {
			// Nothing waits, but a running task may add more.
			q.cond.Wait()
		}
		var task func(ctx context.Context)
		switch {
		case len(q.next) > 0:
			task, q.next = q.next[0], q.next[1:]
		case len(q.later) > 0:
			task, q.later = q.later[0], q.later[1:]
		}
		if task == nil {
			q.mu.Unlock()
			q.l.release()
			break
		}
		q.running++
		q.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer q.l.release()
			defer func() {
				q.mu.Lock()
				q.running--
				q.mu.Unlock()
				q.cond.Broadcast()
			}()
			task(ctx)
		}()
	}
	wg.Wait()
}
