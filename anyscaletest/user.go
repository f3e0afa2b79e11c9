package anyscaletest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// User is a member of the fake organization, as the test helpers hand it
// out. Token is the raw secret of the key seeded when the user was added;
// it prints redacted through fmt, log/slog and encoding/json.
type User struct {
	// ID is the user id ("usr_...").
	ID string
	// IdentityID is the member's collaborator id ("ide_..."), the id that
	// removes the member.
	IdentityID string
	// Email is the lower-cased email.
	Email string
	// Name is the display name.
	Name string
	// Role is the permission level in the organization.
	Role Role
	// Token is the secret of the seeded key; it stops working once that
	// key is revoked or rotated, or the member is removed. Advance never
	// expires it: the seeded key moves with the clock (see Advance).
	Token string
}

// String returns the user with a redacted token, as %v prints it.
func (u User) String() string {
	return fmt.Sprintf("{%s %s %s %s %s %s}", u.ID, u.IdentityID, u.Email, u.Name, u.Role, redact(u.Token))
}

// GoString returns the user with a redacted token, as %#v prints it.
func (u User) GoString() string {
	return fmt.Sprintf("anyscaletest.User{ID:%q, IdentityID:%q, Email:%q, Name:%q, Role:%q, Token:%q}",
		u.ID, u.IdentityID, u.Email, u.Name, string(u.Role), redact(u.Token))
}

// Format prints the user with a redacted token for every verb: %+v names
// the fields, %#v prints GoString, %q quotes String, others print String.
func (u User) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, u.GoString())
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{ID:%s IdentityID:%s Email:%s Name:%s Role:%s Token:%s}",
			u.ID, u.IdentityID, u.Email, u.Name, u.Role, redact(u.Token))
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(u.String()))
	default:
		fmt.Fprint(f, u.String())
	}
}

// LogValue returns the user for log/slog, with a redacted token.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", u.ID),
		slog.String("identity_id", u.IdentityID),
		slog.String("email", u.Email),
		slog.String("name", u.Name),
		slog.String("role", string(u.Role)),
		slog.String("token", redact(u.Token)),
	)
}

// MarshalJSON encodes the user with a redacted token.
func (u User) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID         string `json:"id"`
		IdentityID string `json:"identity_id"`
		Email      string `json:"email"`
		Name       string `json:"name"`
		Role       Role   `json:"role"`
		Token      string `json:"token"`
	}{u.ID, u.IdentityID, u.Email, u.Name, u.Role, redact(u.Token)})
}

// redact shows a token's prefix (through the first '_', at most 8
// characters) and its last 4 characters, and only when at least 12
// characters stay hidden; otherwise just "…".
func redact(token string) string {
	const maxPrefix, tail, minHidden = 8, 4, 12
	if token == "" {
		return ""
	}
	prefix := ""
	if i := strings.IndexByte(token, '_'); i >= 0 && i < maxPrefix {
		prefix = token[:i+1]
	}
	if len(token)-len(prefix)-tail < minHidden {
		return "…"
	}
	return prefix + "…" + token[len(token)-tail:]
}
