package cmdutil

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cli/go-gh/v2/pkg/tableprinter"
	"github.com/cli/go-gh/v2/pkg/text"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/keys"
)

// Table prints rows the way gh does, through go-gh's table printer: on a
// terminal, a header and columns that fit its width (long cells truncated
// with "…", but for the columns made with Keep); in a pipe, no header and
// every value whole, separated by tabs, one row a line. -o json is the
// stable contract for scripts; the table is for people and for cut(1).
type Table struct {
	tp   tableprinter.TablePrinter
	tty  bool
	keep []bool
}

// Col is a table column: its title, and whether its cells may be
// truncated to fit.
type Col struct {
	Title string
	keep  bool
}

// Keep is a column whose cells are never truncated: ids (already
// shortened to a unique prefix), statuses, times.
func Keep(title string) Col { return Col{Title: title, keep: true} }

// NewTable starts a table on io's standard output with the given columns;
// a string is a column whose cells may be truncated.
func NewTable(io *iostreams.IOStreams, cols ...any) *Table {
	tty := io.IsStdoutTTY()
	t := &Table{tp: tableprinter.New(io.Out, tty, io.TerminalWidth()), tty: tty}
	titles := make([]string, 0, len(cols))
	for _, c := range cols {
		switch c := c.(type) {
		case Col:
			titles, t.keep = append(titles, c.Title), append(t.keep, c.keep)
		case string:
			titles, t.keep = append(titles, c), append(t.keep, false)
		default:
			panic(fmt.Sprintf("cmdutil.NewTable: a column is a string or a Col, not %T", c))
		}
	}
	if tty {
		// A header is a row whose cells are truncated like the column's
		// (go-gh reads a cell that never truncates as the column's least
		// width, which would leave no width to share).
		for i, title := range titles {
			if t.keep[i] {
				t.tp.AddField(title, tableprinter.WithTruncate(nil))
			} else {
				t.tp.AddField(title, tableprinter.WithTruncate(Truncate))
			}
		}
		t.tp.EndRow()
	}
	return t
}

// TTY reports whether the table is for a terminal: cells may then be
// shortened (ids, times) for people.
func (t *Table) TTY() bool { return t.tty }

// Row adds a row. On a terminal an empty cell shows as "-"; in a pipe it
// stays empty. Cells are kept to one line.
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		c = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
		if c == "" && t.tty {
			c = "-"
		}
		if i < len(t.keep) && t.keep[i] {
			t.tp.AddField(c, tableprinter.WithTruncate(nil))
		} else {
			t.tp.AddField(c, tableprinter.WithTruncate(Truncate))
		}
	}
	t.tp.EndRow()
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.tp.Render() }

// Truncate shortens s to at most width columns, ending it with "…" when
// anything was cut.
func Truncate(width int, s string) string {
	if text.DisplayWidth(s) <= width {
		return s
	}
	if width <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := text.DisplayWidth(string(r))
		if used+w > width-1 {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + "…"
}

// ShortIDs returns how a table shows each of ids on a terminal: the
// shortest prefix, at least keys.MinIDPrefix characters, that tells them
// all apart, which every command taking a key resolves. In a pipe the
// ids stay whole.
func ShortIDs(ids []string) func(id string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	n := keys.MinIDPrefix
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1], sorted[i]
		common := 0
		for common < len(a) && common < len(b) && a[common] == b[common] {
			common++
		}
		n = max(n, common+1)
	}
	return func(id string) string {
		if len(id) <= n {
			return id
		}
		return id[:n]
	}
}

// ShortID is one key id as a message shows it: a prefix that resolves
// wherever the id can be given (12 characters: unique among any one
// caller's keys in practice).
func ShortID(id string) string {
	const n = 12
	if len(id) <= n {
		return id
	}
	return id[:n]
}

// TimeCell renders a time in a table: relative to now on a terminal
// ("in 6 days", "3 hours ago"), RFC 3339 in UTC in a pipe; none when t is
// unset.
func (t *Table) TimeCell(at *time.Time, now time.Time, none string) string {
	if at == nil || at.IsZero() {
		return none
	}
	if !t.tty {
		return at.UTC().Format(time.RFC3339)
	}
	return Relative(*at, now)
}

// Relative says how far at is from now, in the largest unit that fits:
// "in 6 days", "3 hours ago", "just now".
func Relative(at, now time.Time) string {
	d := at.Sub(now)
	future := d > 0
	if !future {
		d = -d
	}
	// A key made a moment ago for 7 days expires "in 7 days", not in 6.
	d = d.Round(time.Minute)
	var n int
	var unit string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minute"
	case d < 24*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	case d < 60*24*time.Hour:
		n, unit = int(d/(24*time.Hour)), "day"
	case d < 2*365*24*time.Hour:
		n, unit = int(d/(30*24*time.Hour)), "month"
	default:
		n, unit = int(d/(365*24*time.Hour)), "year"
	}
	s := fmt.Sprintf("%d %s", n, unit)
	if n != 1 {
		s += "s"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}
