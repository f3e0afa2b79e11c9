package organization

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/internal/paging"
)

const membersPath = "/api/v2/organization_collaborators/"

// Service lists, finds and removes organization members. It is safe for
// concurrent use.
type Service struct {
	c *client.Client
}

// New returns a Service that calls the API through c.
func New(c *client.Client) *Service { return &Service{c: c} }

// ListOptions filters and pages a member list. It marshals to JSON with
// snake_case names.
type ListOptions struct {
	// Email and Name filter as the server matches them (it may match
	// partially; Get matches exactly).
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	// Kind selects users, service accounts or both. Empty sends no filter
	// and takes the server's default; AllAccounts asks for both explicitly.
	Kind Kind `json:"kind,omitempty"`
	// PageSize is 1..50; 0 means 50.
	PageSize int `json:"page_size,omitempty"`
	// PageToken continues a list where an earlier page ended.
	PageToken string `json:"page_token,omitempty"`
}

type listQuery struct {
	Email            string `url:"email,omitempty"`
	Name             string `url:"name,omitempty"`
	IsServiceAccount *bool  `url:"is_service_account,omitempty"`
	CollaboratorType Kind   `url:"collaborator_type,omitempty"`
	client.PageQuery
}

func (o ListOptions) query() (listQuery, error) {
	count, err := paging.Count(o.PageSize)
	if err != nil {
		return listQuery{}, fmt.Errorf("organization: %w", err)
	}
	q := listQuery{Email: o.Email, Name: o.Name, PageQuery: client.PageQuery{PagingToken: o.PageToken, Count: count}}
	switch o.Kind {
	case "":
	case AllAccounts:
		q.CollaboratorType = AllAccounts
	case UserAccounts, ServiceAccounts:
		isSA := o.Kind == ServiceAccounts
		q.IsServiceAccount = &isSA
		q.CollaboratorType = o.Kind
	default:
		return listQuery{}, fmt.Errorf("organization: %w: unknown account kind %q (the kinds are %q, %q and %q)", client.ErrInvalid, o.Kind, AllAccounts, UserAccounts, ServiceAccounts)
	}
	return q, nil
}

// List returns one page of members.
//
// API: GET /api/v2/organization_collaborators/
//
// Any member may list. PageSize above client.MaxPageSize and an unknown
// Kind are errors matching client.ErrInvalid, before any request.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[Member], error) {
	if err := ctxguard.Check(ctx, "organization.Service.List"); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	page, err := client.ListPage[member](ctx, s.c, membersPath, q)
	if err != nil {
		return nil, err
	}
	out := &client.Page[Member]{Items: make([]Member, len(page.Items)), NextPageToken: page.NextPageToken, Total: page.Total}
	for i, m := range page.Items {
		out.Items[i] = m.toMember()
	}
	return out, nil
}

// All iterates over every member that opts selects, page by page, starting
// at opts.PageToken.
//
// API: GET /api/v2/organization_collaborators/
//
// It stops fetching when the loop breaks, and yields an error once, last.
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[Member, error] {
	if err := ctxguard.Check(ctx, "organization.Service.All"); err != nil {
		return ctxguard.Seq[Member](err)
	}
	return client.All(ctx, opts.PageToken, func(ctx context.Context, token string) (*client.Page[Member], error) {
		o := opts
		o.PageToken = token
		return s.List(ctx, o)
	})
}

// Get returns the member ref names.
//
// API: GET /api/v2/organization_collaborators/
//
// Get reads every page of the member list (filtered by the email or name
// ref gives; for an id, every account) and keeps the members ref.Matches:
// exactly one is the answer, none is an error matching client.ErrNotFound,
// several (an email two members have) client.ErrConflict. Any member may
// call it.
func (s *Service) Get(ctx context.Context, ref Ref) (*Member, error) {
	if err := ctxguard.Check(ctx, "organization.Service.Get"); err != nil {
		return nil, err
	}
	if err := ref.Validate(); err != nil {
		return nil, fmt.Errorf("organization: %w", err)
	}
	var matches, near []Member
	for m, err := range s.All(ctx, ref.filter()) {
		if err != nil {
			return nil, err
		}
		switch {
		case ref.Matches(m):
			matches = append(matches, m)
		case ref.near(m):
			near = append(near, m)
		}
	}
	switch len(matches) {
	case 1:
		return &matches[0], nil
	case 0:
		note := email.Hint(ref.Email())
		if len(near) > 0 {
			note = fmt.Sprintf("; names match exactly, and %q differs only in case", near[0].Name)
		}
		err := fmt.Errorf("organization: %w: no member of the organization has the %s%s", client.ErrNotFound, ref, note)
		return nil, advice.Wrap(err, advice.Advice{Action: advice.ListToFind, Subject: ref.subject()},
			"list the members with organization.All to check the "+ref.kindName())
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.IdentityID
	}
	err := fmt.Errorf("organization: %w: %d members have the %s: %s", client.ErrConflict, len(matches), ref, strings.Join(ids, ", "))
	return nil, advice.Wrap(err, advice.Advice{Action: advice.Refine, Subject: ref.subject()}, "name one of them with ByIdentityID")
}

