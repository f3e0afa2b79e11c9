package anyscaletest

import (
	"net/http"
	"net/http/httptest"
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
	endpoints []endpoint // every route, registered before serving and never changed
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
	faults   []*queuedFault
	requests []Request
	reqBase  int // how many requests ResetRequests forgot

	unknownRevokeAnswer bool // WithUnknownRevokeAnswer; set once, before serving
	requestLog          int  // WithRequestLog; set once, before serving
}

// NewServer starts a server on 127.0.0.1 at a random port (or on
// WithListener's), seeded with one organization and its owner. Call Close
// when done.
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
	var h http.Handler = http.HandlerFunc(s.serveHTTP)
	if cfg.wrap != nil {
		h = cfg.wrap(h)
	}
	s.ts = httptest.NewUnstartedServer(h)
	if cfg.listener != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = cfg.listener
	}
	s.URL = "http://" + s.ts.Listener.Addr().String() // what Start sets, known before serving
	s.ts.Start()
	return s
}

// Start is NewServer for tests: the server closes when t's test ends, and
// the test fails then if a fault queued by FailNext never fired (see
// RequireFaultsFired).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(func() {
		s.Close()
		if msg := s.unfired(); msg != "" {
			t.Error(msg)
		}
	})
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

// Owner returns the seeded owner, whose Token is a valid 30-day key that
// moves with the clock (see Advance).
func (s *Server) Owner() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accounts[s.ownerID].user()
}
