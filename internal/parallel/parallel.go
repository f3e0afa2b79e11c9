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
func Run(ctx context.Context, limit, n int, fn func(ctx context.Context, i int)) {
	if limit < 1 {
		limit = DefaultLimit
	}
	if n <= 1 || limit == 1 {
		for i := range n {
			fn(ctx, i)
		}
		return
	}
	sem := make(chan struct{}, min(limit, n))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(ctx, i)
		}()
	}
	wg.Wait()
}
