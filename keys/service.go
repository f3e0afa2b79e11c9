package keys

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
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

// ListOptions filters and pages a key list. It marshals to JSON with
// snake_case names ("owner" as organization.Ref's text); the deprecated
// OwnerEmail and OwnerID are left out (Owner says the same).
type ListOptions struct {
	// Name searches key names (the server matches partially).
	Name string `json:"name,omitempty"`
	// Owner filters the organization scope by the user or service account
	// the keys belong to: by email, name or identity id (found in the
	// member list, as organization's Get finds it), or by user id (sent as
	// it is). Every key of a list filtered by owner carries its OwnerID.
	// The zero Ref sets no filter.
	Owner organization.Ref `json:"owner"`
	// CreatedBy filters the organization scope by the user id of whoever
	// created the key.
	CreatedBy string `json:"created_by,omitempty"`
	// OwnerEmail filters as Owner does with organization.ByEmail. It is
	// not marshaled.
	//
	// Deprecated: use Owner with organization.ByEmail.
	OwnerEmail string `json:"-"`
	// OwnerID filters as Owner does with organization.ByUserID. It is not
	// marshaled.
	//
	// Deprecated: use Owner with organization.ByUserID.
	OwnerID string `json:"-"`
	// PageSize is 1..50; 0 means 50.
	PageSize int `json:"page_size,omitempty"`
	// PageToken continues a list where an earlier page ended.
	PageToken string `json:"page_token,omitempty"`
}

// owner returns the one owner filter opts sets (Owner, or a deprecated
// field), or the zero Ref for none. Two are refused.
func (o ListOptions) owner() (organization.Ref, error) {
	var refs []organization.Ref
	if o.Owner != (organization.Ref{}) {
		refs = append(refs, o.Owner)
	}
	if o.OwnerEmail != "" {
		refs = append(refs, organization.ByEmail(o.OwnerEmail))
	}
	if o.OwnerID != "" {
		refs = append(refs, organization.ByUserID(o.OwnerID))
	}
	switch len(refs) {
	case 0:
		return organization.Ref{}, nil
	case 1:
		return refs[0], refs[0].Validate()
	}
	return organization.Ref{}, fmt.Errorf("%w: %d owner filters are set; give only one", client.ErrInvalid, len(refs))
}

type listQuery struct {
	Name      string `url:"name,omitempty"`
	UserID    string `url:"user_id,omitempty"`
	CreatedBy string `url:"created_by,omitempty"`
	client.PageQuery
}

// check validates opts for the scope, sending nothing: it returns the
// page size to ask for and the owner filter (the zero Ref for none).
func (s scope) check(opts ListOptions) (int, organization.Ref, error) {
	count, err := paging.Count(opts.PageSize)
	if err != nil {
		return 0, organization.Ref{}, fmt.Errorf("keys: %w", err)
	}
	ref, err := opts.owner()
	if err != nil {
		return 0, organization.Ref{}, fmt.Errorf("keys: %w", err)
	}
	if !s.org && (ref != (organization.Ref{}) || opts.CreatedBy != "") {
		return 0, organization.Ref{}, fmt.Errorf("keys: %w: owner and creator filters apply to the organization's keys: the organization scope, which only owners may use", client.ErrInvalid)
	}
	return count, ref, nil
}

// query validates opts and resolves an owner filter to its user id; it
// sends a request only to find an owner that is not named by user id.
func (s scope) query(ctx context.Context, opts ListOptions) (listQuery, error) {
	count, ref, err := s.check(opts)
	if err != nil {
		return listQuery{}, err
	}
	q := listQuery{Name: opts.Name, CreatedBy: opts.CreatedBy,
		PageQuery: client.PageQuery{PagingToken: opts.PageToken, Count: count}}
	if ref != (organization.Ref{}) {
		o, err := s.findOwner(ctx, ref)
		if err != nil {
			return listQuery{}, err
		}
		q.UserID = o.userID
	}
	return q, nil
}

