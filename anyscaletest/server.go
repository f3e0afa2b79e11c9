package anyscaletest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is an in-memory Anyscale API on a loopback port. It is safe for
// concurrent use: one mutex guards all of its state, and every exported
// method may be called while requests are being served.
type Server struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:41234",
	// with no trailing slash: the SDK's base URL.
	URL string

	ts        *httptest.Server
	mux       *http.ServeMux
	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	now      time.Time
	seq      int64
	orgID    string
	orgName  string
	ownerID  string
	accounts map[string]*account // by user id
	members  []*account          // in creation order, removed ones included
	keys     keyStore
	logins   map[string]*login // by otp
	faults   []*Fault
	requests []Request
	reqBase  int // how many requests ResetRequests forgot

	unknownRevokeAnswer bool // WithUnknownRevokeAnswer; set once, before serving
	requestLog          int  // WithRequestLog; set once, before serving
}

// account is a human member or a service account of the organization.
type account struct {
	seq        int64
	userID     string
	identityID string
	email      string
	name       string
	role       Role
	service    bool
	createdAt  time.Time
	removed    bool
	seedToken  string // secret of the key seeded by AddUser, for User values
}

// Role is a member's (user's or service account's) permission level in
// the organization.
type Role string

// The two permission levels.
const (
	// Owner manages the organization: every key, members, service accounts.
	Owner Role = "owner"
	// Collaborator manages only its own keys.
	Collaborator Role = "collaborator"
)

// Option configures NewServer and Start.
type Option func(*config)

type config struct {
	clock               time.Time
	orgName             string
	ownerEmail          string
	unknownRevokeAnswer bool
	requestLog          int
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

// NewServer starts a server on 127.0.0.1 at a random port, seeded with one
// organization and its owner. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		clock:      time.Now().UTC().Truncate(time.Second),
		orgName:    defaultOrgName,
		ownerEmail: defaultOwnerEmail,
		requestLog: DefaultRequestLog,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		mux:      http.NewServeMux(),
		closing:  make(chan struct{}),
		now:      cfg.clock,
		orgID:    newID(prefixOrg),
		orgName:  cfg.orgName,
		accounts: map[string]*account{},
		keys:     newKeyStore(),
		logins:   map[string]*login{},

		unknownRevokeAnswer: cfg.unknownRevokeAnswer,
		requestLog:          cfg.requestLog,
	}
	s.routes()
	owner := s.AddUser(cfg.ownerEmail, Owner)
	s.ownerID = owner.ID
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.URL = "http://" + s.ts.Listener.Addr().String() // what Start sets, known before serving
	s.ts.Start()
	return s
}

// Start is NewServer for tests: the server closes when t's test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down: it drops the connections of requests still
// held by an injected delay, closes idle connections and waits for the
// handlers that are running to return. Calling it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.Close()
	})
}

// HTTPClient returns an *http.Client for this server whose idle
// connections Close shuts, so tests that use it leak no goroutines.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// OrgID returns the id of the seeded organization.
func (s *Server) OrgID() string { return s.orgID }

// OrgName returns the name of the seeded organization.
func (s *Server) OrgName() string { return s.orgName }

// Owner returns the seeded owner, whose Token is a valid 30-day key.
func (s *Server) Owner() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accounts[s.ownerID].user()
}

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

// nextSeq returns the next creation sequence number. Callers hold s.mu.
func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

// AddUser adds a human member with the given role, seeded with one valid
// key that expires in 30 days (server clock); the returned User's Token is
// that key's secret. The email is lower-cased. It panics on an empty
// email, an unknown role, or an email already held by a current member.
func (s *Server) AddUser(email string, role Role) User {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		panic(fmt.Sprintf("anyscaletest: AddUser: %q is not an email", email))
	}
	if role != Owner && role != Collaborator {
		panic(fmt.Sprintf("anyscaletest: AddUser: unknown role %q", role))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memberByEmail(email) != nil {
		panic(fmt.Sprintf("anyscaletest: AddUser: %s is already a member", email))
	}
	a := s.addAccount(email, nameFromEmail(email), role, false)
	a.seedToken, _ = s.issueKey(a, a.userID, "", seededKeyLifetime)
	return a.user()
}

