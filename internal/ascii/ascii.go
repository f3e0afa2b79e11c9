// Package ascii folds the case of the ASCII letters A-Z only, as the
// server compares emails and as hosts must be compared: Unicode folding
// would take a look-alike (a KELVIN SIGN, a long s) for the real letter.
package ascii

// Lower returns s with the ASCII letters A-Z lower-cased; every other
// byte is left as it is.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// EqualFold reports whether a and b are equal once the ASCII letters A-Z
// are folded.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func lower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}