// findOwner resolves a valid owner reference to the user id keys are
// filtered by: a user id as it is, with no request; anything else through
// the member list, whose errors (not found, several) say what they are.
func (s scope) findOwner(ctx context.Context, ref organization.Ref) (owner, error) {
	if id := ref.UserID(); id != "" {
		return owner{userID: id}, nil
	}
	m, err := organization.New(s.c).Get(ctx, ref)
	if err != nil {
		return owner{}, err
	}
	if m.UserID == "" {
		return owner{}, fmt.Errorf("keys: %w: the member list gives no user id for %s, and keys are found by their owner's user id", client.ErrNotFound, m.Email)
	}
	return owner{userID: m.UserID, email: m.Email, serviceAccount: m.ServiceAccount}, nil
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

// revoke revokes one key; a bad id is an error that names no package,
// for the caller to place.
func (s scope) revoke(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	_, err := s.c.Do(ctx, http.MethodDelete, s.keysPath()+"/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// List returns one page of the caller's keys.
//
// API: GET /api/v2/users/api_keys
//
// Owner and CreatedBy filter the organization scope only: here they are
// errors matching client.ErrInvalid, as is a PageSize above
// client.MaxPageSize, before any request.//
// Which keys a list holds: the active ones and, as far as is known, the
// expired ones (Key.Status tells them apart). Revoked keys are left out:
// that is the fake's (anyscaletest's) choice, and what the SDK expects;
// whether the API lists revoked keys is not published. A key a list
// returns with RevokedAt set is shown as the server gave it.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[Key], error) {
	if err := ctxguard.Check(ctx, "keys.Service.List"); err != nil {
		return nil, err
	}
	return s.list(ctx, opts)
}

// All iterates over every key of the caller's that opts selects, starting
// at opts.PageToken.
//
// API: GET /api/v2/users/api_keys
//
// It stops fetching when the loop breaks, and yields an error once, last.//
// Which keys a list holds: the active ones and, as far as is known, the
// expired ones (Key.Status tells them apart). Revoked keys are left out:
// that is the fake's (anyscaletest's) choice, and what the SDK expects;
// whether the API lists revoked keys is not published. A key a list
// returns with RevokedAt set is shown as the server gave it.
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	if err := ctxguard.Check(ctx, "keys.Service.All"); err != nil {
		return ctxguard.Seq[Key](err)
	}
	return s.all(ctx, opts)
}

// Revoke revokes the caller's key with id.
//
// API: DELETE /api/v2/users/api_keys/{api_key_id}
//
// API: GET /api/v2/users/api_keys (only when the id came back not found)
//
// A key that is unknown, another user's or already revoked is an error
// matching client.ErrNotFound: either way it is not an active key of the
// caller's. But a live key is never called "not found": an id that is the
// display id or name of an active key of the caller's is an error matching
// client.ErrInvalid naming the key's id (advice client.ActionUseID, its
// Subject that id), found with one list. Revoking is safe to repeat, so a
// failed attempt is retried; when an earlier attempt's answer was lost,
// the error says it may have revoked the key.
func (s *Service) Revoke(ctx context.Context, id string) error {
	if err := ctxguard.Check(ctx, "keys.Service.Revoke"); err != nil {
		return err
	}
	return s.revokeOne(ctx, id)
}

// revokeOne is Revoke of either scope. An id the server does not know
// is checked against the keys' display ids and names (one list): a live
// key is never called "not found".
func (s scope) revokeOne(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	err := s.revoke(ctx, id)
	if !errors.Is(err, client.ErrNotFound) {
		return err
	}
	byLabel, lerr := s.liveLabels(ctx)
	switch {
	case lerr != nil:
		// Nothing is concluded: the 404 stays text, and the error is the
		// failed check's, which does not match client.ErrNotFound.
		return fmt.Errorf("keys: revoking %s: the server has no active key with this id (%s), but whether it is the display id or name of an active key could not be checked: %w",
			id, client.Facts(err), lerr)
	case len(byLabel[id]) > 0:
		return fmt.Errorf("keys: %w", labelError(id, byLabel[id]))
	}
	return err
}

// List returns one page of the organization's keys.
//
// API: GET /api/v2/organization_collaborators/ (an Owner not named by user id)
//
// API: GET /api/v2/users/admin/api_keys
//
// With an owner filter every key carries its OwnerID. An owner the member
// list does not have is an error matching client.ErrNotFound, one that
// several members match client.ErrConflict.//
// Which keys a list holds: the active ones and, as far as is known, the
// expired ones (Key.Status tells them apart). Revoked keys are left out:
// that is the fake's (anyscaletest's) choice, and what the SDK expects;
// whether the API lists revoked keys is not published. A key a list
// returns with RevokedAt set is shown as the server gave it.
func (s *OrgService) List(ctx context.Context, opts ListOptions) (*client.Page[Key], error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.List"); err != nil {
		return nil, err
	}
	return s.list(ctx, opts)
}

