package email

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/internal/ascii"
)

// Normalize returns s as the server stores an email: surrounding white
// space trimmed and the ASCII letters A-Z lower-cased. Every other
// character, non-ASCII letters included, is left as it is.
func Normalize(s string) string {
	return ascii.Lower(strings.TrimSpace(s))
}

// Equal reports whether a and b are the same email address by the
// server's rule: equal once normalized, so they may differ only in the
// case of ASCII letters and in surrounding white space.
func Equal(a, b string) bool {
	return Normalize(a) == Normalize(b)
}

// Hint explains why s may fail to match an address that looks the same:
// when s holds a character outside ASCII, it names the first one and the
// rule. It returns "" for an all-ASCII s.
func Hint(s string) string {
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return fmt.Sprintf("; note that it holds the non-ASCII character %U %q, and emails match exactly apart from the case of the ASCII letters A-Z: type the address in plain ASCII if that is what was meant", r, r)
		}
	}
	return ""
}

// IsServiceAccount reports whether an address has a service account's
// form, "<name>@org-<organization id>.serviceaccount.com" (docs/wire.md).
func IsServiceAccount(address string) bool {
	_, domain, ok := strings.Cut(Normalize(address), "@")
	return ok && strings.HasPrefix(domain, "org-") && strings.HasSuffix(domain, ".serviceaccount.com")
}
