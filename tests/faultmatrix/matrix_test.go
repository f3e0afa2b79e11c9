package faultmatrix_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
)

// The deadline cells: the caller's context ends after deadline, while the
// faulted answer is held for slowAnswer (the fake stops holding it as soon
// as the client goes away, so the cell lasts about deadline).
const (
	deadline   = 500 * time.Millisecond
	slowAnswer = 5 * time.Second
)

// fastRetries keeps every cell quick: the waits are milliseconds, and a
// Retry-After of "0" is obeyed at once.
var fastRetries = client.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: time.Second}

// faultID names a column of the matrix.
type faultID int

const (
	f500 faultID = iota
	f502
	f503
	f429
	fDrop
	fLost
	fCut
	fMalformed
	fShape
	fSlow
	f401
)

// column is one fault of the matrix: its header, what it does, and the
// fault injected on the operation's request (Method and PathPrefix are
// the operation's).
type column struct {
	id     faultID
	header string
	about  string
	fault  anyscaletest.Fault
}

var columns = []column{
	{f500, "500", "500 before the server acts", anyscaletest.Fault{Status: 500}},
	{f502, "502", "502 before the server acts", anyscaletest.Fault{Status: 502}},
	{f503, "503+RA", "503 with Retry-After: 0 (the server refused)", anyscaletest.Fault{Status: 503, RetryAfter: "0"}},
	{f429, "429+RA", "429 with Retry-After: 0 (the server refused)", anyscaletest.Fault{Status: 429, RetryAfter: "0"}},
	{fDrop, "drop", "the connection is closed before the server acts, with no answer", anyscaletest.Fault{Drop: true}},
	{fLost, "lost", "the server acts, then the connection is closed with no answer", anyscaletest.Fault{Drop: true, AfterHandler: true}},
	{fCut, "cut", "the server acts and its answer is cut mid-body (a 204 has no body: closed with no answer)", anyscaletest.Fault{CutBody: true}},
	// A 200 says that the server acted: the hostile bodies replace the
	// answer of a handler that ran.
	{fMalformed, "bad-json", "the server acts and answers 200 with a body that is not JSON", anyscaletest.Fault{Body: anyscaletest.MalformedJSON, AfterHandler: true}},
	{fShape, "bad-shape", "the server acts and answers 200 with JSON of the wrong shape", anyscaletest.Fault{Body: anyscaletest.WrongShape, AfterHandler: true}},
	// AfterHandler is added for the operations that change state: the
	// server acts, and its answer comes after the caller's deadline.
	{fSlow, "deadline", fmt.Sprintf("the answer is held %s; the caller's deadline is %s (state changes: after the server acted)", slowAnswer, deadline), anyscaletest.Fault{Delay: slowAnswer}},
	{f401, "401-once", "401 once before the server acts; the token stays valid (the client's *auth.Chain can refresh)", anyscaletest.Fault{Status: http.StatusUnauthorized, Times: 1}},
}

// class is what the client's rules make of the request a fault meets.
type class int

const (
	// read: a GET that may be repeated (list, look-up).
	read class = iota
	// remove: a DELETE; repeated after it acted, it finds nothing (404).
	remove
	// revokeAll: the POST that revokes all of a user's keys, marked safe
	// to repeat; it answers 200 whatever is left.
	revokeAll
	// create: a POST that makes something (a key, a service account): it
	// is repeated only when the server cannot have acted.
	create
	// once: the rotation, a GET marked not idempotent: sent once, as a
	// create is.
	once
	// poll: the login poll, a GET marked not idempotent, repeated only by
	// the login's own polling.
	poll
	// bulk: RevokeMany's bulk POST, whose failure is settled id by id.
	bulk
)

// changes reports whether the request changes state on the server.
func (c class) changes() bool { return c != read }

// outcome is a cell's result as the matrix prints it.
type outcome int

const (
	ok         outcome = iota // succeeded; the faulted request went out once
	retried                   // the faulted request was sent again, and the call succeeded
	reauth                    // a 401: the token was resolved again and the request sent once more
	recovered                 // the operation recovered with other requests (id by id, another poll)
	errActed                  // an error, and MayHaveActed(err) is true
	errRefused                // an error, and MayHaveActed(err) is false
	goneActed                 // a DELETE retried after its lost attempt acted: ErrNotFound, MayHaveActed true
)

func (o outcome) String() string {
	return [...]string{"ok", "ok/retried", "ok/re-auth", "ok/recovered", "err/acted", "err/refused", "404/acted"}[o]
}

func (o outcome) succeeds() bool { return o <= recovered }

