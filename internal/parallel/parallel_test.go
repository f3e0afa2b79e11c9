package parallel

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunCallsEachIndexOnceWithinTheLimit(t *testing.T) {
	for _, tc := range []struct{ limit, n, wantMax int }{
		{limit: 3, n: 20, wantMax: 3},
		{limit: 0, n: 20, wantMax: DefaultLimit},
		{limit: 1, n: 5, wantMax: 1},
		{limit: 8, n: 1, wantMax: 1},
		{limit: 8, n: 0, wantMax: 0},
	} {
		var inFlight, peak atomic.Int32
		calls := make([]int32, tc.n)
		release := make(chan struct{})
		started := make(chan struct{}, tc.n)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// Let the calls pile up to the limit before any returns.
			for range min(tc.wantMax, tc.n) {
				<-started
			}
			close(release)
		}()
		Run(context.Background(), tc.limit, tc.n, nil, func(_ context.Context, i int) {
			now := inFlight.Add(1)
			for {
				p := peak.Load()
				if now <= p || peak.CompareAndSwap(p, now) {
					break
				}
			}
			atomic.AddInt32(&calls[i], 1)
			started <- struct{}{}
			<-release
			inFlight.Add(-1)
		})
		<-done
		for i, c := range calls {
			assert.Equal(t, int32(1), c, "limit %d n %d: index %d", tc.limit, tc.n, i)
		}
		assert.Equal(t, int32(tc.wantMax), peak.Load(), "limit %d n %d: peak in flight", tc.limit, tc.n)
	}
}

// Once its context is done, Run still calls fn for every index, so that
// the caller can account for each (fn sees the context done).
func TestRunCallsEveryIndexAfterCancellation(t *testing.T) {
	for _, limit := range []int{1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		calls := make([]atomic.Int32, 10)
		var sawDone atomic.Int32
		Run(ctx, limit, len(calls), nil, func(ctx context.Context, i int) {
			if i == 2 {
				cancel()
			}
			if ctx.Err() != nil {
				sawDone.Add(1)
			}
			calls[i].Add(1)
		})
		cancel()
		for i := range calls {
			assert.Equal(t, int32(1), calls[i].Load(), "limit %d: index %d", limit, i)
		}
		assert.Positive(t, sawDone.Load(), "limit %d: the calls after the cancellation see it", limit)
	}
}
