package anyscaletest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// serveHTTP is the entry point: trace id and Date, recording, faults,
// routing.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	traceID := newTraceID()
	w.Header().Set("X-Trace-Id", traceID)
	s.setDate(w.Header())
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

// routes registers every endpoint of docs/wire.md.
func (s *Server) routes() {
	s.keyRoutes()
	s.memberRoutes()
	s.serviceAccountRoutes()
	s.loginRoutes()
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

// endpoint is a registered route: its method and its mux path pattern,
// such as "/api/v2/users/api_keys/{api_key_id}".
type endpoint struct{ method, path string }

// handlerFunc is a handler run with s.mu held; me is the authenticated
// caller (nil on the unauthenticated endpoints).
type handlerFunc func(r *http.Request, me *account) reply

// handle registers an authenticated endpoint.
func (s *Server) handle(pattern string, h handlerFunc) { s.register(pattern, true, h) }

// handlePublic registers an endpoint that needs no token.
func (s *Server) handlePublic(pattern string, h handlerFunc) { s.register(pattern, false, h) }

func (s *Server) register(pattern string, authed bool, h handlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.endpoints = append(s.endpoints, endpoint{method: method, path: path})
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