// legend explains the cells.
var legend = []string{
	"ok            succeeded; the faulted request went out once (a DELETE or revoke-all reads no 2xx body)",
	"ok/retried    the faulted request was sent again (by the client, or by net/http on a reused connection) and the call succeeded",
	"ok/re-auth    after the 401 the client dropped the cached token, resolved it again and resent the request once",
	"ok/recovered  the operation recovered with other requests: RevokeMany settled the batch id by id; Login polled again",
	"err/acted     the call failed and client.MayHaveActed(err) is true: the server may have acted, check before repeating",
	"err/refused   the call failed and client.MayHaveActed(err) is false: the server did nothing",
	"404/acted     a DELETE whose first answer was lost after it acted: the retry found nothing (client.ErrNotFound), MayHaveActed is true",
	"FAIL          the SDK did not do what its documentation says (see the notes below)",
}

// expectation is a cell's documented outcome.
type expectation struct {
	outcome outcome
	// is is the sentinel the error must match; nil asserts none.
	is error
	// sends is how many times the faulted request (same method, path,
	// query and body) reaches the server.
	sends int
	// done reports whether the faulted request's change took effect on the
	// server (for the classes that change state).
	done bool
}

// expect derives a cell's outcome from the client's documented rules:
// GET and DELETE retry on network errors, 429, 5xx and cut bodies; POST
// retries only when the server cannot have acted (429, 503 with
// Retry-After); a call marked not idempotent is sent once; a malformed 2xx
// answer is an error matching ErrMalformedResponse and is not retried; a
// 401 is retried once with a freshly resolved token; the caller's
// deadline ends the call while a request is out (MayHaveActed).
func expect(c class, f faultID) expectation {
	malformed := expectation{outcome: errActed, is: client.ErrMalformedResponse, sends: 1, done: true}
	late := expectation{outcome: errActed, is: context.DeadlineExceeded, sends: 1, done: c.changes()}
	reauthed := expectation{outcome: reauth, sends: 2, done: true}
	retriedOK := expectation{outcome: retried, sends: 2, done: true}
	switch c {
	case read:
		switch f {
		case fMalformed, fShape:
			return malformed
		case fSlow:
			return late
		case f401:
			return reauthed
		}
		return retriedOK
	case remove, revokeAll:
		switch f {
		case fLost, fCut:
			if c == remove {
				return expectation{outcome: goneActed, is: client.ErrNotFound, sends: 2, done: true}
			}
			return retriedOK
		case fMalformed, fShape:
			return expectation{outcome: ok, sends: 1, done: true}
		case fSlow:
			return late
		case f401:
			return reauthed
		}
		return retriedOK
	case create, once:
		switch f {
		case f500, f502:
			return expectation{outcome: errActed, is: client.ErrServer, sends: 1}
		case f503, f429:
			return retriedOK
		case fDrop:
			return expectation{outcome: errActed, sends: 1}
		case fLost, fCut:
			return expectation{outcome: errActed, sends: 1, done: true}
		case fMalformed, fShape:
			return malformed
		case fSlow:
			return late
		}
		return reauthed
	case poll:
		switch f {
		case f500, f502, fDrop:
			// Nothing was handed out: the next poll gets the token.
			return expectation{outcome: recovered, sends: 2, done: true}
		case f503, f429:
			return retriedOK
		case fLost, fCut:
			// The token was handed out in the answer that was lost; the
			// next poll finds the code gone.
			return expectation{outcome: errActed, sends: 2, done: true}
		case fMalformed, fShape:
			return expectation{outcome: errActed, is: client.ErrMalformedResponse, sends: 2, done: true}
		case fSlow:
			return late
		}
		// The login endpoints take no token: a 401 there is a refusal.
		return expectation{outcome: errRefused, is: client.ErrUnauthorized, sends: 1}
	case bulk:
		switch f {
		case f500, f502, fDrop:
			return expectation{outcome: recovered, sends: 1}
		case f503, f429:
			return retriedOK
		case fLost, fCut, fMalformed, fShape:
			return expectation{outcome: recovered, sends: 1, done: true}
		case fSlow:
			return late
		}
		return reauthed
	}
	panic(fmt.Sprintf("no rules for class %d", c))
}

// matrix collects the cells' outcomes as the parallel cells finish.
type matrix struct {
	mu    sync.Mutex
	cells map[string]string // by row and header
	notes []string
}

func (m *matrix) set(row, header, cell, note string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cells[row+"\x00"+header] = cell
	if note != "" {
		m.notes = append(m.notes, note)
	}
}

// String renders the matrix, its legend and the notes on failed cells.
func (m *matrix) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("\nFault matrix: every operation (the request the fault meets in brackets) under every fault, one cell each.\n\n")
	fails, total := 0, 0
	b.WriteString(table(func(op operation, col column) string {
		cell, ran := m.cells[op.name+"\x00"+col.header]
		switch {
		case !ran:
			return "-"
		case cell == "FAIL":
			fails++
		}
		total++
		return cell
	}))
	fmt.Fprintf(&b, "\n%d cells, %d FAIL.\n\nColumns:\n", total, fails)
	for _, col := range columns {
		fmt.Fprintf(&b, "  %-10s %s\n", col.header, col.about)
	}
	b.WriteString("\nCells:\n")
	for _, l := range legend {
		b.WriteString("  " + l + "\n")
	}
	if len(m.notes) > 0 {
		b.WriteString("\nFAIL cells:\n")
		for _, n := range slices.Sorted(slices.Values(m.notes)) {
			b.WriteString("  " + n + "\n")
		}
	}
	return b.String()
}