// AddServiceAccount adds a service account as an owner would, seeded with
// one valid key of the official CLI's 100-year lifetime; the returned
// User's Token is that key's secret. Its role is Collaborator unless one
// role is given: a service account may be an Owner, and then passes every
// owner check with its own token, as a human owner does (service accounts
// created through the API are always collaborators). It panics if name is
// invalid or taken, or on more than one role or an unknown one.
func (s *Server) AddServiceAccount(name string, role ...Role) User {
	r := Collaborator
	switch {
	case len(role) > 1:
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: %d roles given, want at most one", len(role)))
	case len(role) == 1:
		r = role[0]
	}
	if r != Owner && r != Collaborator {
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: unknown role %q", r))
	}
	if msg := checkServiceAccountName(name); msg != "" {
		panic("anyscaletest: AddServiceAccount: " + msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serviceAccountByName(name) != nil {
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: %q exists", name))
	}
	a := s.addAccount(serviceAccountEmail(name, s.orgID), name, r, true)
	a.seedToken, _ = s.issueKey(a, s.ownerID, "", serviceAccountSeedLifetime)
	return a.user()
}

// addAccount stores a new member. Callers hold s.mu.
func (s *Server) addAccount(email, name string, role Role, service bool) *account {
	a := &account{
		seq:        s.nextSeq(),
		userID:     newID(prefixUser),
		identityID: newID(prefixIdentity),
		email:      email,
		name:       name,
		role:       role,
		service:    service,
		createdAt:  s.now,
	}
	s.accounts[a.userID] = a
	s.members = append(s.members, a)
	return a
}

// LookupUser returns the current member (user or service account) with the
// given email, compared case-insensitively. Token is set only for members
// added with AddUser or AddServiceAccount.
func (s *Server) LookupUser(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.memberByEmail(strings.ToLower(email))
	if a == nil {
		return User{}, false
	}
	return a.user(), true
}

// memberByEmail finds a current member by lower-cased email. Callers hold s.mu.
func (s *Server) memberByEmail(email string) *account {
	for _, a := range s.members {
		if !a.removed && a.email == email {
			return a
		}
	}
	return nil
}

// member finds a current member by user id. Callers hold s.mu.
func (s *Server) member(userID string) *account {
	if a := s.accounts[userID]; a != nil && !a.removed {
		return a
	}
	return nil
}

// mustMember is member for test helpers: it panics on a stale User.
func (s *Server) mustMember(u User, helper string) *account {
	a := s.member(u.ID)
	if a == nil {
		panic(fmt.Sprintf("anyscaletest: %s: %s is not a current member", helper, u.Email))
	}
	return a
}

func (a *account) user() User {
	return User{
		ID:         a.userID,
		IdentityID: a.identityID,
		Email:      a.email,
		Name:       a.name,
		Role:       a.role,
		Token:      a.seedToken,
	}
}

// Fault is an injected failure for the next requests that match it. A
// request that takes a fault goes through these steps, in order:
//
//  1. With AfterHandler, the real handler runs and its answer is kept
//     aside: the server has acted (state changes, the key's last use).
//  2. Delay holds the request. A client that gives up during the wait,
//     or Close, ends it, and then nothing is answered at all, even when
//     the handler acted.
//  3. Drop closes the connection with nothing sent.
//  4. The answer is the fault's own when Status or Body is set (an answer
//     the handler made is thrown away), and otherwise the handler's, which
//     runs now if it has not run yet.
//  5. CutBody sends only the first half of that answer's body.
//
// So without AfterHandler, a fault with Status, Body or Drop answers before
// the handler runs and the server does nothing; with AfterHandler the
// server acts and then its answer is lost, held, replaced or cut. The
// cells of a fault matrix, with Method and PathPrefix naming the
// operation:
//
//	Fault{Status: 500}                             // or 502: refused before acting
//	Fault{Status: 503, RetryAfter: "1"}            // or 429
//	Fault{Drop: true}                              // connection dropped before the answer
//	Fault{Drop: true, AfterHandler: true}          // answer lost after the server acted
//	Fault{CutBody: true}                           // the real answer, cut mid-way
//	Fault{Body: MalformedJSON}                     // a 200 that is not JSON
//	Fault{Body: WrongShape}                        // a 200 of the wrong shape
//	Fault{Delay: time.Minute, AfterHandler: true}  // acted, answer slower than the deadline
//	Fault{Status: 401}                             // 401 once; the token stays valid
//
// Add AfterHandler to Status, Body or CutBody faults for their "after the
// server acted" forms.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string
	// PathPrefix matches the start of the request path; "" matches any.
	PathPrefix string
	// Status, when not 0, answers with this status and the error envelope
	// {"error":{"detail":"injected fault"}}, or with Body when set. Status
	// 401 is the answer to a refused token, but nothing is revoked: the
	// same token works on the next request, so a client's refresh and
	// retry with it succeeds ("401 once").
	Status int
	// Body, when not "", answers with this raw body, sent whole with its
	// Content-Length and Content-Type application/json, and with Status,
	// or 200 when Status is 0. MalformedJSON and WrongShape are the common
	// hostile bodies. The empty string means no Body: the fault cannot
	// answer an empty body.
	Body string
	// RetryAfter, when set, is sent as the Retry-After header with the
	// fault's own answer (Status or Body); it is ignored without one.
	RetryAfter string
	// Drop closes the connection without any response (it wins over
	// Status, Body and CutBody).
	Drop bool
	// CutBody sends the answer's status and headers, with a Content-Length
	// of its whole body, then only the first half of the body, and closes
	// the connection: the client reads the status and then gets an
	// unexpected EOF. The answer cut is the fault's own when Status or
	// Body is set (without AfterHandler the server then does nothing);
	// otherwise it is the real handler's, so CutBody alone always acts,
	// with or without AfterHandler, as a real answer lost on its way does.
	// An answer with no body (a 204) has nothing to cut: the connection
	// closes with nothing sent, as with Drop. The request log records the
	// status that was sent.
	CutBody bool
	// Delay holds the request this long before it is answered: before
	// the handler runs, or, with AfterHandler, after it acted (a slow
	// answer). A client that gives up during the wait, or Close, ends it,
	// and then nothing is answered. A Delay with no Status, Body, Drop or
	// CutBody answers the handler's answer late.
	Delay time.Duration
	// Times is how many matching requests get the fault; 0 means 1.
	Times int
	// AfterHandler runs the real handler first, so its state changes
	// happen (the key's last use included), and then delays, drops,
	// replaces or cuts its answer as the other fields say ("it acted, but
	// the answer was lost").
	AfterHandler bool
}

// Bodies for Fault.Body: answers no endpoint should accept.
const (
	// MalformedJSON is not JSON: an object that stops after its first
	// key. It is sent whole (the Content-Length counts it), so a client
	// sees a complete answer that does not parse, not a cut connection.
	MalformedJSON = `{"result": `
	// WrongShape is valid JSON in a shape no endpoint answers: neither
	// the {"result": ...} envelope nor a list's "results" and "metadata".
	WrongShape = `{"unexpected": true}`
)

// FailNext queues f: the next f.Times requests matching f.Method and
// f.PathPrefix get it. Faults are matched in the order they were queued,
// and a request takes at most one fault. It panics on a negative Times, an
// impossible Status, or a Body or CutBody with a status that has no body
// (204, 304).
func (s *Server) FailNext(f Fault) {
	if f.Times < 0 {
		panic("anyscaletest: FailNext with negative Times")
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		panic(fmt.Sprintf("anyscaletest: FailNext with status %d", f.Status))
	}
	if (f.Body != "" || f.CutBody && f.Status != 0) && !bodyAllowed(f.ownStatus()) {
		panic(fmt.Sprintf("anyscaletest: FailNext with a body for status %d, which has none", f.Status))
	}
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ownAnswer reports whether f answers with its own response rather than
// the handler's.
func (f Fault) ownAnswer() bool { return f.Status != 0 || f.Body != "" }

// ownStatus is the status of f's own answer.
func (f Fault) ownStatus() int {
	if f.Status == 0 {
		return http.StatusOK
	}
	return f.Status
}

// answer is f's own answer: Body, or else the error envelope, with its
// status and Retry-After.
func (f Fault) answer() reply {
	rep := fail(f.ownStatus(), "injected fault")
	if f.Body != "" {
		rep = reply{status: f.ownStatus(), raw: []byte(f.Body), ctype: "application/json"}
	}
	if f.RetryAfter != "" {
		rep.header = http.Header{"Retry-After": {f.RetryAfter}}
	}
	return rep
}

// bodyAllowed reports whether an answer with this status may have a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// ClearFaults drops every queued fault that has not fired yet and returns
// how many fault uses were dropped (the sum of their remaining Times). A
// fault that already took a request (one holding it in a Delay, say) is
// not affected. Requests, keys and the clock stay as they are.
func (s *Server) ClearFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	s.faults = nil
	return n
}

// takeFault removes one use of the first queued fault matching r.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		f.Times--
		if f.Times == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return *f, true
	}
	return Fault{}, false
}

