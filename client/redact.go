package client

import (
	"strings"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/credentials"
)

// withheld replaces a text that holds the token in an escaped form, which
// a plain replacement cannot redact.
const withheld = "[withheld: the text held the token]"

// scrub removes secret from a text the client shows (an error message, a
// log attribute), after the text was decoded: the raw token is replaced
// with its redacted form, and a text that holds it only in an escaped form
// (JSON \u escapes, URL percent-encoding) is withheld whole.
func scrub(s string, secret credentials.Secret) string {
	raw := secret.Reveal()
	if raw == "" || s == "" {
		return s
	}
	if strings.Contains(s, raw) {
		s = strings.ReplaceAll(s, raw, secret.String())
		if strings.Contains(s, raw) { // the replacement made a new one
			return withheld
		}
	}
	if strings.ContainsAny(s, `\%`) && strings.Contains(unescape(s), raw) {
		return withheld
	}
	return s
}

// unescape decodes the escapes a server could hide a token behind: JSON's
// \uXXXX and \/, and URL percent-encoding. Anything else is kept as is.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' && isHex(s[i+2:i+6]):
			b.WriteRune(rune(hexValue(s[i+2 : i+6])))
			i += 6
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '/':
			b.WriteByte('/')
			i += 2
		case s[i] == '%' && i+3 <= len(s) && isHex(s[i+1:i+3]):
			b.WriteByte(byte(hexValue(s[i+1 : i+3])))
			i += 3
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
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
