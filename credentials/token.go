package credentials

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidToken is matched by every error from ValidateToken.
var ErrInvalidToken = errors.New("invalid Anyscale token")

// MaxTokenLength is the longest token, in bytes, that ValidateToken
// accepts. An Anyscale API key is far shorter; the bound keeps what Save
// writes within what Load reads, whatever the token's characters.
const MaxTokenLength = 4096

// ValidateToken applies the official CLI's sanity check to a token: it
// starts with "sss_" (old style), or starts with "a" and contains "_"
// (current style). It also rejects white space, control and invisible
// characters, which a copy and paste often brings along, and any other
// non-ASCII character, such as the "…" of a redacted Secret, so a redacted
// form is never taken for a key; and a token longer than MaxTokenLength
// bytes. So a token passes exactly when it is 1 to MaxTokenLength bytes
// of printable ASCII other than the space, and is of one of the two
// styles. Errors say what is wrong without echoing the token, and match
// ErrInvalidToken.
func ValidateToken(token string) error {
	if token == "" {
		return fmt.Errorf("%w: the token is empty", ErrInvalidToken)
	}
	if len(token) > MaxTokenLength {
		return fmt.Errorf("%w: the token is %d bytes long, more than the %d bytes a token may have; an API key is far shorter: check that only the key was copied",
			ErrInvalidToken, len(token), MaxTokenLength)
	}
	if !utf8.ValidString(token) {
		return fmt.Errorf("%w: the token is not valid UTF-8", ErrInvalidToken)
	}
	for i, r := range token {
		switch {
		case unicode.IsSpace(r):
			return fmt.Errorf("%w: the token has white space at byte %d of %d; copy it again without spaces or line breaks", ErrInvalidToken, i, len(token))
		case unicode.IsControl(r):
			return fmt.Errorf("%w: the token has a control character at byte %d of %d; copy it again", ErrInvalidToken, i, len(token))
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("%w: the token has an invisible character at byte %d of %d; copy it again", ErrInvalidToken, i, len(token))
		case r == '…':
			return fmt.Errorf("%w: the token contains \"…\": this is a redacted token as logs print it, not the key; use the full key", ErrInvalidToken)
		case r > '~':
			return fmt.Errorf("%w: the token has a non-ASCII character at byte %d of %d; an API key is plain ASCII, copy it again", ErrInvalidToken, i, len(token))
		}
	}
	if strings.HasPrefix(token, "sss_") || (strings.HasPrefix(token, "a") && strings.Contains(token, "_")) {
		return nil
	}
	return fmt.Errorf("%w: an Anyscale API key starts with \"a\" and contains \"_\" (or starts with \"sss_\"); check that the whole key was copied", ErrInvalidToken)
}