// table renders the matrix's rows and columns with the given cells.
func table(cell func(operation, column) string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "OPERATION")
	for _, col := range columns {
		fmt.Fprintf(tw, "\t%s", col.header)
	}
	fmt.Fprintln(tw)
	for _, op := range operations {
		fmt.Fprint(tw, op.name)
		for _, col := range columns {
			fmt.Fprintf(tw, "\t%s", cell(op, col))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return b.String()
}

// TestREADMEShowsTheMatrix: the README's matrix is the documented outcome
// of every cell, which TestFaultMatrix holds the SDK to.
func TestREADMEShowsTheMatrix(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	want := table(func(op operation, col column) string { return expect(op.class, col.id).outcome.String() })
	trim := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		return strings.Join(lines, "\n")
	}
	assert.Contains(t, trim(string(readme)), trim(want), "the README's fault matrix (Reliability) is this table")
}

// TestFaultMatrix runs every operation under every fault, each cell on a
// fresh fake server, in parallel, and logs the matrix once all are done.
func TestFaultMatrix(t *testing.T) {
	m := &matrix{cells: map[string]string{}}
	t.Run("cells", func(t *testing.T) {
		for _, op := range operations {
			t.Run(op.name, func(t *testing.T) {
				for _, col := range columns {
					t.Run(col.header, func(t *testing.T) {
						t.Parallel()
						runCell(t, m, op, col)
					})
				}
			})
		}
	})
	t.Log(m.String())
}

// runCell injects col's fault on op's request, runs op, and asserts the
// documented outcome and the server's state afterwards.
func runCell(t *testing.T, m *matrix, op operation, col column) {
	x := expect(op.class, col.id)
	defer func() {
		cell, note := x.outcome.String(), ""
		if t.Failed() {
			cell = "FAIL"
			note = fmt.Sprintf("%s × %s: see the cell's log: %s", op.name, col.header, t.Name())
		}
		m.set(op.name, col.header, cell, note)
	}()

	e := newEnv(t)
	defer func() {
		if t.Failed() {
			t.Logf("the requests the server saw, in order: %s", e.requestLog())
		}
	}()
	run, check := op.start(t, e)
	// A call first, so that a warm connection is there to reuse: net/http
	// replays a request whose reused connection dies before the answer,
	// unless the client prevents it, and the faults must meet that path.
	_, err := e.c.WhoAmI(context.Background())
	require.NoError(t, err)
	e.srv.ResetRequests()

	f := col.fault
	f.Method, f.PathPrefix = op.method, op.path
	if col.id == fSlow && op.class.changes() {
		f.AfterHandler = true
	}
	e.srv.FailNext(f)

	ctx := context.Background()
	if col.id == fSlow {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, deadline)
		defer cancel()
	}
	var conns reuseLog
	err = run(httptrace.WithClientTrace(ctx, conns.trace()))

	if x.outcome.succeeds() {
		require.NoError(t, err)
	} else {
		require.Error(t, err)
		wantActed := x.outcome == errActed || x.outcome == goneActed
		assert.Equal(t, wantActed, client.MayHaveActed(err), "client.MayHaveActed(err) for: %v", err)
		if x.is != nil {
			assert.ErrorIs(t, err, x.is)
		}
		assert.False(t, strings.Contains(err.Error(), e.owner.Token), "the error shows the token")
	}
	if x.outcome == goneActed {
		assert.Contains(t, err.Error(), "may have removed it", "the error says the lost attempt may have acted")
	}
	assert.Equal(t, x.sends, e.sends(t, op.method, op.path), "times the faulted request reached the server")
	assert.Equal(t, b2i(x.outcome == reauth), int(e.chain.invalidated.Load()), "times the client dropped the cached token after a 401")
	assert.Zero(t, e.srv.ClearFaults(), "the fault met the operation's request")
	check(t, x, err)
	if op.faultedConn > 0 && (col.id == fDrop || col.id == fLost) {
		// The request that must not be replayed went on a connection of
		// its own, though a warm one was there: net/http replays only on
		// a reused one.
		require.GreaterOrEqual(t, len(conns.all()), op.faultedConn, "the call got the connection that carries the faulted request")
		assert.False(t, conns.reused(op.faultedConn), "the faulted request went on a fresh connection (connections got: %v)", conns.all())
	}
}

// reuseLog records, in order, whether each connection an operation got
// was a reused one.
type reuseLog struct {
	mu     sync.Mutex
	reuses []bool
}

func (l *reuseLog) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.reuses = append(l.reuses, info.Reused)
	}}
}

// reused reports whether the n-th connection got (from 1) was reused.
func (l *reuseLog) reused(n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return n <= len(l.reuses) && l.reuses[n-1]
}

func (l *reuseLog) all() []bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reuses)
}
