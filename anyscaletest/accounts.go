package anyscaletest

import (
	"fmt"
	"strings"
	"time"
)

// account is a human member or a service account of the organization.
type account struct {
	seq        int64
	userID     string
	identityID string
	email      string
	name       string
	role       Role
	service    bool
	createdAt  time.Time
	removed    bool
	seedToken  string // secret of the key seeded by AddUser, for User values
}

// Role is a member's (user's or service account's) permission level in
// the organization.
type Role string

// The two permission levels.
const (
	// Owner manages the organization: every key, members, service accounts.
	Owner Role = "owner"
	// Collaborator manages only its own keys.
	Collaborator Role = "collaborator"
)

// AddUser adds a human member with the given role, seeded with one valid
// key that expires in 30 days (server clock) and moves with the clock (see
// Advance); the returned User's Token is that key's secret. The email is lower-cased. It panics on an empty
// email, an unknown role, or an email already held by a current member.
func (s *Server) AddUser(email string, role Role) User {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		panic(fmt.Sprintf("anyscaletest: AddUser: %q is not an email", email))
	}
	if role != Owner && role != Collaborator {
		panic(fmt.Sprintf("anyscaletest: AddUser: unknown role %q", role))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.memberByEmail(email) != nil {
		panic(fmt.Sprintf("anyscaletest: AddUser: %s is already a member", email))
	}
	a := s.addAccount(email, nameFromEmail(email), role, false)
	a.seedToken, _ = s.issueKey(a, a.userID, "", seededKeyLifetime)
	return a.user()
}

// AddServiceAccount adds a service account as an owner would, seeded with
// one valid key of the official CLI's 100-year lifetime, which moves with
// the clock (see Advance); the returned User's Token is that key's secret. Its role is Collaborator unless one
// role is given: a service account may be an Owner, and then passes every
// owner check with its own token, as a human owner does (service accounts
// created through the API are always collaborators). It panics if name is
// invalid or taken, or on more than one role or an unknown one.
func (s *Server) AddServiceAccount(name string, role ...Role) User {
	r := Collaborator
	switch {
	case len(role) > 1:
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: %d roles given, want at most one", len(role)))
	case len(role) == 1:
		r = role[0]
	}
	if r != Owner && r != Collaborator {
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: unknown role %q", r))
	}
	if msg := checkServiceAccountName(name); msg != "" {
		panic("anyscaletest: AddServiceAccount: " + msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serviceAccountByName(name) != nil {
		panic(fmt.Sprintf("anyscaletest: AddServiceAccount: %q exists", name))
	}
	a := s.addAccount(serviceAccountEmail(name, s.orgID), name, r, true)
	a.seedToken, _ = s.issueKey(a, s.ownerID, "", serviceAccountSeedLifetime)
	return a.user()
}

// addAccount stores a new member. Callers hold s.mu.
func (s *Server) addAccount(email, name string, role Role, service bool) *account {
	a := &account{
		seq:        s.nextSeq(),
		userID:     newID(prefixUser),
		identityID: newID(prefixIdentity),
		email:      email,
		name:       name,
		role:       role,
		service:    service,
		createdAt:  s.now,
	}
	s.accounts[a.userID] = a
	s.members = append(s.members, a)
	return a
}

// LookupUser returns the current member (user or service account) with the
// given email, compared case-insensitively. Token is set only for members
// added with AddUser or AddServiceAccount.
func (s *Server) LookupUser(email string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.memberByEmail(strings.ToLower(email))
	if a == nil {
		return User{}, false
	}
	return a.user(), true
}

// memberByEmail finds a current member by lower-cased email. Callers hold s.mu.
func (s *Server) memberByEmail(email string) *account {
	for _, a := range s.members {
		if !a.removed && a.email == email {
			return a
		}
	}
	return nil
}

// member finds a current member by user id. Callers hold s.mu.
func (s *Server) member(userID string) *account {
	if a := s.accounts[userID]; a != nil && !a.removed {
		return a
	}
	return nil
}

// mustMember is member for test helpers: it panics on a stale User.
func (s *Server) mustMember(u User, helper string) *account {
	a := s.member(u.ID)
	if a == nil {
		panic(fmt.Sprintf("anyscaletest: %s: %s is not a current member", helper, u.Email))
	}
	return a
}

func (a *account) user() User {
	return User{
		ID:         a.userID,
		IdentityID: a.identityID,
		Email:      a.email,
		Name:       a.name,
		Role:       a.role,
		Token:      a.seedToken,
	}
}
