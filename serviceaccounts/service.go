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
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/email"
	"github.com/anyscale-go/anyscale/internal/paging"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

// The service account endpoints of their own; the member list and the
// keys are reached through packages organization and keys.
const (
	createPath  = "/api/v2/users/service_accounts"
	membersPath = "/api/v2/organization_collaborators/"
)

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

// Create makes a service account named name and its first key.
//
// API: POST /api/v2/users/service_accounts?name={name}
//
// API: POST /api/v2/users/create_api_key
//
// API: GET /api/v2/organization_collaborators/
//
// The name and opts (several merge, a later non-zero field
// winning) are validated before the first request. Neither request is
// sent twice. If the account is made but its key is not, the error says
// so, and advises making one (client.ActionCreateKey) or, when a key may
// exist that nobody holds, replacing its keys (client.ActionRotateKeys):
// Create again would conflict with the existing name. Last, Create reads
// the account's identity id from the member list; if only that fails, the
// account and the secret are still returned, with an empty IdentityID:
// Get finds it.
func (s *Service) Create(ctx context.Context, name string, opts ...KeyOptions) (*Created, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.Create"); err != nil {
		return nil, err
	}
	if err := validateName(name); err != nil {
		return nil, err
	}
	lifetime, err := keyLifetime(opts)
	if err != nil {
		return nil, err
	}
	var w serviceAccount
	q := url.Values{"name": {name}}
	if _, err := s.c.Do(ctx, http.MethodPost, createPath, q, nil, &w); err != nil {
		err = fmt.Errorf("serviceaccounts: creating %q: %w", name, err)
		if client.MayHaveActed(err) {
			return nil, advice.Wrap(err, advice.Advice{Action: advice.GetFirst, Subject: name},
				fmt.Sprintf("the service account may have been created: check with Get(ctx, ByName(%q)) and make its key with CreateKey rather than calling Create again", name))
		}
		return nil, needOwner(err)
	}
	account := w.toAccount()
	subject := orName(account.Email, name)
	if account.UserID == "" {
		err := acted.Mark(fmt.Errorf("serviceaccounts: service account %q was created, but the server returned no user id for its key", name))
		return nil, advice.Wrap(err, advice.Advice{Action: advice.CreateKey, Subject: subject},
			fmt.Sprintf("make one with CreateKey(ctx, ByName(%q))", name))
	}
	secret, err := s.createKey(ctx, account.UserID, lifetime)
	if err != nil {
		if client.MayHaveActed(err) {
			err = fmt.Errorf("serviceaccounts: service account %q was created, but the answer to its first key was lost: %w", name, err)
			return nil, advice.Wrap(err, advice.Advice{Action: advice.RotateKeys, Subject: subject},
				fmt.Sprintf("a key may exist that nobody holds, so replace it with RotateKeys(ctx, ByName(%q))", name))
		}
		err = needOwner(acted.Mark(fmt.Errorf("serviceaccounts: service account %q was created, but its first key was not: %w", name, err)))
		return nil, advice.Wrap(err, advice.Advice{Action: advice.CreateKey, Subject: subject},
			fmt.Sprintf("make one with CreateKey(ctx, ByName(%q))", name))
	}
	// The secret is in hand: the look-up must not hold it back long.
	lookCtx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	if m, err := s.Get(lookCtx, ByEmail(account.Email)); err == nil && m.UserID == account.UserID {
		account.IdentityID = m.IdentityID
		account.ID = m.IdentityID
	}
	return &Created{Account: account, Secret: secret}, nil
}

// orName is the account's email, or its name when the email is unknown:
// the subject of advice about it (a name never holds '@').
func orName(address, name string) string {
	if address != "" {
		return address
	}
	return name
}

// lookupTimeout bounds Create's look-up of the identity id, made once the
// key exists.
const lookupTimeout = 10 * time.Second

// ListOptions filters and pages a service account list. It marshals to
// JSON with snake_case names.
type ListOptions struct {
	// Name and Email filter as the server matches them (it may match
	// partially; Get matches exactly).
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// PageSize is 1..50; 0 means 50.
	PageSize int `json:"page_size,omitempty"`
	// PageToken continues a list where an earlier page ended.
	PageToken string `json:"page_token,omitempty"`
}

