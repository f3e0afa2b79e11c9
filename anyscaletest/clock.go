package anyscaletest

import "time"

// Now returns the server clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Advance moves the server clock forward by d; key expiry follows it.
// It panics if d is negative: the clock never goes back.
func (s *Server) Advance(d time.Duration) {
	if d < 0 {
		panic("anyscaletest: Advance with a negative duration")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// nextSeq returns the next creation sequence number, which orders what
// the server makes (members, keys, logins) where the clock, moved only by
// Advance, cannot. Callers hold s.mu.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}
