package anyscaletest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
// and a request takes at most one fault. It panics with CheckFault's
// error: on a negative Times, an impossible Status, a Body or CutBody with
// a status that has no body (204, 304), or a Method and PathPrefix that
// no endpoint of the fake has (use the Path constants), since such a fault
// would never fire.
//
// A fault that never fires is a test that passes without testing what it
// says: a server made by Start fails its test when it ends with a fault
// queued that no request took (RequireFaultsFired says the same at any
// point; ClearFaults drops the faults that may rightly stay unused).
//
// The SDK's client retries a GET or DELETE answered by an error status
// or a dropped connection, with backoff (seconds in all with the default
// policy): to see the fault's own error at once, make the client with
// client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}), or give the
// fault Times: 5 to fail every attempt of the default policy.
func (s *Server) FailNext(f Fault) {
	if err := s.CheckFault(f); err != nil {
		panic("anyscaletest: FailNext: " + err.Error())
	}
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &queuedFault{Fault: f})
}

// queuedFault is a fault FailNext queued; Times counts the uses left.
type queuedFault struct {
	Fault
	fired bool // some request took it
}

// CheckFault returns the error FailNext panics with for f, or nil when
// FailNext would queue it: a negative Times, a Status outside 200..599, a
// Body or a CutBody of its own for a status that has no body (204, 304),
// a Method no endpoint has, or a PathPrefix that no endpoint's path (of
// that Method, when given) starts with. It queues nothing.
func (s *Server) CheckFault(f Fault) error {
	switch {
	case f.Times < 0:
		return fmt.Errorf("negative Times %d", f.Times)
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return fmt.Errorf("status %d", f.Status)
	case (f.Body != "" || f.CutBody && f.Status != 0) && !bodyAllowed(f.ownStatus()):
		return fmt.Errorf("a body for status %d, which has none", f.Status)
	}
	if f.Method == "" && f.PathPrefix == "" {
		return nil
	}
	for _, e := range s.endpoints {
		if f.Method != "" && !methodMatches(f.Method, e.method) {
			continue
		}
		if pathCanStart(f.PathPrefix, e.path) {
			return nil
		}
	}
	if f.PathPrefix == "" {
		return fmt.Errorf("no endpoint takes method %q", f.Method)
	}
	if f.Method == "" {
		return fmt.Errorf("no endpoint's path starts with %q (see the Path constants)", f.PathPrefix)
	}
	return fmt.Errorf("no %s endpoint's path starts with %q (see the Path constants)", strings.ToUpper(f.Method), f.PathPrefix)
}

// methodMatches reports whether a request of method reaches a route
// registered for route: the mux serves HEAD on GET routes too.
func methodMatches(method, route string) bool {
	return strings.EqualFold(method, route) || strings.EqualFold(method, http.MethodHead) && route == http.MethodGet
}

// pathCanStart reports whether some path the mux pattern matches starts
// with prefix: the pattern's literal text must agree with prefix, a
// {name} wildcard takes one non-empty segment (or the rest of prefix,
// when prefix ends inside it), {name...} takes anything, and {$} ends the
// path.
func pathCanStart(prefix, pattern string) bool {
	for prefix != "" {
		if pattern == "" {
			return false
		}
		if pattern[0] != '{' {
			if prefix[0] != pattern[0] {
				return false
			}
			prefix, pattern = prefix[1:], pattern[1:]
			continue
		}
		end := strings.IndexByte(pattern, '}')
		name := pattern[1:end]
		pattern = pattern[end+1:]
		switch {
		case name == "$":
			return false // prefix goes on past the end of the path
		case strings.HasSuffix(name, "..."):
			return true
		}
		i := strings.IndexByte(prefix, '/')
		switch {
		case i < 0:
			return true // prefix ends inside the segment
		case i == 0:
			return false // an empty segment matches no wildcard
		}
		prefix = prefix[i:]
	}
	return true
}

// QueuedFaults returns the faults queued and not used up, in the order
// they match, each with the uses it has left as its Times.
func (s *Server) QueuedFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, q := range s.faults {
		out[i] = q.Fault
	}
	return out
}

// RequireFaultsFired fails t now, naming each one, when a fault queued by
// FailNext was never taken by any request: its Method and PathPrefix
// matched nothing the code under test sent. A fault with uses left after
// at least one has fired counts as fired (Times is an upper bound). A
// server made by Start checks this by itself when its test ends.
func (s *Server) RequireFaultsFired(t testing.TB) {
	t.Helper()
	if msg := s.unfired(); msg != "" {
		t.Fatal(msg)
	}
}

// unfired describes the queued faults that never fired, "" when none.
func (s *Server) unfired() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, q := range s.faults {
		if !q.fired {
			lines = append(lines, "\t"+q.Fault.describe())
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return fmt.Sprintf("anyscaletest: %d queued fault(s) never fired (no request matched; ClearFaults drops faults that may stay unused):\n%s",
		len(lines), strings.Join(lines, "\n"))
}

// describe writes f in Go syntax, its zero fields left out, as a test's
// failure names it.
func (f Fault) describe() string {
	var parts []string
	add := func(name string, v any, set bool) {
		if set {
			parts = append(parts, fmt.Sprintf("%s: %#v", name, v))
		}
	}
	add("Method", f.Method, f.Method != "")
	add("PathPrefix", f.PathPrefix, f.PathPrefix != "")
	add("Status", f.Status, f.Status != 0)
	add("Body", f.Body, f.Body != "")
	add("RetryAfter", f.RetryAfter, f.RetryAfter != "")
	add("Drop", f.Drop, f.Drop)
	add("CutBody", f.CutBody, f.CutBody)
	if f.Delay != 0 {
		parts = append(parts, "Delay: "+f.Delay.String())
	}
	add("Times", f.Times, f.Times > 1)
	add("AfterHandler", f.AfterHandler, f.AfterHandler)
	return "Fault{" + strings.Join(parts, ", ") + "}"
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

// ClearFaults drops every queued fault that has not fired all its Times
// yet and returns how many fault uses were dropped (the sum of their
// remaining Times). A fault that already took a request (one holding it
// in a Delay, say) is not affected. Requests, keys and the clock stay as
// they are. The dropped faults are no longer reported as never fired.
func (s *Server) ClearFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.faults {
		n += q.Times
	}
	s.faults = nil
	return n
}

// takeFault removes one use of the first queued fault matching r.
func (s *Server) takeFault(r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, q := range s.faults {
		if q.Method != "" && !strings.EqualFold(q.Method, r.Method) || !strings.HasPrefix(r.URL.Path, q.PathPrefix) {
			continue
		}
		q.fired = true
		q.Times--
		if q.Times == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return q.Fault, true
	}
	return Fault{}, false
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