// Request is one request the server received, as recorded on arrival.
type Request struct {
	// Method and Path are the request's method and URL path.
	Method, Path string
	// Query is the parsed query string.
	Query url.Values
	// Header holds the request headers without Authorization and Cookie.
	Header http.Header
	// Body is the raw request body (nil when empty).
	Body []byte
	// Authenticated reports whether the request carried a valid token.
	Authenticated bool
	// UserEmail is the email of the member the token belongs to, if valid.
	UserEmail string
	// TraceID is the x-trace-id the server answered with.
	TraceID string
	// Status is the status code sent, that of a cut answer included; 0
	// when no response was sent (a dropped connection, a cut answer that
	// had no body, or a client that went away during a delay).
	Status int
}

// Requests returns a copy of the requests received so far, in order of
// arrival: the latest DefaultRequestLog of them (see WithRequestLog). The
// bearer token is never recorded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// ResetRequests forgets every request recorded so far, so that Requests
// returns only those that arrive afterwards; a request still being served
// is forgotten too, and its status is not recorded. Nothing else changes:
// queued faults (see ClearFaults), keys, members and the clock stay.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqBase += len(s.requests)
	s.requests = nil
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// record stores r on arrival and returns its number, counting forgotten ones.
func (s *Server) record(r *http.Request, body []byte, traceID string) int {
	h := r.Header.Clone()
	h.Del("Authorization")
	h.Del("Cookie")
	s.mu.Lock()
	defer s.mu.Unlock()
	req := Request{
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   r.URL.Query(),
		Header:  h,
		Body:    body,
		TraceID: traceID,
	}
	if a, _, _ := s.authenticate(r); a != nil { // looking, not a use of the key
		req.Authenticated, req.UserEmail = true, a.email
	}
	if len(s.requests) >= s.requestLog {
		// Forget the older half at once, so that a request costs O(1)
		// over time.
		drop := len(s.requests) - s.requestLog/2
		s.reqBase += drop
		s.requests = append(s.requests[:0:0], s.requests[drop:]...)
	}
	s.requests = append(s.requests, req)
	return s.reqBase + len(s.requests) - 1
}

