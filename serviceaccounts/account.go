package serviceaccounts

import (
	"time"

	"github.com/anyscale-go/anyscale/organization"
)

// ServiceAccount is a non-user identity of the organization.
//
// It marshals to JSON with snake_case names, the shape of the command
// line's -o json: "id" (the identity id), "user_id", "name", "email",
// "permission_level", "created_at", and "organization_id" when known. The
// deprecated ID is not marshaled ("id" holds IdentityID, the same value),
// and decoding leaves it empty.
type ServiceAccount struct {
	// IdentityID is the identity id (ide_…), which deletion takes. The
	// API's service account model has none: it comes from the member list.
	IdentityID string `json:"id"`
	// ID is IdentityID, the same value. It is not marshaled.
	//
	// Deprecated: use IdentityID.
	ID string `json:"-"`
	// UserID is the user id (usr_…) its keys belong to.
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	// PermissionLevel is "owner" or "collaborator": a service account may
	// be an organization owner.
	PermissionLevel string    `json:"permission_level"`
	CreatedAt       time.Time `json:"created_at"`
	// OrganizationID is set on the account Create returns; the member list
	// that List, All and Get read does not carry it.
	OrganizationID string `json:"organization_id,omitempty"`
}

func fromMember(m organization.Member) ServiceAccount {
	return ServiceAccount{IdentityID: m.IdentityID, ID: m.IdentityID, UserID: m.UserID, Name: m.Name, Email: m.Email, PermissionLevel: m.PermissionLevel, CreatedAt: m.CreatedAt}
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

// Ref names one service account: by name or email (ByName, ByEmail), or
// by user id or identity id (organization.ByUserID,
// organization.ByIdentityID). It is organization's reference, so one value
// names a principal everywhere in the SDK.
type Ref = organization.Ref

// ByName refers to the service account named name, matched exactly. It is
// organization.ByName.
func ByName(name string) Ref { return organization.ByName(name) }

// ByEmail refers to the service account with the email address, matched
// as the server stores emails: surrounding white space is trimmed and only
// the ASCII letters A-Z match without regard to case; every other
// character must match exactly. It is organization.ByEmail.
func ByEmail(address string) Ref { return organization.ByEmail(address) }

// refValue is what ref names, whatever its kind.
func refValue(ref Ref) string {
	return ref.Email() + ref.Name() + ref.UserID() + ref.IdentityID()
}
