package organization

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/internal/paging"
)

const membersPath = "/api/v2/organization_collaborators/"

// Service lists and removes organization members. It is safe for
// concurrent use.
type Service struct {
	c *client.Client
}

// New returns a Service that calls the API through c.
func New(c *client.Client) *Service { return &Service{c: c} }

// ListOptions filters and pages a member list.
type ListOptions struct {
	// Email and Name filter as the server matches them (it may match
	// partially; FindByEmail matches exactly).
	Email, Name string
	// Kind selects users, service accounts or both. Empty sends no filter
	// and takes the server's default; AllAccounts asks for both explicitly.
	Kind Kind
	// PageSize is 1..50; 0 means 50.
	PageSize int
	// PageToken continues a list where an earlier page ended.
	PageToken string
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
		return listQuery{}, fmt.Errorf("organization: %w: unknown Kind %q; use AllAccounts, UserAccounts or ServiceAccounts", client.ErrInvalid, o.Kind)
	}
	return q, nil
}

// List returns one page of members.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[Member], error) {
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
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[Member, error] {
	return client.All(ctx, opts.PageToken, func(ctx context.Context, token string) (*client.Page[Member], error) {
		o := opts
		o.PageToken = token
		return s.List(ctx, o)
	})
}

// FindByEmail returns the member whose email is address, compared the way
// the server stores emails: surrounding white space is trimmed and only
// the ASCII letters A-Z match without regard to case; every other
// character must match exactly, so a look-alike address (a KELVIN SIGN
// for K) is not the member. None is an error matching client.ErrNotFound.
func (s *Service) FindByEmail(ctx context.Context, address string) (*Member, error) {
	address = email.Normalize(address)
	if address == "" {
		return nil, fmt.Errorf("organization: %w: the email is empty", client.ErrInvalid)
	}
	for m, err := range s.All(ctx, ListOptions{Email: address}) {
		if err != nil {
			return nil, err
		}
		if email.Equal(m.Email, address) {
			return &m, nil
		}
	}
	return nil, fmt.Errorf("organization: %w: no member of the organization has the email %q%s; list members with organization.All to check the address",
		client.ErrNotFound, address, email.Hint(address))
}

// Remove removes the member whose email is address from the organization,
// which revokes all of that member's API keys. Only organization owners
// may remove members, and nobody may remove themselves: Remove checks the
// caller's own account with WhoAmI and refuses it before sending the
// removal. The address is matched as FindByEmail matches it, never on a
// look-alike.
func (s *Service) Remove(ctx context.Context, address string) error {
	address = email.Normalize(address)
	if address == "" {
		return fmt.Errorf("organization: %w: the email is empty", client.ErrInvalid)
	}
	me, err := s.c.WhoAmI(ctx)
	if err != nil {
		return err
	}
	if email.Equal(address, me.Email) {
		return fmt.Errorf("organization: %w: %s is your own account, and nobody can remove themselves; ask another organization owner to do it", client.ErrForbidden, me.Email)
	}
	if !me.IsOwner() {
		return fmt.Errorf("organization: %w: only an organization owner can remove members, and %s is a %s; ask an owner", client.ErrForbidden, me.Email, me.OrganizationPermissionLevel)
	}
	m, err := s.FindByEmail(ctx, address)
	if err != nil {
		return err
	}
	if m.UserID != "" && m.UserID == me.ID {
		return fmt.Errorf("organization: %w: %s is your own account, and nobody can remove themselves; ask another organization owner to do it", client.ErrForbidden, m.Email)
	}
	return s.RemoveByID(ctx, m.ID)
}

// RemoveByID removes the member with identity id (Member.ID, not its
// UserID). Unlike Remove it does not check who is calling; the server still
// refuses self-removal.
func (s *Service) RemoveByID(ctx context.Context, identityID string) error {
	if identityID == "" {
		return fmt.Errorf("organization: %w: the member id is empty", client.ErrInvalid)
	}
	_, err := s.c.Do(ctx, http.MethodDelete, membersPath+url.PathEscape(identityID), nil, nil, nil)
	return err
}