// FindByEmail returns the member whose email is address, as Get(ctx,
// ByEmail(address)) does.
//
// API: GET /api/v2/organization_collaborators/
//
// Deprecated: use Get with ByEmail.
func (s *Service) FindByEmail(ctx context.Context, address string) (*Member, error) {
	if err := ctxguard.Check(ctx, "organization.Service.FindByEmail"); err != nil {
		return nil, err
	}
	return s.Get(ctx, ByEmail(address))
}

// RemoveMember removes the member ref names from the organization, which
// revokes all of that member's API keys.
//
// API: GET /api/v2/userinfo/
//
// API: GET /api/v2/organization_collaborators/
//
// API: DELETE /api/v2/organization_collaborators/{identity_id}
//
// Only organization owners may remove members, and nobody may remove
// themselves. Before sending the removal RemoveMember refuses, with an
// error matching client.ErrForbidden, the caller's own account and a
// caller that is not an owner, and finds the member as Get does: none is
// client.ErrNotFound, and a reference several members match (an email two
// members have) is client.ErrConflict. A removal is never sent on a
// look-alike email.
func (s *Service) RemoveMember(ctx context.Context, ref Ref) error {
	if err := ctxguard.Check(ctx, "organization.Service.RemoveMember"); err != nil {
		return err
	}
	if err := ref.Validate(); err != nil {
		return fmt.Errorf("organization: %w", err)
	}
	me, err := s.c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	// The caller's own account is refused before anything else, on what
	// the reference says alone, and again once the member is found.
	if (ref.Email() != "" && email.Equal(ref.Email(), me.Email)) || (ref.UserID() != "" && ref.UserID() == me.ID) {
		return errSelf(me.Email)
	}
	if !me.IsOwner() {
		err := fmt.Errorf("organization: %w: only an organization owner can remove members, and %s is a %s", client.ErrForbidden, me.Email, me.OrganizationPermissionLevel)
		return advice.Wrap(err, advice.Advice{Action: advice.NeedOwner}, "ask an owner, or use an owner's token")
	}
	m, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if (m.UserID != "" && m.UserID == me.ID) || (m.Email != "" && email.Equal(m.Email, me.Email)) {
		return errSelf(m.Email)
	}
	return s.removeByID(ctx, m.IdentityID, m.Email)
}

// errSelf refuses to remove the caller's own account.
func errSelf(address string) error {
	return fmt.Errorf("organization: %w: %s is your own account, and nobody can remove themselves; ask another organization owner to do it", client.ErrForbidden, address)
}

// Remove removes the member whose email is address, as RemoveMember(ctx,
// ByEmail(address)) does.
//
// API: GET /api/v2/userinfo/
//
// API: GET /api/v2/organization_collaborators/
//
// API: DELETE /api/v2/organization_collaborators/{identity_id}
func (s *Service) Remove(ctx context.Context, address string) error {
	if err := ctxguard.Check(ctx, "organization.Service.Remove"); err != nil {
		return err
	}
	return s.RemoveMember(ctx, ByEmail(address))
}

// RemoveByID removes the member with the identity id (Member.IdentityID,
// not its UserID), without checking who calls: the server still refuses
// self-removal.
//
// API: DELETE /api/v2/organization_collaborators/{identity_id}
//
// Deprecated: use RemoveMember with ByIdentityID, which refuses the
// caller's own account and a non-owner before sending anything.
func (s *Service) RemoveByID(ctx context.Context, identityID string) error {
	if err := ctxguard.Check(ctx, "organization.Service.RemoveByID"); err != nil {
		return err
	}
	return s.removeByID(ctx, identityID, identityID)
}

func (s *Service) removeByID(ctx context.Context, identityID, who string) error {
	if identityID == "" {
		return fmt.Errorf("organization: %w: the member's identity id is empty", client.ErrInvalid)
	}
	_, err := s.c.Do(ctx, http.MethodDelete, membersPath+url.PathEscape(identityID), nil, nil, nil)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("organization: removing %s: %w", who, err)
	if client.MayHaveActed(err) {
		// The answer was lost or cut after the server may have acted:
		// nothing says whether the member is gone.
		return advice.Wrap(err, advice.Advice{Action: advice.GetFirst, Subject: who},
			"check with Get whether it is still a member before removing it again")
	}
	return err
}
