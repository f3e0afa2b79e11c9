package keys

import "time"

// SetRenewingClock replaces p's clock (its now and its timer) before its
// first Token call: the tests move time by hand.
func SetRenewingClock(p *RenewingProvider, now func() time.Time, after func(d time.Duration) (<-chan time.Time, func())) {
	p.now, p.after = now, after
}
