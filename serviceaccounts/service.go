package serviceaccounts

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

const createPath = "/api/v2/users/service_accounts"

// Service manages service accounts. It is safe for concurrent use.
type Service struct {
	c    *client.Client
	org  *organization.Service
	keys *keys.OrgService
}

// New returns a Service that calls the API through c.
func New(c *client.Client) *Service {
	return &Service{c: c, org: organization.New(c), keys: keys.New(c).Org()}
}

// Created is a new service account and its first key, whose secret is
// shown only here.
type Created struct {
	Account ServiceAccount
	Secret  credentials.Secret
}

// Create makes a service account named name, then its first key, and
// reads the account's identity id (ServiceAccount.ID) from the member list.
// Everything is validated before the first request. If the account is made
// but its key is not, the error says so and what to run next (Create again
// would conflict with the existing name). If only the identity id cannot
// be read, the account and the secret are still returned, with an empty
// ID: Get finds it.
func (s *Service) Create(ctx context.Context, name string, opts ...KeyOption) (*Created, error) {
	if err := validateName(name); err != nil {
		return nil, err
	}
	cfg, err := keyOptions(opts)
	if err != nil {
		return nil, err
	}
	var w serviceAccount
	q := url.Values{"name": {name}}
	if _, err := s.c.Do(ctx, http.MethodPost, createPath, q, nil, &w); err != nil {
		if client.MayHaveActed(err) {
			return nil, fmt.Errorf("serviceaccounts: creating %q: %w; the service account may have been created: check with Get(ctx, ByName(%q)) and make its key with CreateAPIKey rather than calling Create again", name, err, name)
		}
		return nil, fmt.Errorf("serviceaccounts: creating %q: %w", name, ownerOnly(err))
	}
	account := w.toAccount()
	if account.UserID == "" {
		return nil, fmt.Errorf("serviceaccounts: service account %q was created, but the server returned no user id for its key; make one with CreateAPIKey(ctx, ByName(%q))", name, name)
	}
	secret, err := s.keys.CreateForUser(ctx, account.UserID, cfg.expiresIn)
	if err != nil {
		if client.MayHaveActed(err) {
			return nil, fmt.Errorf("serviceaccounts: service account %q was created, but the answer to its first key was lost: %w; a key may exist that nobody holds, so replace it with RotateAPIKeys(ctx, ByName(%q))", name, err, name)
		}
		return nil, fmt.Errorf("serviceaccounts: service account %q was created, but its first key was not: %w; make one with CreateAPIKey(ctx, ByName(%q))", name, ownerOnly(err), name)
	}
	// The secret is in hand: the look-up must not hold it back long.
	lookCtx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	if m, err := s.Get(lookCtx, ByEmail(account.Email)); err == nil && m.UserID == account.UserID {
		account.ID = m.ID
	}
	return &Created{Account: account, Secret: secret}, nil
}

// lookupTimeout bounds Create's look-up of the identity id, made once the
// key exists.
const lookupTimeout = 10 * time.Second

// ListOptions filters and pages a service account list.
type ListOptions struct {
	// Name and Email filter as the server matches them (it may match
	// partially; Get matches exactly).
	Name, Email string
	// PageSize is 1..50; 0 means 50.
	PageSize int
	// PageToken continues a list where an earlier page ended.
	PageToken string
}

func (o ListOptions) members() organization.ListOptions {
	return organization.ListOptions{Name: o.Name, Email: o.Email, Kind: organization.ServiceAccounts, PageSize: o.PageSize, PageToken: o.PageToken}
}

// List returns one page of service accounts.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[ServiceAccount], error) {
	page, err := s.org.List(ctx, opts.members())
	if err != nil {
		return nil, fmt.Errorf("serviceaccounts: %w", err)
	}
	out := &client.Page[ServiceAccount]{Items: make([]ServiceAccount, 0, len(page.Items)), NextPageToken: page.NextPageToken, Total: page.Total}
	for _, m := range page.Items {
		out.Items = append(out.Items, fromMember(m))
	}
	return out, nil
}

// All iterates over every service account that opts selects, on every
// page.
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[ServiceAccount, error] {
	return client.All(ctx, opts.PageToken, func(ctx context.Context, token string) (*client.Page[ServiceAccount], error) {
		o := opts
		o.PageToken = token
		return s.List(ctx, o)
	})
}

