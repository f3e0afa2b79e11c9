package parallel

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Tasks that add tasks run under the one bound, and Run returns once the
// last has run.
func TestQueueRunsAddedTasksWithinTheBound(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		q := NewQueue(limit)
		var inFlight, peak, ran atomic.Int32
		var task func(depth int) func(context.Context)
		task = func(depth int) func(context.Context) {
			return func(context.Context) {
				now := inFlight.Add(1)
				for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
				}
				ran.Add(1)
				if depth < 3 {
					q.Next(task(depth + 1))
					q.Add(task(depth + 1))
				}
				inFlight.Add(-1)
			}
		}
		for range 5 {
			q.Add(task(0))
		}
		q.Run(context.Background(), nil)
		assert.Equal(t, int32(5*15), ran.Load(), "limit %d: every task, added ones too", limit)
		assert.LessOrEqual(t, peak.Load(), int32(limit), "limit %d", limit)
	}
}

// A task added with Next starts before the tasks added with Add that
// wait.
func TestQueueNextGoesFirst(t *testing.T) {
	q := NewQueue(1)
	var mu sync.Mutex
	var order []string
	log := func(s string) func(context.Context) {
		return func(context.Context) { mu.Lock(); order = append(order, s); mu.Unlock() }
	}
	q.Add(func(context.Context) {
		log("a")(nil)
		q.Next(log("a1"))
		q.Next(log("a2"))
	})
	q.Add(log("b"))
	q.Add(log("c"))
	q.Run(context.Background(), nil)
	assert.Equal(t, []string{"a", "a1", "a2", "b", "c"}, order)
}

// Once the context is done, every task still runs (and sees it done).
func TestQueueRunsEveryTaskAfterCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(2)
	var ran, sawDone atomic.Int32
	for i := range 10 {
		q.Add(func(ctx context.Context) {
			if i == 1 {
				cancel()
			}
			if ctx.Err() != nil {
				sawDone.Add(1)
			}
			ran.Add(1)
		})
	}
	q.Run(ctx, nil)
	cancel()
	assert.Equal(t, int32(10), ran.Load())
	assert.Positive(t, sawDone.Load())
}