func (o ListOptions) members() organization.ListOptions {
	return organization.ListOptions{Name: o.Name, Email: o.Email, Kind: organization.ServiceAccounts, PageSize: o.PageSize, PageToken: o.PageToken}
}

// List returns one page of service accounts.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// A PageSize above client.MaxPageSize is an error matching
// client.ErrInvalid, before any request.
func (s *Service) List(ctx context.Context, opts ListOptions) (*client.Page[ServiceAccount], error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.List"); err != nil {
		return nil, err
	}
	if _, err := paging.Count(opts.PageSize); err != nil {
		return nil, fmt.Errorf("serviceaccounts: %w", err)
	}
	page, err := s.org.List(ctx, opts.members())
	if err != nil {
		return nil, needOwner(fmt.Errorf("serviceaccounts: listing: %w", err))
	}
	out := &client.Page[ServiceAccount]{Items: make([]ServiceAccount, 0, len(page.Items)), NextPageToken: page.NextPageToken, Total: page.Total}
	for _, m := range page.Items {
		out.Items = append(out.Items, fromMember(m))
	}
	return out, nil
}

// All iterates over every service account that opts selects, on every
// page.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// It stops fetching when the loop breaks, and yields an error once, last.
func (s *Service) All(ctx context.Context, opts ListOptions) iter.Seq2[ServiceAccount, error] {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.All"); err != nil {
		return ctxguard.Seq[ServiceAccount](err)
	}
	return client.All(ctx, opts.PageToken, func(ctx context.Context, token string) (*client.Page[ServiceAccount], error) {
		o := opts
		o.PageToken = token
		return s.List(ctx, o)
	})
}

// Get returns the service account ref names.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// Get reads every page of the service accounts (filtered by the name or
// email ref gives) and matches exactly, as Ref.Matches does: a name as it
// is, an email as the server stores emails (only the ASCII letters A-Z
// match without regard to case; a look-alike address is no match). None
// is an error matching client.ErrNotFound, several client.ErrConflict.
func (s *Service) Get(ctx context.Context, ref Ref) (*ServiceAccount, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.Get"); err != nil {
		return nil, err
	}
	if err := ref.Validate(); err != nil {
		return nil, fmt.Errorf("serviceaccounts: %w", err)
	}
	var matches, near []ServiceAccount
	opts := organization.ListOptions{Name: ref.Name(), Email: ref.Email(), Kind: organization.ServiceAccounts}
	for m, err := range s.org.All(ctx, opts) {
		if err != nil {
			return nil, needOwner(fmt.Errorf("serviceaccounts: finding %s: %w", ref, err))
		}
		switch {
		case ref.Matches(m):
			matches = append(matches, fromMember(m))
		case ref.Name() != "" && strings.EqualFold(m.Name, ref.Name()):
			near = append(near, fromMember(m))
		}
	}
	switch len(matches) {
	case 1:
		return &matches[0], nil
	case 0:
		if len(near) > 0 {
			err := fmt.Errorf("serviceaccounts: %w: no service account with %s; names match exactly, and %q differs only in case", client.ErrNotFound, ref, near[0].Name)
			return nil, advice.Wrap(err, advice.Advice{Action: advice.ListToFind, Subject: refValue(ref)}, "list them with All")
		}
		err := fmt.Errorf("serviceaccounts: %w: no service account with %s%s", client.ErrNotFound, ref, email.Hint(ref.Email()))
		return nil, advice.Wrap(err, advice.Advice{Action: advice.ListToFind, Subject: refValue(ref)}, "list them with All, or create it with Create")
	}
	names := make([]string, len(matches))
	for i, sa := range matches {
		names[i] = orName(sa.Email, sa.IdentityID)
	}
	err := fmt.Errorf("serviceaccounts: %w: %d service accounts match %s: %s", client.ErrConflict, len(matches), ref, strings.Join(names, ", "))
	how := "refer to one with ByEmail"
	if ref.Email() != "" {
		how = "refer to one with organization.ByIdentityID"
	}
	return nil, advice.Wrap(err, advice.Advice{Action: advice.Refine, Subject: refValue(ref)}, how)
}

