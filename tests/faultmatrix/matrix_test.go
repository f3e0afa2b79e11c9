package faultmatrix_test

import (
	"context"
	"flag"
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
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/tests/ops"
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

// row is a row of the matrix: an operation of the registry and the
// request of it that the fault meets.
type row struct {
	op  ops.Op
	req ops.Request
	// index is req's in op.Requests.
	index int
}

// name names the operation and, in brackets, the faulted request.
func (r row) name() string { return r.op.Name + " [" + r.req.Label + "]" }

// rows are the matrix's rows, in the order printed: every request of
// every operation of the registry.
func rows() []row {
	var out []row
	for _, op := range ops.All {
		for i, req := range op.Requests {
			out = append(out, row{op: op, req: req, index: i})
		}
	}
	return out
}

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
var legend = []struct{ cell, about string }{
	{"ok", "succeeded; the faulted request went out once (a DELETE or revoke-all reads no 2xx body)"},
	{"ok/retried", "the faulted request was sent again (by the client, or by net/http on a reused connection) and the call succeeded"},
	{"ok/re-auth", "after the 401 the client dropped the cached token, resolved it again and resent the request once"},
	{"ok/recovered", "the operation recovered with other requests: RevokeMany settled the batch id by id; Login polled again"},
	{"err/acted", "the call failed and client.MayHaveActed(err) is true: the server may have acted, check before repeating"},
	{"err/refused", "the call failed and client.MayHaveActed(err) is false: the server did nothing"},
	{"404/acted", "a DELETE whose first answer was lost after it acted: the retry found nothing (client.ErrNotFound), MayHaveActed is true"},
	{"FAIL", "the SDK did not do what its documentation says (see the notes below)"},
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
	// server (for the kinds that change state).
	done bool
}

// expect derives a cell's outcome from the client's documented rules:
// GET and DELETE retry on network errors, 429, 5xx and cut bodies; POST
// retries only when the server cannot have acted (429, 503 with
// Retry-After); a call marked not idempotent is sent once; a malformed 2xx
// answer is an error matching ErrMalformedResponse and is not retried; a
// 401 is retried once with a freshly resolved token; the caller's
// deadline ends the call while a request is out (MayHaveActed).
func expect(k ops.Kind, f faultID) expectation {
	malformed := expectation{outcome: errActed, is: client.ErrMalformedResponse, sends: 1, done: true}
	late := expectation{outcome: errActed, is: context.DeadlineExceeded, sends: 1, done: k.Writes()}
	reauthed := expectation{outcome: reauth, sends: 2, done: true}
	retriedOK := expectation{outcome: retried, sends: 2, done: true}
	switch k {
	case ops.Read:
		switch f {
		case fMalformed, fShape:
			return malformed
		case fSlow:
			return late
		case f401:
			return reauthed
		}
		return retriedOK
	case ops.Remove, ops.RevokeAll:
		switch f {
		case fLost, fCut:
			if k == ops.Remove {
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
	case ops.Create, ops.Once:
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
	case ops.Poll:
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
	case ops.Bulk:
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
	panic(fmt.Sprintf("no rules for kind %d", k))
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
	b.WriteString(table(func(r row, col column) string {
		cell, ran := m.cells[r.name()+"\x00"+col.header]
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
		fmt.Fprintf(&b, "  %-13s %s\n", l.cell, l.about)
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
func table(cell func(row, column) string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "OPERATION")
	for _, col := range columns {
		fmt.Fprintf(tw, "\t%s", col.header)
	}
	fmt.Fprintln(tw)
	for _, r := range rows() {
		fmt.Fprint(tw, r.name())
		for _, col := range columns {
			fmt.Fprintf(tw, "\t%s", cell(r, col))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return b.String()
}

// update makes TestFaultMatrixDoc write the golden file.
var update = flag.Bool("update", false, "write "+docFile+" from the documented outcomes")

// docFile is the fault matrix's page, from the repository's root.
const docFile = "docs/fault-matrix.md"

// TestFaultMatrixDoc: docs/fault-matrix.md shows the documented outcome of
// every cell, which TestFaultMatrix holds the SDK to. With -update it
// writes the page:
//
//	go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update
func TestFaultMatrixDoc(t *testing.T) {
	path := filepath.Join("..", "..", filepath.FromSlash(docFile))
	want := doc()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "write it with: go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update")
	assert.Equal(t, want, string(got), "%s is not the registry's matrix: go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update", docFile)
}

// doc is the fault matrix's page: the documented outcome of every cell,
// and what the columns and cells mean.
func doc() string {
	var b strings.Builder
	b.WriteString(`# Fault matrix

<!-- Code generated by "go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update". DO NOT EDIT. -->

Every operation of the SDK that sends requests, under every fault the fake API
(` + "`anyscaletest`" + `) can put on the wire, one cell each: a row is an operation and, in
brackets, the request of it the fault meets; a cell is the outcome the client's
retry rules give. ` + "`go test -v -run TestFaultMatrix ./tests/faultmatrix/`" + ` runs
every cell on a fresh fake server and holds the SDK to this table: the outcome,
what ` + "`client.MayHaveActed`" + ` says, how often the faulted request reached the
server, and the server's state afterwards (a key is never made twice, a rotation
or a login poll is sent once, ` + "`RevokeMany`" + ` accounts for every id). The rows come
from the registry of operations, ` + "`tests/ops`" + `.

`)
	header := []string{"Operation [faulted request]"}
	for _, col := range columns {
		header = append(header, "`"+col.header+"`")
	}
	var cells [][]string
	for _, r := range rows() {
		line := []string{r.name()}
		for _, col := range columns {
			line = append(line, expect(r.req.Kind, col.id).outcome.String())
		}
		cells = append(cells, line)
	}
	b.WriteString(markdownTable(header, cells))
	fmt.Fprintf(&b, "\n%d operations, %d rows, %d cells.\n\n## Columns\n\n", len(ops.All), len(cells), len(cells)*len(columns))
	var about [][]string
	for _, col := range columns {
		about = append(about, []string{"`" + col.header + "`", col.about})
	}
	b.WriteString(markdownTable([]string{"Fault", "What it does"}, about))
	b.WriteString("\n## Cells\n\n")
	about = nil
	for _, l := range legend {
		if l.cell != "FAIL" {
			about = append(about, []string{"`" + l.cell + "`", l.about})
		}
	}
	b.WriteString(markdownTable([]string{"Cell", "Meaning"}, about))
	return b.String()
}

// markdownTable renders a Markdown table, its columns padded to line up.
func markdownTable(header []string, rows [][]string) string {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c), 3)
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			fmt.Fprintf(&b, "| %s%s ", c, strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
		}
		b.WriteString("|\n")
	}
	line(header)
	for _, w := range width {
		b.WriteString("|" + strings.Repeat("-", w+2))
	}
	b.WriteString("|\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

// TestFaultMatrix runs every operation under every fault, each cell on a
// fresh fake server, in parallel, and logs the matrix once all are done.
func TestFaultMatrix(t *testing.T) {
	m := &matrix{cells: map[string]string{}}
	t.Run("cells", func(t *testing.T) {
		for _, r := range rows() {
			t.Run(r.name(), func(t *testing.T) {
				for _, col := range columns {
					t.Run(col.header, func(t *testing.T) {
						t.Parallel()
						runCell(t, m, r, col)
					})
				}
			})
		}
	})
	t.Log(m.String())
}

// runCell injects col's fault on op's request, runs op, and asserts the
// documented outcome and the server's state afterwards.
func runCell(t *testing.T, m *matrix, r row, col column) {
	x := expect(r.req.Kind, col.id)
	defer func() {
		cell, note := x.outcome.String(), ""
		if t.Failed() {
			cell = "FAIL"
			note = fmt.Sprintf("%s × %s: see the cell's log: %s", r.name(), col.header, t.Name())
		}
		m.set(r.name(), col.header, cell, note)
	}()

	e := newEnv(t)
	defer func() {
		if t.Failed() {
			t.Logf("the requests the server saw, in order: %s", e.requestLog())
		}
	}()
	call := r.op.Start(t, e.world)
	// A call first, so that a warm connection is there to reuse: net/http
	// replays a request whose reused connection dies before the answer,
	// unless the client prevents it, and the faults must meet that path.
	_, err := e.c.WhoAmI(context.Background())
	require.NoError(t, err)
	e.srv.ResetRequests()

	f := col.fault
	f.Method, f.PathPrefix = r.req.Method, r.req.Path
	if col.id == fSlow && r.req.Kind.Writes() {
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
	_, err = call.Do(httptrace.WithClientTrace(ctx, conns.trace()), e.c)

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
	assert.Equal(t, x.sends, e.sends(t, r.req.Method, r.req.Path), "times the faulted request reached the server")
	assert.Equal(t, b2i(x.outcome == reauth), int(e.chain.invalidated.Load()), "times the client dropped the cached token after a 401")
	assert.Zero(t, e.srv.ClearFaults(), "the fault met the operation's request")
	call.Check(t, ops.Outcome{Faulted: r.index, Err: err, OK: x.outcome.succeeds(), Acted: x.done, Recovered: x.outcome == recovered})
	if n := r.req.FreshConn; n > 0 && (col.id == fDrop || col.id == fLost) {
		// The request that must not be replayed went on a connection of
		// its own, though a warm one was there: net/http replays only on
		// a reused one.
		require.GreaterOrEqual(t, len(conns.all()), n, "the call got the connection that carries the faulted request")
		assert.False(t, conns.reused(n), "the faulted request went on a fresh connection (connections got: %v)", conns.all())
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