// setStatus records the status sent for request number n.
func (s *Server) setStatus(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := n - s.reqBase; i >= 0 && i < len(s.requests) {
		s.requests[i].Status = status
	}
}

// serveHTTP is the entry point: trace id, recording, faults, routing.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	traceID := newTraceID()
	w.Header().Set("X-Trace-Id", traceID)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return // the client went away
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		body = nil
	}
	idx := s.record(r, bytes.Clone(body), traceID)
	sw := &statusWriter{ResponseWriter: w, s: s, idx: idx}
	if len(body) > maxBodyBytes {
		fail(http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBodyBytes).write(sw)
		return
	}

	f, faulted := s.takeFault(r)
	if !faulted {
		s.route(sw, r)
		return
	}
	s.serveFault(w, sw, r, f)
}

// serveFault answers r under f, in the steps Fault describes. w is the
// connection's writer and sw the same one wrapped to log the status.
func (s *Server) serveFault(w http.ResponseWriter, sw *statusWriter, r *http.Request, f Fault) {
	var acted *bufferWriter
	if f.AfterHandler {
		acted = newBufferWriter()
		s.route(acted, r)
	}
	if f.Delay > 0 && !s.wait(r.Context(), f.Delay) {
		// The client went away or the server is closing: answer nothing,
		// rather than an empty 200.
		drop(w)
		return
	}
	if f.Drop {
		drop(w)
		return
	}
	ans := acted
	switch {
	case f.ownAnswer():
		ans = newBufferWriter()
		f.answer().write(ans)
	case acted != nil: // the handler's answer, kept aside
	case !f.CutBody:
		s.route(sw, r) // a pure delay
		return
	default:
		ans = newBufferWriter()
		s.route(ans, r)
	}
	if f.CutBody {
		cut(w, sw, ans)
		return
	}
	ans.replay(sw)
}

// routes registers every endpoint of wire.md.
func (s *Server) routes() {
	s.keyRoutes()
	s.memberRoutes()
	s.serviceAccountRoutes()
	s.loginRoutes()
}

// wait sleeps for d unless ctx ends or the server closes first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// drop closes the connection under w without writing a response.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection on any protocol
}

// route sends r through the mux; what the mux answers by itself (unknown
// path, wrong method, its trailing-slash and clean-path redirects) becomes
// an error envelope, so that paths must be exact.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	mw := &muxWriter{ResponseWriter: w, scratch: http.Header{}}
	s.mux.ServeHTTP(mw, r)
	if mw.ours {
		return
	}
	switch mw.status {
	case http.StatusMethodNotAllowed:
		rep := fail(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
		rep.header = http.Header{"Allow": mw.scratch.Values("Allow")}
		rep.write(w)
	default:
		fail(http.StatusNotFound, "no endpoint at %s %s", r.Method, r.URL.Path).write(w)
	}
}

