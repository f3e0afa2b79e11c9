package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Secret is an Anyscale token. It prints redacted in every path that fmt,
// log/slog and encoding/json take; Reveal is the only way to the raw value.
//
// fmt cannot call methods on unexported struct fields, nor for the %p
// verb, and encoding/json writes string-typed map keys as they are: keep a
// Secret in exported fields and out of map keys.
type Secret string

// Redaction limits: a Secret shows its prefix (through the first '_') and
// its last four characters only when at least minHidden characters stay
// hidden between them.
const (
	maxPrefix = 8
	tailLen   = 4
	minHidden = 12
	ellipsis  = "…"
)

// Reveal returns the raw token. Call it only where the token must leave the
// process: an Authorization header or the credentials file.
func (s Secret) Reveal() string { return string(s) }

// String returns the redacted form, such as "aph0_…3f9a".
func (s Secret) String() string { return s.redacted() }

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string { return "credentials.Secret(" + strconv.Quote(s.redacted()) + ")" }

// Format prints the redacted form for every verb: %q quotes it, %#v wraps
// it as GoString does, and every other verb prints it as %s would.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(s.redacted()))
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	default:
		fmt.Fprint(f, s.redacted())
	}
}

// LogValue returns the redacted form for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.redacted()) }

// MarshalJSON encodes the redacted form, so a Secret inside any struct is
// safe to log as JSON. Code that must write the raw token uses Reveal.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.redacted()) }

// MarshalText encodes the redacted form, for encoders that prefer text.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.redacted()), nil }

// UnmarshalText accepts a raw token, so a Secret decodes from JSON and
// text as a plain string does.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// Fingerprint returns a short stable hash of the token, such as
// "sha256:1a2b3c4d5e6f", safe to log and to compare two tokens by.
// The empty Secret has the empty fingerprint.
func (s Secret) Fingerprint() string {
	if s == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// IsZero reports whether the Secret is empty.
func (s Secret) IsZero() bool { return s == "" }

func (s Secret) redacted() string {
	if s == "" {
		return ""
	}
	raw := string(s)
	prefix := ""
	if i := strings.IndexByte(raw, '_'); i >= 0 && i < maxPrefix {
		prefix = raw[:i+1]
	}
	if len(raw)-len(prefix)-tailLen < minHidden || !printable(prefix+raw[len(raw)-tailLen:]) {
		return ellipsis
	}
	return prefix + ellipsis + raw[len(raw)-tailLen:]
}

// printable reports whether s is plain visible ASCII, so a redacted form
// never carries control bytes or a split UTF-8 sequence.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
