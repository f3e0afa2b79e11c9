package anyscaletest

import (
	"bytes"
	"net/http"
	"net/url"
)

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
