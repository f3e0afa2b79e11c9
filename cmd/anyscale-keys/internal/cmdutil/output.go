package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
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

// Date renders a time for a message: the date and time in UTC, with the
// zone said ("2026-01-02 15:04 UTC"), or "" for none.
func Date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
