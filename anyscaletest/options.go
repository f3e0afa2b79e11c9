package anyscaletest

import (
	"net"
	"net/http"
	"time"
)

// Option configures NewServer and Start.
type Option func(*config)

type config struct {
	clock               time.Time
	orgName             string
	ownerEmail          string
	unknownRevokeAnswer bool
	requestLog          int
	listener            net.Listener
	wrap                func(api http.Handler) http.Handler
}

// DefaultRequestLog is how many of the latest requests Requests keeps
// unless WithRequestLog says otherwise.
const DefaultRequestLog = 10_000

// WithRequestLog bounds the requests the server keeps for Requests to n
// (DefaultRequestLog when n < 1): once n are kept, the older half is
// forgotten at once, so Requests holds between n/2 and n of the latest
// requests and a long run's log stays bounded.
func WithRequestLog(n int) Option {
	return func(c *config) {
		if n < 1 {
			n = DefaultRequestLog
		}
		c.requestLog = n
	}
}

// WithClock starts the server clock at start instead of the current time
// (truncated to the second). The server clock only moves with Advance.
func WithClock(start time.Time) Option { return func(c *config) { c.clock = start.UTC() } }

// WithOrgName names the seeded organization (default "Example Org").
func WithOrgName(name string) Option { return func(c *config) { c.orgName = name } }

// WithOwnerEmail sets the email of the seeded owner (default "owner@example.com").
func WithOwnerEmail(email string) Option { return func(c *config) { c.ownerEmail = email } }

// WithUnknownRevokeAnswer makes both bulk revoke endpoints answer in a
// shape the SDK does not know, {"result": {"num_revoked": <n>,
// "request_id": "<random hex>"}}, with no "revoked" list, as the real
// server may (its answer's fields are unknown). They still revoke exactly
// as without it. The default answer is {"result": {"revoked": [<ids>]}}.
func WithUnknownRevokeAnswer() Option { return func(c *config) { c.unknownRevokeAnswer = true } }

// WithListener serves on l instead of a new listener on a random loopback
// port; URL is l's address and Close closes l. It is for a fake on a
// fixed port, as cmd/anyscale-fake runs it; the fake checks no token's
// origin, so keep l on loopback.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithWrap puts wrap's handler in front of the fake's API: it gets every
// request first and either answers it itself or passes it to api.
// Requests it answers are not the fake's: they are not recorded,
// faulted, dated nor authenticated. cmd/anyscale-fake serves its admin
// API under /_fake/ so.
func WithWrap(wrap func(api http.Handler) http.Handler) Option {
	return func(c *config) { c.wrap = wrap }
}
