// Package leak says, by a rule of its own written apart from the scrubber
// (internal/redact), whether a text shows a token: the fuzzers of the
// scrubber and of the client's error decoding hold the SDK to it.
package leak

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ShowsPiece reports whether s shows token whole, or any piece of piece
// of its ASCII letters and digits in a row, with anything else between
// them left out (the scrubber's rule, restated independently).
func ShowsPiece(s, token string, piece int) bool {
	if strings.Contains(s, token) {
		return true
	}
	keep := func(x string) string {
		return strings.Map(func(r rune) rune {
			if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, x)
	}
	tok, text := keep(token), keep(s)
	for i := 0; i+piece <= len(tok); i++ {
		if strings.Contains(text, tok[i:i+piece]) {
			return true
		}
	}
	return false
}
