package organization

import (
	"time"

	"github.com/anyscale-go/anyscale/internal/email"
)

// Kind selects which accounts a list returns.
type Kind string

// The kinds of account a list can select (the wire's collaborator_type).
const (
	AllAccounts     Kind = "all_accounts"
	UserAccounts    Kind = "only_user_accounts"
	ServiceAccounts Kind = "only_service_accounts"
)

// Member is a user or service account of the organization.
//
// It marshals to JSON with snake_case names, the shape of the command
// line's -o json: "id" (the identity id), "user_id", "email", "name",
// "permission_level", "service_account", "created_at". The deprecated ID
// is not marshaled ("id" holds IdentityID, the same value), and decoding
// leaves it empty.
type Member struct {
	// IdentityID is the identity id (ide_…), which removal takes.
	IdentityID string `json:"id"`
	// ID is IdentityID, the same value. It is not marshaled.
	//
	// Deprecated: use IdentityID.
	ID string `json:"-"`
	// UserID is the user id (usr_…), which keys name as their owner.
	UserID          string    `json:"user_id"`
	Email           string    `json:"email"`
	Name            string    `json:"name"`
	PermissionLevel string    `json:"permission_level"`
	ServiceAccount  bool      `json:"service_account"`
	CreatedAt       time.Time `json:"created_at"`
}

// member is the wire form of an OrganizationCollaborator.
type member struct {
	ID               string    `json:"id"`
	UserID           *string   `json:"user_id"`
	Email            string    `json:"email"`
	Name             *string   `json:"name"`
	PermissionLevel  string    `json:"permission_level"`
	CreatedAt        time.Time `json:"created_at"`
	IsServiceAccount *bool     `json:"is_service_account"`
}

func (m member) toMember() Member {
	out := Member{
		IdentityID:      m.ID,
		ID:              m.ID,
		UserID:          deref(m.UserID),
		Email:           m.Email,
		Name:            deref(m.Name),
		PermissionLevel: m.PermissionLevel,
		CreatedAt:       m.CreatedAt,
	}
	if m.IsServiceAccount != nil {
		out.ServiceAccount = *m.IsServiceAccount
	} else {
		// A server that does not say: a service account's address has a
		// form of its own.
		out.ServiceAccount = email.IsServiceAccount(out.Email)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
