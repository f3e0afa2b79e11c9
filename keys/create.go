package keys

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/organization"
)

// CreateRequest describes a new user key.
type CreateRequest struct {
	// Name must be unique among your active keys; empty lets the server
	// generate one. See MaxNameLength for the rule.
	Name string
	// ExpiresIn is required: at least a second, at most MaxLifetime.
	ExpiresIn time.Duration
}

// CreatedKey is a new key and its secret. The secret exists only here: the
// API never shows it again.
type CreatedKey struct {
	// Key is the new key as the key list shows it, when Listed; else it
	// holds only the name asked for and the expiry computed from the
	// request, and ID is empty: find the key by name to revoke it.
	Key    Key
	Secret credentials.Secret
	// Listed reports whether Key was read back from the key list.
	Listed bool
}

type createBody struct {
	Duration int64  `json:"duration"`
	Name     string `json:"name,omitempty"`
	UserID   string `json:"user_id,omitempty"`
}

type sessionResult struct {
	ServerSessionID credentials.Secret `json:"server_session_id"`
}

// Create makes a key for the caller.
//
// API: POST /api/v2/users/create_api_key
//
// API: GET /api/v2/users/api_keys
//
// The request is validated before it is sent, and never sent twice: a
// failure after the server may have acted is returned, not retried, and
// advises looking for the key first (client.ActionGetFirst). Once the key
// is made, Create reads it back from the key list to fill CreatedKey.Key,
// reading a few pages within seconds; if that fails, Key holds the name
// and expiry only and the secret is still returned.
func (s *Service) Create(ctx context.Context, req CreateRequest) (*CreatedKey, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Create"); err != nil {
		return nil, err
	}
	if err := validateName(req.Name); err != nil {
		return nil, err
	}
	if err := validateExpiry(req.ExpiresIn); err != nil {
		return nil, err
	}
	sent := s.c.Now()
	secret, err := s.create(ctx, createBody{Duration: seconds(req.ExpiresIn), Name: req.Name})
	if err != nil {
		if client.MayHaveActed(err) {
			return nil, advice.Wrap(err, advice.Advice{Action: advice.GetFirst, Subject: req.Name},
				"the key may have been made: list your keys by name before creating it again (a second active key of the same name is refused), and revoke it if found, since its secret is lost")
		}
		return nil, err
	}
	if k, ok := s.find(ctx, secret, req.Name); ok {
		return &CreatedKey{Key: k, Secret: secret, Listed: true}, nil
	}
	expires := sent.Add(req.ExpiresIn)
	return &CreatedKey{Key: Key{Name: req.Name, CreatedAt: sent, ExpiresAt: &expires}, Secret: secret}, nil
}

// CreateFor makes a key for the user or service account owner names, and
// returns it with its secret, shown only here.
//
// API: GET /api/v2/organization_collaborators/ (an owner not named by user id)
//
// API: POST /api/v2/users/create_api_key
//
// Organization owners make keys for service accounts, whose lifetime the
// 30-day cap does not bound: req.ExpiresIn is required, at most
// MaxServiceAccountKeyLifetime for a service account and MaxLifetime for
// a user (an owner named by user id is not looked up: the server holds a
// user's cap). The owner is found as ListOptions.Owner is. Everything is
// validated before the key request, which is never sent twice. The key is
// not read back: CreatedKey.Listed is false, and Key holds the name, the
// owner and the expiry asked for.
func (s *OrgService) CreateFor(ctx context.Context, owner organization.Ref, req CreateRequest) (*CreatedKey, error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.CreateFor"); err != nil {
		return nil, err
	}
	if err := owner.Validate(); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if err := validateName(req.Name); err != nil {
		return nil, err
	}
	if err := CheckServiceAccountKeyLifetime(req.ExpiresIn); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	o, err := s.findOwner(ctx, owner)
	if err != nil {
		return nil, err
	}
	if o.email != "" && !o.serviceAccount {
		// A user's key: the user key policy holds.
		if err := validateExpiry(req.ExpiresIn); err != nil {
			return nil, err
		}
	}
	sent := s.c.Now()
	secret, err := s.create(ctx, createBody{Duration: seconds(req.ExpiresIn), Name: req.Name, UserID: o.userID})
	if err != nil {
		// A lost answer carries the client's own check-first advice;
		// serviceaccounts, which calls this, adds its own above it.
		return nil, err
	}
	expires := sent.Add(req.ExpiresIn)
	return &CreatedKey{Key: Key{Name: req.Name, OwnerID: o.userID, CreatedAt: sent, ExpiresAt: &expires}, Secret: secret}, nil
}

