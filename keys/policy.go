package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/pathseg"
)

// MaxNameLength is the longest key name, in characters, that the SDK
// sends.
//
// The name rule is the SDK's own (the API does not publish one): a name is
// empty (the server then generates a unique one) or 1 to MaxNameLength
// characters of valid UTF-8, with no control or invisible format
// characters and no white space at either end.
const MaxNameLength = 128

func validateName(name string) error {
	if name == "" {
		return nil
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("keys: %w: the key name is not valid UTF-8", client.ErrInvalid)
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return fmt.Errorf("keys: %w: the key name is %d characters long; use at most %d", client.ErrInvalid, n, MaxNameLength)
	}
	for i, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Errorf("keys: %w: the key name has a control or invisible character at byte %d; use printable characters only", client.ErrInvalid, i)
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("keys: %w: the key name %q starts or ends with white space; trim it", client.ErrInvalid, name)
	}
	return nil
}

// validateExpiry checks a user key's lifetime against the policy: required,
// at least a second, at most MaxLifetime.
func validateExpiry(d time.Duration) error {
	switch {
	case d == 0:
		return fmt.Errorf("keys: %w: the key's lifetime is required: every user key expires, after at most 30 days", client.ErrInvalid)
	case d < 0:
		return fmt.Errorf("keys: %w: the key's lifetime is negative (%s); give one of up to 30 days", client.ErrInvalid, d)
	case d < time.Second:
		return fmt.Errorf("keys: %w: the key's lifetime %s is under a second; give one of up to 30 days", client.ErrInvalid, d)
	case d > MaxLifetime:
		return fmt.Errorf("keys: %w: the key's lifetime %s is over the 30-day maximum for a user key; use a shorter one and renew the key before it expires", client.ErrInvalid, d)
	}
	return nil
}

// MaxServiceAccountKeyLifetime is the longest lifetime the SDK asks for a
// service account key: 100 years, what the official CLI asks for. The
// 30-day cap binds user keys only; the API publishes no cap for service
// account keys, so the SDK does not go beyond the lifetime the official
// client is known to get.
const MaxServiceAccountKeyLifetime = 3153600000 * time.Second

// CheckServiceAccountKeyLifetime checks a service account key's lifetime
// before anything is sent: at least a second, at most
// MaxServiceAccountKeyLifetime. The error matches client.ErrInvalid and
// names no package: the caller's own error says where it comes from.
func CheckServiceAccountKeyLifetime(d time.Duration) error {
	if d < time.Second || d > MaxServiceAccountKeyLifetime {
		return fmt.Errorf("%w: a service account key lifetime of %s is out of range: it lives from 1s to 100 years", client.ErrInvalid, d)
	}
	return nil
}

// seconds is the wire's duration: whole seconds.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// keyID is the id the API lists a key under, derived from its secret: the
// lowercase hex SHA-256 of the secret. This mapping is our choice (the API
// does not document it); Create falls back to the key's name when it does
// not hold.
func keyID(secret credentials.Secret) string {
	sum := sha256.Sum256([]byte(secret.Reveal()))
	return hex.EncodeToString(sum[:])
}

// checkID refuses a key id that cannot name a key in a URL path: empty,
// a dot segment that a normalizing proxy would resolve to the parent
// path, or one holding a slash (the client refuses it too, but only once
// its request is built: RevokeMany sends nothing when an id is bad).
func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: the key id is empty; take it from the key list", client.ErrInvalid)
	case !pathseg.Passes(id):
		return fmt.Errorf("%w: %q is not a key id; take it from the key list", client.ErrInvalid, id)
	}
	return nil
}
