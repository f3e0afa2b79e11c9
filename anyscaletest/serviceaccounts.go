package anyscaletest

import (
	"net/http"
	"strings"
)

func (s *Server) serviceAccountRoutes() {
	s.handle("POST "+PathServiceAccounts, s.createServiceAccount)
}

// serviceAccount is a's AnyscaleServiceAccount in the organization orgID.
func (a *account) serviceAccount(orgID string) serviceAccountInfo {
	return serviceAccountInfo{
		UserID:          a.userID,
		Name:            a.name,
		OrganizationID:  orgID,
		Email:           a.email,
		PermissionLevel: string(a.role),
		CreatedAt:       formatTime(a.createdAt),
	}
}

// serviceAccountByName finds a current service account by name,
// case-insensitively. Callers hold s.mu.
func (s *Server) serviceAccountByName(name string) *account {
	for _, a := range s.members {
		if !a.removed && a.service && strings.EqualFold(a.name, name) {
			return a
		}
	}
	return nil
}

// createServiceAccount is POST /api/v2/users/service_accounts?name=<name>.
// The request has no body (one sent is ignored); the account is a
// collaborator and starts with no key: the client creates one with
// create_api_key and user_id.
func (s *Server) createServiceAccount(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can create service accounts")
	}
	q := r.URL.Query()
	if bad := checkQuery(q, "name"); bad != nil {
		return *bad
	}
	name := q.Get("name")
	if !q.Has("name") {
		return invalid(queryLoc("name"), "value_error.missing", "field required")
	}
	if msg := checkServiceAccountName(name); msg != "" {
		return invalid(queryLoc("name"), "value_error", "%s", msg)
	}
	if s.serviceAccountByName(name) != nil {
		return fail(http.StatusConflict, "a service account named %q already exists", name)
	}
	if s.memberByEmail(serviceAccountEmail(name, s.orgID)) != nil {
		return fail(http.StatusConflict, "the email of service account %q is taken", name)
	}
	a := s.addAccount(serviceAccountEmail(name, s.orgID), name, Collaborator, true)
	return ok(a.serviceAccount(s.orgID))
}
