package anyscaletest

import (
	"net/http"
	"strings"
)

func (s *Server) memberRoutes() {
	s.handle("GET "+PathUserInfo+"{$}", s.userInfo)
	s.handle("GET "+PathMembers+"{$}", s.listMembers)
	s.handle("DELETE "+PathMembers+"{identity_id}", s.removeMember)
}

// userInfo is GET /api/v2/userinfo/.
func (s *Server) userInfo(r *http.Request, me *account) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	return ok(userInfo{
		ID:                          me.userID,
		Email:                       me.email,
		Name:                        me.name,
		Username:                    usernameFromEmail(me.email),
		OrganizationPermissionLevel: string(me.role),
		OrganizationIDs:             []string{s.orgID},
		Organizations: []orgInfo{{
			ID:               s.orgID,
			Name:             s.orgName,
			PublicIdentifier: publicIdentifier(s.orgName),
		}},
	})
}

func (a *account) collaborator() collaborator {
	return collaborator{
		ID:               a.identityID,
		UserID:           a.userID,
		Email:            a.email,
		Name:             a.name,
		PermissionLevel:  string(a.role),
		CreatedAt:        formatTime(a.createdAt),
		BaseRole:         baseRole(a.role),
		AdditionalRoles:  []string{},
		IsServiceAccount: a.service,
	}
}

// listMembers is GET /api/v2/organization_collaborators/: any member may
// list; oldest member first; email and name are case-insensitive
// substrings; is_service_account and collaborator_type both filter when
// both are given.
func (s *Server) listMembers(r *http.Request, _ *account) reply {
	q := r.URL.Query()
	if bad := checkQuery(q, "email", "name", "is_service_account", "collaborator_type", "paging_token", "count"); bad != nil {
		return *bad
	}
	wantService, hasService, bad := queryBool(q, "is_service_account")
	if bad != nil {
		return *bad
	}
	kind := q.Get("collaborator_type")
	switch kind {
	case "", "all_accounts", "only_service_accounts", "only_user_accounts":
	default:
		return invalid(queryLoc("collaborator_type"), "type_error.enum",
			"value is not a valid enumeration member; permitted: 'all_accounts', 'only_service_accounts', 'only_user_accounts'")
	}
	p, bad := parsePage(q, "members")
	if bad != nil {
		return *bad
	}
	email, name := strings.ToLower(q.Get("email")), strings.ToLower(q.Get("name"))
	var matched []*account
	for _, a := range s.members {
		switch {
		case a.removed,
			hasService && a.service != wantService,
			kind == "only_service_accounts" && !a.service,
			kind == "only_user_accounts" && a.service,
			email != "" && !strings.Contains(a.email, email),
			name != "" && !strings.Contains(strings.ToLower(a.name), name):
			continue
		}
		matched = append(matched, a)
	}
	page, next := paginate(matched, func(a *account) int64 { return a.seq }, "members", p)
	out := make([]collaborator, 0, len(page))
	for _, a := range page {
		out = append(out, a.collaborator())
	}
	return listReply(out, len(matched), next)
}

// removeMember is DELETE /api/v2/organization_collaborators/{identity_id}:
// it removes a user or deletes a service account, revoking all its keys.
func (s *Server) removeMember(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can remove members and delete service accounts")
	}
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	id := r.PathValue("identity_id")
	if id == me.identityID {
		return fail(http.StatusForbidden, "nobody can remove themselves from the organization: ask another owner")
	}
	var target *account
	for _, a := range s.members {
		if !a.removed && a.identityID == id {
			target = a
		}
	}
	if target == nil {
		return fail(http.StatusNotFound, "no member %s in this organization (pass the collaborator id, ide_..., not the user id)", id)
	}
	target.removed = true
	s.revokeAll(target.userID)
	s.dropLogins(target.userID)
	if statusRemoveMember == http.StatusNoContent {
		return noContent()
	}
	return reply{status: statusRemoveMember, body: resultEnvelope{Result: empty{}}}
}
