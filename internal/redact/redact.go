// Package redact keeps a token out of the texts the SDK shows: error
// messages, log attributes, transport errors that quote what a server or a
// proxy sent back.
//
//	m := redact.New(token)         // once per token
//	msg = m.Scrub(msg)             // the token, whole or in pieces, removed
//	err = m.Error(err)             // an error whose text held it, replaced
package redact

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/credentials"
)

// Withheld replaces a text that holds the token in a form a replacement
// cannot redact (escaped).
const Withheld = "[withheld: the text held the token]"

// MinPiece is the shortest run of the token's letters and digits that a
// Scrubber treats as a piece of it: long enough that text does not match
// by chance, short enough that no useful piece gets through.
const MinPiece = 12

// A Scrubber removes a token from a text the SDK shows (an error message,
// a log attribute), after the text was decoded. The token is found whole
// or in pieces: any MinPiece of its letters and digits in a row, even with
// other characters between them (a server may cut it, split it, or put a
// NUL or dots inside). A whole token becomes its redacted form, a piece
// "[…]". A text that holds the token only escaped (JSON \u escapes, a
// doubled backslash, URL percent-encoding, HTML references) is withheld
// whole.
//
// A Scrubber is built once per token and is safe for concurrent use: a
// call's attempts share the one made when its token was checked. A nil
// Scrubber (a call without a token) changes nothing.
type Scrubber struct {
	raw, whole string
	// grams holds every run of piece letters and digits of the token;
	// piece is MinPiece, or the token's whole length when shorter.
	grams map[string]bool
	piece int
	// also is the Scrubber of another token the call sent (the one a 401
	// rejected), which its answers may still echo.
	also *Scrubber
}

// And returns a Scrubber that removes both m's token and other's. Either
// may be nil; m itself is not changed.
func (m *Scrubber) And(other *Scrubber) *Scrubber {
	if m == nil || other == nil || other.raw == m.raw {
		if m == nil {
			return other
		}
		return m
	}
	both := *m // m is shared by the calls of its token: it stays as it is
	both.also = other
	return &both
}

// New returns the Scrubber of secret; nil for an empty secret.
func New(secret credentials.Secret) *Scrubber {
	raw := secret.Reveal()
	if raw == "" {
		return nil
	}
	t := alnum(raw)
	m := &Scrubber{raw: raw, whole: secret.String(), piece: min(MinPiece, len(t)), grams: map[string]bool{}}
	if m.piece == 0 {
		return m
	}
	for i := 0; i+m.piece <= len(t); i++ {
		m.grams[t[i:i+m.piece]] = true
	}
	return m
}

// Scrub returns s without m's token.
func (m *Scrubber) Scrub(s string) string {
	if m == nil || s == "" {
		return s
	}
	// A redaction can bring what was left on its two sides together into
	// a new piece: redact again until none is left.
	for range 4 {
		r := m.redact(s)
		if r == s {
			break
		}
		s = r
	}
	if m.Holds(s) {
		return Withheld
	}
	return m.also.Scrub(s)
}

// Holds reports whether s holds m's token, whole, in a piece, or escaped.
func (m *Scrubber) Holds(s string) bool {
	if m == nil {
		return false
	}
	return m.found(s) || strings.ContainsAny(s, `\%&`) && m.found(unescape(s))
}

// Error keeps m's token out of an error's text: a hostile server or proxy
// can echo it, and net/http quotes a malformed header line whole. An error
// whose text holds the token is replaced by one with the text scrubbed,
// which still matches what the original matched with errors.Is and says
// whether it was a timeout (as a net.Error), but does not unwrap to it
// (its text would show the token). Any other error is returned as is.
func (m *Scrubber) Error(err error) error {
	if m == nil || err == nil {
		return err
	}
	msg := err.Error()
	clean := m.Scrub(msg)
	if clean == msg {
		return err
	}
	var ne net.Error
	return &scrubbedError{msg: clean, err: err, timeout: errors.As(err, &ne) && ne.Timeout()}
}

// scrubbedError is an error whose text held the token.
type scrubbedError struct {
	msg     string
	err     error
	timeout bool
}

func (e *scrubbedError) Error() string        { return e.msg }
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *scrubbedError) Timeout() bool        { return e.timeout }
func (e *scrubbedError) Temporary() bool      { return false }

// spans returns the byte ranges of s that hold a piece of the token,
// merged where they touch or overlap.
func (m *Scrubber) spans(s string) [][2]int {
	if m.piece == 0 {
		return nil
	}
	// The letters and digits of s, and where each is in s.
	var compact []byte
	var at []int
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			compact = append(compact, s[i])
			at = append(at, i)
		}
	}
	var out [][2]int
	for i := 0; i+m.piece <= len(compact); i++ {
		if !m.grams[string(compact[i:i+m.piece])] {
			continue
		}
		start, end := at[i], at[i+m.piece-1]+1
		if n := len(out); n > 0 && start <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], end)
			continue
		}
		out = append(out, [2]int{start, end})
	}
	return out
}

// found reports whether s holds a piece of the token, or the whole token.
func (m *Scrubber) found(s string) bool {
	return strings.Contains(s, m.raw) || len(m.spans(s)) > 0
}

// redact replaces the token in s with its redacted form, and each piece
// with "[…]".
func (m *Scrubber) redact(s string) string {
	if m.piece == 0 {
		return s
	}
	if len(m.raw) < MinPiece { // too short for pieces: only whole
		return strings.ReplaceAll(s, m.raw, m.whole)
	}
	spans := m.spans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		if s[sp[0]:sp[1]] == m.raw {
			b.WriteString(m.whole)
		} else {
			b.WriteString("[…]")
		}
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func alnum(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// unescape decodes, again and again until nothing changes (a few rounds
// at most), the escapes a server or a quoting layer could hide a token
// behind: JSON's \uXXXX, \\, \" and \/, Go's \xHH, URL percent-encoding
// and HTML character references.
func unescape(s string) string {
	for range 4 {
		u := unescapeOnce(s)
		if u == s {
			break
		}
		s = u
	}
	return s
}

func unescapeOnce(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' && isHex(s[i+2:i+6]):
			b.WriteRune(rune(hexValue(s[i+2 : i+6])))
			i += 6
		case s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' && isHex(s[i+2:i+4]):
			b.WriteByte(byte(hexValue(s[i+2 : i+4])))
			i += 4
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\"/`, s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i += 2
		case s[i] == '%' && i+3 <= len(s) && isHex(s[i+1:i+3]):
			b.WriteByte(byte(hexValue(s[i+1 : i+3])))
			i += 3
		case s[i] == '&' && i+3 < len(s) && s[i+1] == '#':
			if r, n, ok := htmlRef(s[i:]); ok {
				b.WriteRune(r)
				i += n
				continue
			}
			b.WriteByte('&')
			i++
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
}

// htmlRef decodes a numeric character reference, &#NN; or &#xHH;, at the
// start of s.
func htmlRef(s string) (rune, int, bool) {
	end := strings.IndexByte(s, ';')
	if end < 3 || end > 10 {
		return 0, 0, false
	}
	num, base := s[2:end], 10
	if num[0] == 'x' || num[0] == 'X' {
		num, base = num[1:], 16
	}
	v, err := strconv.ParseUint(num, base, 21)
	if err != nil {
		return 0, 0, false
	}
	return rune(v), end + 1, true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexDigit(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<4 | hexDigit(s[i])
	}
	return v
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
