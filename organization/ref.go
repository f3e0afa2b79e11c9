package organization

import (
	"fmt"
	"strings"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/internal/pathseg"
)

// Ref names one member of the organization, a user or a service account:
// by email, by name, by user id (usr_…) or by identity id (ide_…). Make
// one with ByEmail, ByName, ByUserID or ByIdentityID; the zero Ref names
// nobody, and every operation refuses it with client.ErrInvalid before
// sending anything. A Ref is a comparable value.
type Ref struct {
	kind  refKind
	value string
}

type refKind uint8

const (
	refNone refKind = iota
	refEmail
	refName
	refUserID
	refIdentityID
)

// ByEmail refers to the member with the email address, matched as the
// server stores emails: surrounding white space is trimmed and only the
// ASCII letters A-Z match without regard to case; every other character
// must match exactly, so a look-alike address (a KELVIN SIGN for K) is
// no match.
func ByEmail(address string) Ref { return Ref{kind: refEmail, value: email.Normalize(address)} }

// ByName refers to the member named name, matched exactly (surrounding
// white space is trimmed).
func ByName(name string) Ref { return Ref{kind: refName, value: strings.TrimSpace(name)} }

// ByUserID refers to the member with the user id (usr_…), the id keys name
// as their owner (Member.UserID).
func ByUserID(id string) Ref { return Ref{kind: refUserID, value: strings.TrimSpace(id)} }

// ByIdentityID refers to the member with the identity id (ide_…), the id
// removal takes (Member.IdentityID).
func ByIdentityID(id string) Ref { return Ref{kind: refIdentityID, value: strings.TrimSpace(id)} }

// Email returns the address r names, or "" when r is not by email.
func (r Ref) Email() string { return r.of(refEmail) }

// Name returns the name r names, or "" when r is not by name.
func (r Ref) Name() string { return r.of(refName) }

// UserID returns the user id r names, or "" when r is not by user id.
func (r Ref) UserID() string { return r.of(refUserID) }

// IdentityID returns the identity id r names, or "" when r is not by
// identity id.
func (r Ref) IdentityID() string { return r.of(refIdentityID) }

func (r Ref) of(k refKind) string {
	if r.kind != k {
		return ""
	}
	return r.value
}

// String describes the reference: `email "ada@example.com"`, `name "ci"`,
// `user id "usr_…"` or `identity id "ide_…"`.
func (r Ref) String() string {
	switch r.kind {
	case refEmail:
		return fmt.Sprintf("email %q", r.value)
	case refName:
		return fmt.Sprintf("name %q", r.value)
	case refUserID:
		return fmt.Sprintf("user id %q", r.value)
	case refIdentityID:
		return fmt.Sprintf("identity id %q", r.value)
	}
	return "no member"
}

// Validate reports whether r names a member: it is an error matching
// client.ErrInvalid when r is the zero Ref, its value is empty, its id
// cannot be one (".", "..", or one holding a slash), or it holds one kind
// of id where the other belongs (an identity id given as a user id, or the
// reverse). Every operation that takes a Ref calls it before sending
// anything.
func (r Ref) Validate() error {
	switch {
	case r.kind == refNone:
		return fmt.Errorf("%w: the reference names no member", client.ErrInvalid)
	case r.value == "":
		return fmt.Errorf("%w: the reference's %s is empty", client.ErrInvalid, r.kindName())
	case (r.kind == refUserID || r.kind == refIdentityID) && !pathseg.Passes(r.value):
		return fmt.Errorf("%w: %q is not an id", client.ErrInvalid, r.value)
	case r.kind == refUserID && strings.HasPrefix(r.value, "ide_"):
		return fmt.Errorf("%w: %q is an identity id (ide_…), not a user id (usr_…)", client.ErrInvalid, r.value)
	case r.kind == refIdentityID && strings.HasPrefix(r.value, "usr_"):
		return fmt.Errorf("%w: %q is a user id (usr_…), not an identity id (ide_…)", client.ErrInvalid, r.value)
	}
	return nil
}

// refTextKinds are the kinds of reference as MarshalText names them.
var refTextKinds = []struct {
	kind refKind
	name string
}{{refEmail, "email"}, {refName, "name"}, {refUserID, "user_id"}, {refIdentityID, "identity_id"}}

// MarshalText writes r as "<kind>:<value>", the kind one of "email",
// "name", "user_id" and "identity_id" (such as "email:ada@example.com"),
// and the zero Ref as "": what a Ref in JSON, such as keys.ListOptions's
// owner, holds.
func (r Ref) MarshalText() ([]byte, error) {
	for _, k := range refTextKinds {
		if k.kind == r.kind {
			return []byte(k.name + ":" + r.value), nil
		}
	}
	return []byte{}, nil
}

// UnmarshalText reads what MarshalText writes, through ByEmail, ByName,
// ByUserID and ByIdentityID; "" is the zero Ref. An unknown kind is an
// error matching client.ErrInvalid.
func (r *Ref) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*r = Ref{}
		return nil
	}
	kind, value, _ := strings.Cut(string(text), ":")
	switch kind {
	case "email":
		*r = ByEmail(value)
	case "name":
		*r = ByName(value)
	case "user_id":
		*r = ByUserID(value)
	case "identity_id":
		*r = ByIdentityID(value)
	default:
		return fmt.Errorf("%w: %q is not a member reference: give its kind (email, name, user_id or identity_id), a colon, then the value", client.ErrInvalid, text)
	}
	return nil
}

func (r Ref) kindName() string {
	switch r.kind {
	case refEmail:
		return "email"
	case refName:
		return "name"
	case refUserID:
		return "user id"
	case refIdentityID:
		return "identity id"
	}
	return "member"
}

// subject is what r names, whatever its kind: the subject of advice
// about it.
func (r Ref) subject() string { return r.value }

// filter is the member-list query that narrows a look-up of r: the
// server's email or name filter, or (for an id, which the list cannot
// filter by) every account.
func (r Ref) filter() ListOptions {
	switch r.kind {
	case refEmail:
		return ListOptions{Email: r.value}
	case refName:
		return ListOptions{Name: r.value}
	}
	return ListOptions{Kind: AllAccounts}
}

// Matches reports whether m is the member r names, exactly: the email as
// the server stores emails (never a look-alike), the name, user id or
// identity id as it is.
func (r Ref) Matches(m Member) bool {
	switch r.kind {
	case refEmail:
		return email.Equal(m.Email, r.value)
	case refName:
		return m.Name == r.value
	case refUserID:
		return m.UserID == r.value
	case refIdentityID:
		return m.IdentityID == r.value
	}
	return false
}

// near reports whether m is not r's member but looks like it: a name that
// differs only in case.
func (r Ref) near(m Member) bool {
	return r.kind == refName && m.Name != r.value && strings.EqualFold(m.Name, r.value)
}