// withKeys returns the service account ref names, which must have the
// user id its keys belong to.
func (s *Service) withKeys(ctx context.Context, ref Ref) (*ServiceAccount, error) {
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	if sa.UserID == "" {
		return nil, fmt.Errorf("serviceaccounts: %w: the server gave no user id for %s, and its keys are found by user id", client.ErrInvalid, sa.Email)
	}
	return sa, nil
}

// createKey makes a key for the service account with userID.
func (s *Service) createKey(ctx context.Context, userID string, lifetime time.Duration) (credentials.Secret, error) {
	k, err := s.keys.CreateFor(ctx, organization.ByUserID(userID), keys.CreateRequest{ExpiresIn: lifetime})
	if err != nil {
		return "", err
	}
	return k.Secret, nil
}

// CreateKey makes a new key for the service account and returns its
// secret, shown only here. Its other keys stay valid.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/users/create_api_key
//
// opts (several merge, a later non-zero field winning) are
// validated before any request; the key lives DefaultKeyLifetime unless
// KeyOptions.ExpiresIn says otherwise. The key request is never sent
// twice: when its answer is lost, a key may exist that nobody holds, and
// the error advises replacing all its keys (client.ActionRotateKeys).
func (s *Service) CreateKey(ctx context.Context, ref Ref, opts ...KeyOptions) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.CreateKey"); err != nil {
		return "", err
	}
	lifetime, err := keyLifetime(opts)
	if err != nil {
		return "", err
	}
	sa, err := s.withKeys(ctx, ref)
	if err != nil {
		return "", err
	}
	secret, err := s.createKey(ctx, sa.UserID, lifetime)
	if err != nil {
		err = fmt.Errorf("serviceaccounts: creating a key for %s: %w", sa.Email, err)
		if client.MayHaveActed(err) {
			return "", advice.Wrap(err, advice.Advice{Action: advice.RotateKeys, Subject: sa.Email},
				"the answer was lost and a key may exist that nobody holds: replace all its keys with RotateKeys rather than calling CreateKey again")
		}
		return "", needOwner(err)
	}
	return secret, nil
}

// CreateAPIKey makes a new key for the service account, as CreateKey
// does.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/users/create_api_key
//
// Deprecated: use CreateKey.
func (s *Service) CreateAPIKey(ctx context.Context, ref Ref, opts ...KeyOptions) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.CreateAPIKey"); err != nil {
		return "", err
	}
	return s.CreateKey(ctx, ref, opts...)
}

// RotateKeys revokes every key of the service account, then makes a new
// one and returns its secret.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// API: POST /api/v2/users/create_api_key
//
// opts are as CreateKey's. No new key is made unless the revocation
// succeeded. If the new key cannot be made, the error says that the old
// keys are already revoked, and advises making one
// (client.ActionCreateKey), or rotating again when the new key's answer
// was lost (client.ActionRotateKeys).
//
// It needs an organization owner's token. A job that runs on the service
// account's own token, as CI jobs do, replaces that token with the keys
// package's Service.Renew instead: the 403 such a job gets advises it
// (client.ActionRotateOwnKey; RotateKeys then asks the API who is calling,
// GET /api/v2/userinfo/, so that only the account's own job is told so).
func (s *Service) RotateKeys(ctx context.Context, ref Ref, opts ...KeyOptions) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.RotateKeys"); err != nil {
		return "", err
	}
	lifetime, err := keyLifetime(opts)
	if err != nil {
		return "", err
	}
	sa, err := s.withKeys(ctx, ref)
	if err != nil {
		return "", err
	}
	if err := s.keys.RevokeAll(ctx, organization.ByUserID(sa.UserID)); err != nil {
		if client.MayHaveActed(err) {
			err = fmt.Errorf("serviceaccounts: revoking the keys of %s: %w; the answer was lost, and the old keys may already be revoked with no new one made", sa.Email, err)
			return "", advice.Wrap(err, advice.Advice{Action: advice.RotateKeys, Subject: sa.Email}, "run RotateKeys again")
		}
		err = needOwner(fmt.Errorf("serviceaccounts: revoking the keys of %s (nothing was rotated): %w", sa.Email, err))
		if refused(err) && s.isCaller(ctx, sa.UserID) {
			// The service account's own job: it has a way that works.
			err = rotateOwnKey(err, sa.Email)
		}
		return "", err
	}
	secret, err := s.createKey(ctx, sa.UserID, lifetime)
	if err != nil {
		if client.MayHaveActed(err) {
			err = fmt.Errorf("serviceaccounts: the old keys of %s are already revoked, and the answer to the new key was lost: %w", sa.Email, err)
			return "", advice.Wrap(err, advice.Advice{Action: advice.RotateKeys, Subject: sa.Email},
				"a key may exist that nobody holds, so run RotateKeys again")
		}
		err = needOwner(acted.Mark(fmt.Errorf("serviceaccounts: the old keys of %s are already revoked, but a new key could not be made: %w", sa.Email, err)))
		return "", advice.Wrap(err, advice.Advice{Action: advice.CreateKey, Subject: sa.Email}, "make one now with CreateKey")
	}
	return secret, nil
}

