package serviceaccounts

import (
	"fmt"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/organization"
)

// ServiceAccount is a non-user identity of the organization.
type ServiceAccount struct {
	// ID is the identity id (ide_…), which deletion takes. The API's
	// service account model has none: it comes from the member list.
	ID string
	// UserID is the user id (usr_…) its keys belong to.
	UserID string
	Name   string
	Email  string
	// PermissionLevel is "owner" or "collaborator": a service account may
	// be an organization owner.
	PermissionLevel string
	CreatedAt       time.Time
	// OrganizationID is set on the account Create returns; the member list
	// that List, All and Get read does not carry it.
	OrganizationID string
}

func fromMember(m organization.Member) ServiceAccount {
	return ServiceAccount{ID: m.ID, UserID: m.UserID, Name: m.Name, Email: m.Email, PermissionLevel: m.PermissionLevel, CreatedAt: m.CreatedAt}
}

// serviceAccount is the wire form, AnyscaleServiceAccount: exactly these
// fields.
type serviceAccount struct {
	UserID          string    `json:"user_id"`
	Name            string    `json:"name"`
	OrganizationID  string    `json:"organization_id"`
	Email           string    `json:"email"`
	PermissionLevel string    `json:"permission_level"`
	CreatedAt       time.Time `json:"created_at"`
}

func (w serviceAccount) toAccount() ServiceAccount {
	return ServiceAccount{UserID: w.UserID, Name: w.Name, Email: w.Email, PermissionLevel: w.PermissionLevel,
		CreatedAt: w.CreatedAt, OrganizationID: w.OrganizationID}
}

// Ref names one service account, by name or by email.
type Ref struct {
	name, email string
}

// ByName refers to the service account named name, matched exactly.
func ByName(name string) Ref { return Ref{name: strings.TrimSpace(name)} }

// ByEmail refers to the service account with the email address, matched
// as the server stores emails: surrounding white space is trimmed and only
// the ASCII letters A-Z match without regard to case; every other
// character must match exactly.
func ByEmail(address string) Ref { return Ref{email: email.Normalize(address)} }

// String describes the reference, as `name "ci"` or `email "ci@…"`.
func (r Ref) String() string {
	if r.email != "" {
		return fmt.Sprintf("email %q", r.email)
	}
	return fmt.Sprintf("name %q", r.name)
}

func (r Ref) validate() error {
	switch {
	case r.name == "" && r.email == "":
		return fmt.Errorf("serviceaccounts: %w: the reference names no service account; use ByName or ByEmail", client.ErrInvalid)
	case r.name != "" && r.email != "":
		return fmt.Errorf("serviceaccounts: %w: give a name or an email, not both", client.ErrInvalid)
	}
	return nil
}