// handlerFunc is a handler run with s.mu held; me is the authenticated
// caller (nil on the unauthenticated endpoints).
type handlerFunc func(r *http.Request, me *account) reply

// handle registers an authenticated endpoint.
func (s *Server) handle(pattern string, h handlerFunc) { s.register(pattern, true, h) }

// handlePublic registers an endpoint that needs no token.
func (s *Server) handlePublic(pattern string, h handlerFunc) { s.register(pattern, false, h) }

func (s *Server) register(pattern string, authed bool, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if mw, ok := w.(*muxWriter); ok {
			mw.ours = true
		}
		rep := s.run(r, authed, h)
		rep.write(w)
	})
}

// run authenticates and runs h under the state lock; the reply is written
// after the lock is released. A key that authenticates here is marked as
// used: this is the one place a request counts as a use of its key.
func (s *Server) run(r *http.Request, authed bool, h handlerFunc) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	var me *account
	if authed {
		a, k, why := s.authenticate(r)
		if a == nil {
			return fail(http.StatusUnauthorized, "%s", why)
		}
		s.markUsed(k)
		me = a
	}
	return h(r, me)
}

// authenticate resolves the bearer token of r to a current member and the
// key it is, or says why not (never echoing the token). It changes no
// state. Callers hold s.mu.
func (s *Server) authenticate(r *http.Request) (*account, *apiKey, string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil, "not authenticated: send an Authorization: Bearer <token> header"
	}
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, nil, "not authenticated: the Authorization header must be Bearer <token>"
	}
	k := s.keys.byID[keyID(token)]
	switch {
	case k == nil:
		return nil, nil, "invalid token: no such API key"
	case k.revokedAt != nil:
		return nil, nil, "invalid token: the API key was revoked"
	case k.expired(s.now):
		return nil, nil, "invalid token: the API key expired"
	}
	a := s.member(k.userID)
	if a == nil {
		return nil, nil, "invalid token: the account was removed from the organization"
	}
	return a, k, ""
}

// statusWriter records the status code in the request log as it is
// written, so that it is there before the client sees the response.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	idx    int
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.s.setStatus(w.idx, code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// muxWriter passes writes through once one of our handlers claimed the
// request (ours); otherwise it swallows what the mux itself answers and
// keeps its status and headers.
type muxWriter struct {
	http.ResponseWriter
	ours    bool
	status  int
	scratch http.Header
}

func (w *muxWriter) Header() http.Header {
	if w.ours {
		return w.ResponseWriter.Header()
	}
	return w.scratch
}

func (w *muxWriter) WriteHeader(code int) {
	if w.ours {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *muxWriter) Write(b []byte) (int, error) {
	if w.ours {
		return w.ResponseWriter.Write(b)
	}
	return len(b), nil
}

// bufferWriter keeps an answer aside: the handler's, when a fault acts on
// it, or the fault's own.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferWriter() *bufferWriter { return &bufferWriter{header: http.Header{}} }

func (w *bufferWriter) Header() http.Header { return w.header }

func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *bufferWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// code is the status kept, 200 when none was written.
func (w *bufferWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// replay sends the kept answer whole on out, with its Content-Length.
func (w *bufferWriter) replay(out http.ResponseWriter) {
	h := out.Header()
	maps.Copy(h, w.header)
	if w.body.Len() > 0 {
		h.Set("Content-Length", strconv.Itoa(w.body.Len()))
	}
	out.WriteHeader(w.code())
	if w.body.Len() > 0 {
		_, _ = out.Write(w.body.Bytes())
	}
}

// cut sends ans's status and headers on sw, with a Content-Length of its
// whole body, then the first half of the body, and closes the connection
// under w. An answer with no body has nothing to cut: the connection
// closes with nothing sent.
func cut(w http.ResponseWriter, sw http.ResponseWriter, ans *bufferWriter) {
	body := ans.body.Bytes()
	if len(body) == 0 || !bodyAllowed(ans.code()) {
		drop(w)
		return
	}
	h := sw.Header()
	maps.Copy(h, ans.header)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	sw.WriteHeader(ans.code())
	_, _ = sw.Write(body[:len(body)/2])
	_ = http.NewResponseController(w).Flush() // on the wire before the close
	drop(w)
}
