package cmdutil

import (
	"testing"
	"time"
)

func TestRelative(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		7*24*time.Hour - 2*time.Second: "in 7 days",
		24 * time.Hour:                 "in 1 day",
		-3 * time.Hour:                 "3 hours ago",
		-20 * time.Second:              "just now",
		90 * time.Minute:               "in 1 hour",
		-100 * 24 * time.Hour:          "3 months ago",
		100 * 365 * 24 * time.Hour:     "in 100 years",
	} {
		if got := Relative(now.Add(d), now); got != want {
			t.Errorf("Relative(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestShortIDs(t *testing.T) {
	short := ShortIDs([]string{"aaaaaaaa1100", "aaaaaaaa1200", "bbbbbbbbbbbb"})
	if got := short("aaaaaaaa1100"); got != "aaaaaaaa11" {
		t.Errorf("short = %q, want the first 10 characters, which tell it apart", got)
	}
	if got := short("bbbbbbbbbbbb"); got != "bbbbbbbbbb" {
		t.Errorf("short = %q, want as many characters as the others", got)
	}
	if got := ShortIDs([]string{"0123456789abcdef"})("0123456789abcdef"); got != "01234567" {
		t.Errorf("one id: %q, want 8 characters", got)
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate(8, "ada.lovelace@example.com"); got != "ada.lov…" {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate(8, "short"); got != "short" {
		t.Errorf("Truncate = %q", got)
	}
}