// CreateForUser makes a key for the service account with userID (a usr_
// id) and returns its secret, as CreateFor with organization.ByUserID
// does.
//
// API: POST /api/v2/users/create_api_key
//
// Deprecated: use CreateFor with organization.ByUserID.
func (s *OrgService) CreateForUser(ctx context.Context, userID string, expiresIn time.Duration) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.CreateForUser"); err != nil {
		return "", err
	}
	if err := CheckServiceAccountKeyLifetime(expiresIn); err != nil {
		return "", fmt.Errorf("keys: %w", err)
	}
	k, err := s.CreateFor(ctx, organization.ByUserID(userID), CreateRequest{ExpiresIn: expiresIn})
	if err != nil {
		return "", err
	}
	return k.Secret, nil
}

func (s scope) create(ctx context.Context, body createBody) (credentials.Secret, error) {
	var out sessionResult
	if _, err := s.c.Do(ctx, http.MethodPost, createPath, nil, body, &out); err != nil {
		return "", err
	}
	if out.ServerSessionID == "" {
		// The request was carried out: a key may exist that nobody holds.
		return "", acted.Mark(fmt.Errorf("%w: the server answered the key request without a key", client.ErrMalformedResponse))
	}
	return out.ServerSessionID, nil
}

// find looks a new key up in the caller's list: by the id derived from its
// secret, else by its name, which is unique among active keys.
func (s scope) find(ctx context.Context, secret credentials.Secret, name string) (Key, bool) {
	// The secret is in hand: the look-up must not hold it back long, nor
	// follow a server's paging forever.
	ctx, cancel := context.WithTimeout(ctx, findTimeout)
	defer cancel()
	id := keyID(secret)
	q, err := s.query(ctx, ListOptions{Name: name})
	if err != nil {
		return Key{}, false
	}
	// By name: the newest active key of that name (names are unique
	// among active keys; an expired one may share it). Two candidates
	// made at the same time leave the key unknown.
	var byName *Key
	tie := false
	now := s.c.Now() // after the key request's answer: the server's clock
	// The new key is on the first page (newest first); a few pages bound
	// the search if the server orders otherwise.
	for range findPages {
		page, err := s.listPage(ctx, q)
		if err != nil {
			break
		}
		for _, k := range page.Items {
			if k.ID == id {
				return k, true
			}
			if name == "" || k.Name != name || k.Status(now) != Active {
				continue
			}
			switch {
			case byName == nil || k.CreatedAt.After(byName.CreatedAt):
				byName, tie = &k, false
			case k.CreatedAt.Equal(byName.CreatedAt):
				tie = true
			}
		}
		if page.NextPageToken == "" {
			break
		}
		q.PagingToken = page.NextPageToken
	}
	if byName != nil && !tie {
		return *byName, true
	}
	return Key{}, false
}

// The bounds of Create's look-up of the key it made.
const (
	findPages   = 3
	findTimeout = 10 * time.Second
)

// Rotate revokes all of the caller's keys, including the one this client
// authenticates with, and returns a new key.
//
// API: GET /api/v2/users/rotate_api_key
//
// Store the new secret before anything else: this client's token stops
// working. Rotate is never repeated, by the client or by net/http, since a
// repeat would revoke the key the first call made; a lost answer says
// what may have happened. Rotate is the emergency tool (a leaked key):
// a job that replaces its own key on a schedule uses Renew, which never
// loses access.
func (s *Service) Rotate(ctx context.Context) (credentials.Secret, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Rotate"); err != nil {
		return "", err
	}
	var out sessionResult
	if _, err := s.c.Do(client.WithIdempotency(ctx, false), http.MethodGet, rotatePath, nil, nil, &out); err != nil {
		if client.MayHaveActed(err) {
			return "", rotationLost(fmt.Errorf("keys: rotating: %w; the rotation may have happened: then every key of yours is revoked, this client's included, and the new key is lost", err))
		}
		return "", err
	}
	if out.ServerSessionID == "" {
		return "", rotationLost(acted.Mark(fmt.Errorf("keys: rotating: %w: the answer holds no new key: every key of yours may be revoked, this client's included, and the new key is lost", client.ErrMalformedResponse)))
	}
	return out.ServerSessionID, nil
}

// rotationLost advises what works after a rotation whose new key was
// lost: check whether this token still answers before anything else.
func rotationLost(err error) error {
	return advice.Wrap(err, advice.Advice{Action: advice.CheckFirst},
		"if this token now gets 401, create a new key in the console (a service account: ask an owner to rotate its keys)")
}
