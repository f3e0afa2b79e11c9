package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// The output formats of -o.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// CheckFormat refuses an unknown -o.
func CheckFormat(format string) error {
	switch format {
	case FormatTable, FormatJSON:
		return nil
	}
	return UsageError(fmt.Errorf("unknown output format %q: use -o table or -o json", format))
}

// WriteJSON writes v as indented JSON and a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Table writes aligned columns: a header, then rows.
type Table struct {
	tw *tabwriter.Writer
}

// NewTable starts a table with the given column titles.
func NewTable(w io.Writer, titles ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.Row(titles...)
	return t
}

// Row adds a row; an empty cell shows as "-". Cells are kept to one line.
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		if c == "" {
			c = "-"
		}
		c = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
		if i > 0 {
			fmt.Fprint(t.tw, "\t")
		}
		fmt.Fprint(t.tw, c)
	}
	fmt.Fprintln(t.tw)
}

// Flush writes the table out.
func (t *Table) Flush() error { return t.tw.Flush() }

// Date renders a time as a table cell: the date and time in UTC, or "" for
// none.
func Date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}
