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
type Member struct {
	// IdentityID is the identity id (ide_…), which removal takes.
	IdentityID string
	// ID is IdentityID, the same value.
	//
	// Deprecated: use IdentityID.
	ID string
	// UserID is the user id (usr_…), which keys name as their owner.
	UserID          string
	Email           string
	Name            string
	PermissionLevel string
	ServiceAccount  bool
	CreatedAt       time.Time
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
