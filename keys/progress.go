package keys

import "sync"

// progress reports, to a caller's progress function, the work done by
// calls that finish in any order.
type progress struct {
	mu     sync.Mutex
	done   int
	total  int
	report func(done, total int) // nil: nothing to report
}

// add counts n more units done and reports the sum; nothing for none.
func (p *progress) add(n int) {
	if p.report == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.report(p.done, p.total)
}