// Get returns the service account ref names, across every page: an exact
// match of its name, or of its email as the server stores emails (only
// the ASCII letters A-Z match without regard to case; a look-alike address
// is no match). None is client.ErrNotFound; several are
// client.ErrConflict.
func (s *Service) Get(ctx context.Context, ref Ref) (*ServiceAccount, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	var matches, near []ServiceAccount
	for sa, err := range s.All(ctx, ListOptions{Name: ref.name, Email: ref.email}) {
		if err != nil {
			return nil, err
		}
		switch {
		case ref.email != "" && email.Equal(sa.Email, ref.email), ref.name != "" && sa.Name == ref.name:
			matches = append(matches, sa)
		case ref.name != "" && strings.EqualFold(sa.Name, ref.name):
			near = append(near, sa)
		}
	}
	switch len(matches) {
	case 0:
		if len(near) > 0 {
			return nil, fmt.Errorf("serviceaccounts: %w: no service account with %s; names match exactly, and %q differs only in case", client.ErrNotFound, ref, near[0].Name)
		}
		return nil, fmt.Errorf("serviceaccounts: %w: no service account with %s%s; list them with All, or create it with Create", client.ErrNotFound, ref, email.Hint(ref.email))
	case 1:
		return &matches[0], nil
	}
	return nil, fmt.Errorf("serviceaccounts: %w: %d service accounts match %s; refer to one by email", client.ErrConflict, len(matches), ref)
}

// CreateAPIKey makes a new key for the service account and returns its
// secret, shown only here. Its other keys stay valid.
func (s *Service) CreateAPIKey(ctx context.Context, ref Ref, opts ...KeyOption) (credentials.Secret, error) {
	cfg, err := keyOptions(opts)
	if err != nil {
		return "", err
	}
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return "", err
	}
	secret, err := s.keys.CreateForUser(ctx, sa.UserID, cfg.expiresIn)
	if err != nil {
		if client.MayHaveActed(err) {
			return "", fmt.Errorf("serviceaccounts: creating a key for %s: %w; the answer was lost and a key may exist that nobody holds: replace all its keys with RotateAPIKeys rather than calling CreateAPIKey again", sa.Email, err)
		}
		return "", fmt.Errorf("serviceaccounts: creating a key for %s: %w", sa.Email, ownerOnly(err))
	}
	return secret, nil
}

// RotateAPIKeys revokes every key of the service account, then makes a
// new one and returns its secret. If the new key cannot be made, the error
// says that the old keys are already revoked: run CreateAPIKey.
//
// It needs an organization owner's token. A job that runs on the service
// account's own token, as CI jobs do, rotates that token with
// keys.New(c).Rotate instead; the 403 a non-owner gets says so.
func (s *Service) RotateAPIKeys(ctx context.Context, ref Ref, opts ...KeyOption) (credentials.Secret, error) {
	cfg, err := keyOptions(opts)
	if err != nil {
		return "", err
	}
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return "", err
	}
	if err := s.keys.RevokeAllForUser(ctx, sa.UserID); err != nil {
		if client.MayHaveActed(err) {
			return "", fmt.Errorf("serviceaccounts: revoking the keys of %s: %w; the answer was lost, and the old keys may already be revoked with no new one made: run RotateAPIKeys again", sa.Email, err)
		}
		return "", fmt.Errorf("serviceaccounts: revoking the keys of %s (nothing was rotated): %w", sa.Email, withOwnerHint(err, ownerHint+selfRotateHint))
	}
	secret, err := s.keys.CreateForUser(ctx, sa.UserID, cfg.expiresIn)
	if err != nil {
		if client.MayHaveActed(err) {
			return "", fmt.Errorf("serviceaccounts: the old keys of %s are already revoked, and the answer to the new key was lost: %w; a key may exist that nobody holds, so run RotateAPIKeys again", sa.Email, err)
		}
		return "", fmt.Errorf("serviceaccounts: the old keys of %s are already revoked, but a new key could not be made: %w; make one now with CreateAPIKey", sa.Email, ownerOnly(err))
	}
	return secret, nil
}

// RevokeAllAPIKeys revokes every key of the service account and makes no
// new one.
func (s *Service) RevokeAllAPIKeys(ctx context.Context, ref Ref) error {
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.keys.RevokeAllForUser(ctx, sa.UserID); err != nil {
		return fmt.Errorf("serviceaccounts: revoking the keys of %s: %w", sa.Email, ownerOnly(err))
	}
	return nil
}

// Keys iterates over the service account's keys, through the
// organization scope of package keys (owners only).
func (s *Service) Keys(ctx context.Context, ref Ref) iter.Seq2[keys.Key, error] {
	return func(yield func(keys.Key, error) bool) {
		sa, err := s.Get(ctx, ref)
		if err != nil {
			yield(keys.Key{}, err)
			return
		}
		for k, err := range s.keys.All(ctx, keys.ListOptions{OwnerID: sa.UserID}) {
			if !yield(k, ownerOnly(err)) {
				return
			}
		}
	}
}

// Delete deletes the service account; its keys stop working.
func (s *Service) Delete(ctx context.Context, ref Ref) error {
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.org.RemoveByID(ctx, sa.ID); err != nil {
		return fmt.Errorf("serviceaccounts: deleting %s: %w", sa.Email, ownerOnly(err))
	}
	return nil
}
