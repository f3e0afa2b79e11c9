package keys

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/paging"
	"github.com/anyscale-go/anyscale/organization"
)

// The key endpoints; the org scope uses the admin ones.
const (
	createPath        = "/api/v2/users/create_api_key"
	rotatePath        = "/api/v2/users/rotate_api_key"
	ownKeysPath       = "/api/v2/users/api_keys"
	adminKeysPath     = "/api/v2/users/admin/api_keys"
	revokeAllUserPath = "/api/v2/organization_collaborators/rotate_api_key_for_user/"
)

// Service manages the caller's own API keys. Org returns the organization
// scope. A Service is safe for concurrent use.
type Service struct {
	scope
}

// OrgService manages every user's and service account's keys in the
// organization, through the admin endpoints that only organization owners
// may call: a collaborator gets client.ErrForbidden. It has only the
// operations that exist for an owner over the organization. An OrgService
// is safe for concurrent use.
type OrgService struct {
	scope
}

// scope is what both services share: the client, and which endpoints.
type scope struct {
	c   *client.Client
	org bool
	// bulk is what RevokeMany learned of the server's bulk answers; the
	// two scopes of one New share it.
	bulk *bulkAnswers
}

// New returns a Service over the caller's own keys.
func New(c *client.Client) *Service { return &Service{scope{c: c, bulk: &bulkAnswers{}}} }

// Org returns the organization scope: every key of every user and service
// account, for organization owners.
func (s *Service) Org() *OrgService { return &OrgService{scope{c: s.c, org: true, bulk: s.bulk}} }

func (s scope) keysPath() string {
	if s.org {
		return adminKeysPath
	}
	return ownKeysPath
}

// ListOptions filters and pages a key list.
type ListOptions struct {
	// Name searches key names (the server matches partially).
	Name string
	// OwnerEmail, OwnerID and CreatedBy filter the org scope by the key's
	// user or service account; the email is resolved to a user id through
	// the member list. Give at most one of OwnerEmail and OwnerID. The own
	// scope refuses them with client.ErrInvalid.
	OwnerEmail, OwnerID, CreatedBy string
	// PageSize is 1..50; 0 means 50.
	PageSize int
	// PageToken continues a list where an earlier page ended.
	PageToken string
}

type listQuery struct {
	Name      string `url:"name,omitempty"`
	UserID    string `url:"user_id,omitempty"`
	CreatedBy string `url:"created_by,omitempty"`
	client.PageQuery
}

// query validates opts and resolves OwnerEmail; it sends a request only
// for the email.
func (s scope) query(ctx context.Context, opts ListOptions) (listQuery, error) {
	count, err := paging.Count(opts.PageSize)
	if err != nil {
		return listQuery{}, fmt.Errorf("keys: %w", err)
	}
	if !s.org && (opts.OwnerEmail != "" || opts.OwnerID != "" || opts.CreatedBy != "") {
		return listQuery{}, fmt.Errorf("keys: %w: OwnerEmail, OwnerID and CreatedBy filter the organization's keys; use keys.New(c).Org() (organization owners only)", client.ErrInvalid)
	}
	if err := checkOwnerFilter(opts); err != nil {
		return listQuery{}, fmt.Errorf("keys: %w", err)
	}
	q := listQuery{Name: opts.Name, UserID: opts.OwnerID, CreatedBy: opts.CreatedBy,
		PageQuery: client.PageQuery{PagingToken: opts.PageToken, Count: count}}
	if opts.OwnerEmail != "" {
		m, err := s.ownerByEmail(ctx, opts.OwnerEmail)
		if err != nil {
			return listQuery{}, fmt.Errorf("keys: %w", err)
		}
		q.UserID = m.UserID
	}
	return q, nil
}

// checkOwnerFilter refuses a list filtered by both OwnerEmail and OwnerID.
func checkOwnerFilter(opts ListOptions) error {
	if opts.OwnerEmail != "" && opts.OwnerID != "" {
		return fmt.Errorf("%w: give OwnerEmail or OwnerID, not both", client.ErrInvalid)
	}
	return nil
}