// RotateAPIKeys revokes every key of the service account, then makes a
// new one, as RotateKeys does.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// API: POST /api/v2/users/create_api_key
//
// Deprecated: use RotateKeys.
func (s *Service) RotateAPIKeys(ctx context.Context, ref Ref, opts ...KeyOptions) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.RotateAPIKeys"); err != nil {
		return "", err
	}
	return s.RotateKeys(ctx, ref, opts...)
}

// RevokeAllKeys revokes every key of the service account and makes no new
// one.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// Revoking all keys twice revokes nothing more, so a failed attempt is
// retried.
func (s *Service) RevokeAllKeys(ctx context.Context, ref Ref) error {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.RevokeAllKeys"); err != nil {
		return err
	}
	sa, err := s.withKeys(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.keys.RevokeAll(ctx, organization.ByUserID(sa.UserID)); err != nil {
		return needOwner(fmt.Errorf("serviceaccounts: revoking the keys of %s: %w", sa.Email, err))
	}
	return nil
}

// RevokeAllAPIKeys revokes every key of the service account, as
// RevokeAllKeys does.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: POST /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}
//
// Deprecated: use RevokeAllKeys.
func (s *Service) RevokeAllAPIKeys(ctx context.Context, ref Ref) error {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.RevokeAllAPIKeys"); err != nil {
		return err
	}
	return s.RevokeAllKeys(ctx, ref)
}

// Keys iterates over the service account's keys, through the
// organization scope of package keys (owners only).
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: GET /api/v2/users/admin/api_keys?user_id={user_id}
//
// Every key carries the account's user id as its OwnerID. It stops
// fetching when the loop breaks, and yields an error once, last.
func (s *Service) Keys(ctx context.Context, ref Ref) iter.Seq2[keys.Key, error] {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.Keys"); err != nil {
		return ctxguard.Seq[keys.Key](err)
	}
	return func(yield func(keys.Key, error) bool) {
		sa, err := s.withKeys(ctx, ref)
		if err != nil {
			yield(keys.Key{}, err)
			return
		}
		for k, err := range s.keys.All(ctx, keys.ListOptions{Owner: organization.ByUserID(sa.UserID)}) {
			if err != nil {
				err = needOwner(fmt.Errorf("serviceaccounts: listing the keys of %s: %w", sa.Email, err))
			}
			if !yield(k, err) {
				return
			}
		}
	}
}

// Delete deletes the service account; its keys stop working.
//
// API: GET /api/v2/organization_collaborators/?is_service_account=true
//
// API: DELETE /api/v2/organization_collaborators/{identity_id}
func (s *Service) Delete(ctx context.Context, ref Ref) error {
	if err := ctxguard.Check(ctx, "serviceaccounts.Service.Delete"); err != nil {
		return err
	}
	sa, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if sa.IdentityID == "" {
		return fmt.Errorf("serviceaccounts: %w: the server gave no identity id for %s, which deleting it takes", client.ErrInvalid, sa.Email)
	}
	if _, err := s.c.Do(ctx, http.MethodDelete, membersPath+url.PathEscape(sa.IdentityID), nil, nil, nil); err != nil {
		return needOwner(fmt.Errorf("serviceaccounts: deleting %s: %w", sa.Email, err))
	}
	return nil
}
