package redact

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/tests/leak"
)

// fuzzToken is the token the fuzzers' texts must never show.
const fuzzToken = "aph0_FUZZcanary0123456789abcdefghijklmnop"

// FuzzScrub: whatever text surrounds or hides a token, the scrubbed text
// shows it neither raw nor escaped.
func FuzzScrub(f *testing.F) {
	for _, seed := range [][2]string{
		{"token " + fuzzToken, fuzzToken},
		{`\u0061ph0_FUZZcanary0123456789abcdefghijklmnop`, fuzzToken},
		{"aph0%5FFUZZcanary0123456789abcdefghijklmnop", fuzzToken},
		{"aph0_aph0_x", "aph0_x"},
		{"", fuzzToken},
		{"naph0FUZZcanary012345678", "aph0_FUZZcananry012345678"}, // a new piece around a redacted one
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, s, token string) {
		if credentials.ValidateToken(token) != nil {
			return // only tokens the SDK would send
		}
		secret := credentials.Secret(token)
		m := New(secret)
		out := m.Scrub(s)
		if strings.Contains(out, token) {
			t.Fatalf("scrub(%q) = %q shows the token", s, out)
		}
		if len(alnum(token)) >= MinPiece && (m.Holds(out) || showsPiece(out, token)) {
			t.Fatalf("scrub(%q) = %q shows a piece of the token", s, out)
		}
		for _, d := range decodings(out) { // decoders other than the scrubber's own
			if strings.Contains(d, token) {
				t.Fatalf("scrub(%q) = %q shows the token once decoded: %q", s, out, d)
			}
		}
		if !m.found(s) && !m.found(unescape(s)) && out != s {
			t.Fatalf("scrub changed a text without the token: %q -> %q", s, out)
		}
	})
}

// showsPiece is the independent piece rule of tests/leak.
func showsPiece(s, token string) bool { return leak.ShowsPiece(s, token, MinPiece) }

// decodings returns s as the standard library's HTML, URL and Go string
// decoders read it, where they can.
func decodings(s string) []string {
	out := []string{html.UnescapeString(s)}
	if u, err := url.PathUnescape(s); err == nil {
		out = append(out, u)
	}
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		out = append(out, u)
	}
	return out
}