// All iterates over every key in the organization that opts selects,
// starting at opts.PageToken.
//
// API: GET /api/v2/organization_collaborators/ (an Owner not named by user id)
//
// API: GET /api/v2/users/admin/api_keys
//
// The owner filter is resolved once, before the first page; with it every
// key carries its OwnerID. It stops fetching when the loop breaks, and
// yields an error once, last.//
// Which keys a list holds: the active ones and, as far as is known, the
// expired ones (Key.Status tells them apart). Revoked keys are left out:
// that is the fake's (anyscaletest's) choice, and what the SDK expects;
// whether the API lists revoked keys is not published. A key a list
// returns with RevokedAt set is shown as the server gave it.
func (s *OrgService) All(ctx context.Context, opts ListOptions) iter.Seq2[Key, error] {
	if err := ctxguard.Check(ctx, "keys.OrgService.All"); err != nil {
		return ctxguard.Seq[Key](err)
	}
	return s.all(ctx, opts)
}

// Revoke revokes any key of the organization by id.
//
// API: DELETE /api/v2/users/admin/api_keys/{api_key_id}
//
// API: GET /api/v2/users/admin/api_keys (only when the id came back not found)
//
// A key that is unknown or already revoked is an error matching
// client.ErrNotFound; an id that is the display id or name of an active
// key is an error matching client.ErrInvalid naming the key's id, as
// Service.Revoke says. Revoking is safe to repeat, so a failed attempt is
// retried.
func (s *OrgService) Revoke(ctx context.Context, id string) error {
	if err := ctxguard.Check(ctx, "keys.OrgService.Revoke"); err != nil {
		return err
	}
	return s.revokeOne(ctx, id)
}

// RevokeAll revokes every key of the user or service account owner names,
// and issues no new key.
//
// API: GET /api/v2/organization_collaborators/ (an owner not named by user id)
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// The owner is found as ListOptions.Owner is. Revoking all keys twice
// revokes nothing more, so a failed attempt is retried.
func (s *OrgService) RevokeAll(ctx context.Context, owner organization.Ref) error {
	if err := ctxguard.Check(ctx, "keys.OrgService.RevokeAll"); err != nil {
		return err
	}
	if err := owner.Validate(); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	o, err := s.findOwner(ctx, owner)
	if err != nil {
		return err
	}
	// Revoking all keys twice revokes nothing more: safe to retry.
	ctx = client.WithIdempotency(ctx, true)
	_, err = s.c.Do(ctx, http.MethodPost, revokeAllUserPath+url.PathEscape(o.userID), nil, nil, nil)
	return err
}

// RevokeAllForUser revokes every key of the user or service account with
// userID (a usr_ id), as RevokeAll with organization.ByUserID does.
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// Deprecated: use RevokeAll with organization.ByUserID.
func (s *OrgService) RevokeAllForUser(ctx context.Context, userID string) error {
	if err := ctxguard.Check(ctx, "keys.OrgService.RevokeAllForUser"); err != nil {
		return err
	}
	return s.RevokeAll(ctx, organization.ByUserID(userID))
}
