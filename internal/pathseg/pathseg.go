// Package pathseg holds the rule for a URL path segment that names a
// resource (a key id, a user id): one that every proxy and server passes
// on as it is.
package pathseg

import "strings"

// Passes reports whether seg, unescaped, is a segment that a normalizing
// proxy or server passes on as it is: not empty, not "." or ".." (which
// resolve to another path), without a slash or backslash.
func Passes(seg string) bool {
	return seg != "" && seg != "." && seg != ".." && !strings.ContainsAny(seg, `/\`)
}