// ownerByEmail resolves an OwnerEmail filter to the member, who must have
// a user id for the keys' filter.
func (s scope) ownerByEmail(ctx context.Context, address string) (*organization.Member, error) {
	m, err := organization.New(s.c).FindByEmail(ctx, address)
	if err != nil {
		return nil, fmt.Errorf("resolving OwnerEmail: %w", err)
	}
	if m.UserID == "" {
		return nil, fmt.Errorf("%w: the server did not return a user id for %s; filter by OwnerID instead", client.ErrNotFound, address)
	}
	return m, nil
}

// listPage fetches one page; a list filtered by owner names the owner on
// every key.
func (s scope) listPage(ctx context.Context, q listQuery) (*client.Page[Key], error) {
	page, err := client.ListPage[apiKeyInfo](ctx, s.c, s.keysPath(), q)
	if err != nil {
		return nil, err
	}
	return &client.Page[Key]{Items: keysOf(page.Items, q.UserID), NextPageToken: page.NextPageToken, Total: page.Total}, nil
}

func (s scope) list(ctx context.Context, opts ListOptions) (*client.Page[Key], error) {
	q, err := s.query(ctx, opts)
	if err != nil {
		return nil, err
	}
	return s.listPage(ctx, q)
}

func (s scope) all(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	return func(yield func(Key, error) bool) {
		q, err := s.query(ctx, opts)
		if err != nil {
			yield(Key{}, err)
			return
		}
		for k, err := range client.All(ctx, opts.PageToken, func(ctx context.Context, token string) (*client.Page[Key], error) {
			page := q
			page.PagingToken = token
			return s.listPage(ctx, page)
		}) {
			if !yield(k, err) {
				return
			}
		}
	}
}

func (s scope) revoke(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	_, err := s.c.Do(ctx, http.MethodDelete, s.keysPath()+"/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// List returns one page of the caller's keys.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[Key], error) {
	return s.list(ctx, opts)
}

// All iterates over every key of the caller's that opts selects, starting
// at opts.PageToken.
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	return s.all(ctx, opts)
}

// Revoke revokes the caller's key with id. A key that is unknown, another
// user's or already revoked is an error matching client.ErrNotFound:
// either way it is not an active key of the caller's. When the request had
// to be retried, the error says that an earlier attempt whose answer was
// lost may have revoked it.
func (s *Service) Revoke(ctx context.Context, id string) error { return s.revoke(ctx, id) }

// List returns one page of the organization's keys. With OwnerEmail or
// OwnerID every key carries its OwnerID.
func (s *OrgService) List(ctx context.Context, opts ListOptions) (*client.Page[Key], error) {
	return s.list(ctx, opts)
}

// All iterates over every key in the organization that opts selects,
// starting at opts.PageToken. OwnerEmail is resolved once, before the
// first page; with an owner filter every key carries its OwnerID.
func (s *OrgService) All(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	return s.all(ctx, opts)
}

// Revoke revokes any key of the organization by id. A key that is unknown
// or already revoked is an error matching client.ErrNotFound.
func (s *OrgService) Revoke(ctx context.Context, id string) error { return s.revoke(ctx, id) }

// RevokeAllForUser revokes every key of the user or service account with
// userID (a usr_ id), and issues no new key.
func (s *OrgService) RevokeAllForUser(ctx context.Context, userID string) error {
	if userID == "" {
		return fmt.Errorf("keys: %w: the user id is empty", client.ErrInvalid)
	}
	// Revoking all keys twice revokes nothing more: safe to retry.
	ctx = client.WithIdempotency(ctx, true)
	_, err := s.c.Do(ctx, http.MethodPost, revokeAllUserPath+url.PathEscape(userID), nil, nil, nil)
	return err
}
