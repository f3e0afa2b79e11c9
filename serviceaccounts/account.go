package serviceaccounts

import (
	"time"

	"github.com/anyscale-go/anyscale/organization"
)

// ServiceAccount is a non-user identity of the organization.
type ServiceAccount struct {
	// IdentityID is the identity id (ide_…), which deletion takes. The
	// API's service account model has none: it comes from the member list.
	IdentityID string
	// ID is IdentityID, the same value.
	//
	// Deprecated: use IdentityID.
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
