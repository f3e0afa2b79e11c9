package anyscaletest

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"time"
)

// login is a pending browser login, started by create_otp_token.
type login struct {
	seq      int64
	otp      string
	lifetime time.Duration // of the key it will issue; 0: no expiry
	approved bool
	userID   string // who approved it
	secret   string // the key issued on approval, until it is polled
}

func (s *Server) loginRoutes() {
	s.handlePublic("GET "+PathLoginStart, s.startLogin)
	s.handlePublic("GET "+PathLoginPoll+"{otp}", s.pollLogin)
	s.handlePublic("GET "+PathLoginApprove+"{otp}", s.browserApprove)
}

// startLogin is GET /api/v2/users/create_otp_token?duration_seconds=N.
// N is optional (default 7 days); 0 means a key without expiry; negative
// or above the 30-day policy is a 422 (choice: the policy caps every new
// user key at 30 days, yet the CLI's "no expiry" 0 is still answered).
func (s *Server) startLogin(r *http.Request, _ *account) reply {
	q := r.URL.Query()
	if bad := checkQuery(q, "duration_seconds"); bad != nil {
		return *bad
	}
	lifetime := defaultLoginLifetime
	n, present, bad := queryInt(q, "duration_seconds")
	if bad != nil {
		return *bad
	}
	if present {
		max := int64(maxKeyLifetime / time.Second)
		if n < 0 || n > max {
			return invalid(queryLoc("duration_seconds"), "value_error.number.not_in_range",
				"duration_seconds must be 0 (no expiry) or between 1 and %d (30 days)", max)
		}
		lifetime = time.Duration(n) * time.Second
	}
	l := &login{seq: s.nextSeq(), otp: newOTP(), lifetime: lifetime}
	s.logins[l.otp] = l
	return ok(otpStartResult{URL: s.URL + "/otp/" + l.otp, OTP: l.otp})
}

// pollLogin is GET /api/v2/users/request_otp_token/{otp}: not valid until
// approved, then valid with the secret exactly once, then unknown (404).
func (s *Server) pollLogin(r *http.Request, _ *account) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	l := s.logins[r.PathValue("otp")]
	if l == nil {
		return fail(http.StatusNotFound, "unknown or already used login code")
	}
	if !l.approved {
		return ok(otpPollResult{Valid: false})
	}
	delete(s.logins, l.otp)
	return ok(otpPollResult{Valid: true, ServerSessionID: l.secret})
}

// browserApprove is GET /otp/{otp}, the page a browser opens: it approves
// the login as the seeded owner and answers a tiny HTML page.
func (s *Server) browserApprove(r *http.Request, _ *account) reply {
	page := func(status int, msg string) reply {
		body := fmt.Sprintf("<!doctype html><title>Anyscale login</title><p>%s</p>\n", html.EscapeString(msg))
		return reply{status: status, raw: []byte(body), ctype: "text/html; charset=utf-8"}
	}
	l := s.logins[r.PathValue("otp")]
	switch {
	case l == nil:
		return page(http.StatusNotFound, "Unknown or already used login code.")
	case l.approved:
		return page(http.StatusOK, "This login is already approved. You can close this tab.")
	}
	owner := s.member(s.ownerID)
	if owner == nil {
		return page(http.StatusForbidden, "The seeded owner is no longer a member: approve with ApproveLogin.")
	}
	s.approve(l, owner)
	return page(http.StatusOK, fmt.Sprintf("Logged in as %s. You can close this tab.", owner.email))
}

// approve issues the login's key for a. Callers hold s.mu.
func (s *Server) approve(l *login, a *account) {
	l.secret, _ = s.issueKey(a, a.userID, "", l.lifetime)
	l.approved, l.userID = true, a.userID
}

// ApproveLogin approves the pending login otp as u, as a browser session
// of u would: it issues u a key of the requested lifetime (server clock),
// which the next poll hands out. It panics if otp is unknown or already
// approved, or u is not a current member.
func (s *Server) ApproveLogin(otp string, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.mustMember(u, "ApproveLogin")
	l := s.logins[otp]
	switch {
	case l == nil:
		panic(fmt.Sprintf("anyscaletest: ApproveLogin: unknown or already used login code %q", otp))
	case l.approved:
		panic(fmt.Sprintf("anyscaletest: ApproveLogin: login %q is already approved", otp))
	}
	s.approve(l, a)
}

// PendingLogins returns the login codes started and not yet handed out,
// oldest first.
func (s *Server) PendingLogins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := make([]*login, 0, len(s.logins))
	for _, l := range s.logins {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].seq < ls[j].seq })
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.otp
	}
	return out
}

// dropLogins forgets approved logins of a removed member, whose keys are
// revoked anyway. Callers hold s.mu.
func (s *Server) dropLogins(userID string) {
	for otp, l := range s.logins {
		if l.approved && l.userID == userID {
			delete(s.logins, otp)
		}
	}
}
