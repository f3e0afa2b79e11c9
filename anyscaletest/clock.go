package anyscaletest

import (
	"net/http"
	"time"
)

// Now returns the server clock: the time the fake judges keys by (expiry,
// creation, last use), which only WithClock and Advance set. Code under
// test shares it in two ways. Every answer of the fake carries it in its
// Date header, which (*client.Client).Now follows, so a client's Now is
// the fake's time once the client has had an answer (after Advance, once
// it has had the next one). And a clock the code under test takes as a
// value, such as keys.AuditOptions.Now, can be given srv.Now itself.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Advance moves the server clock forward by d, and every key ages with
// it: keys expire once the clock reaches their expiry. It panics if d is
// negative: the clock never goes back.
//
// The keys seeded for User.Token (by the organization's owner, AddUser
// and AddServiceAccount) are the test's credentials, not its subject:
// they move with the clock, keeping their age, their time left and the
// time since their last use, so srv.Client(u) goes on working across any
// Advance until the key is revoked or u removed. Every other key (from
// AddKey, AddLegacyKey, the code under test, a login) ages. So the aging
// keys of a test are made first, then the clock moves:
//
//	srv := anyscaletest.Start(t)
//	srv.AddKey(alice, "deploy", 30*24*time.Hour)
//	srv.AddLegacyKey(alice, "old-laptop")
//	srv.Advance(25 * 24 * time.Hour) // deploy expires in 5 days; srv.Client(srv.Owner()) still works
//
// A test of a token that expires gives the client a key of its own: id,
// secret := srv.AddKey(u, "", time.Hour), then srv.ClientWithToken(secret).
func (s *Server) Advance(d time.Duration) {
	if d < 0 {
		panic("anyscaletest: Advance with a negative duration")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
	for _, a := range s.members {
		if a.seedToken == "" {
			continue
		}
		if k := s.keys.byID[keyID(a.seedToken)]; k != nil && k.revokedAt == nil {
			k.shift(d)
		}
	}
}

// shift moves k's times by d: its creation, its expiry and its last use.
func (k *apiKey) shift(d time.Duration) {
	k.createdAt = k.createdAt.Add(d)
	for _, t := range []*time.Time{k.expiresAt, k.lastUsedAt} {
		if t != nil {
			*t = t.Add(d)
		}
	}
}

// setDate sends the server clock as the answer's Date header, which
// net/http would otherwise fill with the wall clock.
func (s *Server) setDate(h http.Header) {
	h.Set("Date", s.Now().UTC().Format(http.TimeFormat))
}

// nextSeq returns the next creation sequence number, which orders what
// the server makes (members, keys, logins) where the clock, moved only by
// Advance, cannot. Callers hold s.mu.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}
