package serviceaccounts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/keys"
)

// MaxNameLength is the longest service account name the SDK sends.
//
// The name rule is the SDK's own (the API does not publish one; the name
// becomes the local part of the account's email): 1 to MaxNameLength
// characters of ASCII letters, digits, '.', '_' and '-', starting with a
// letter or digit.
const MaxNameLength = 64

// DefaultKeyLifetime is the lifetime of a service account key unless
// KeyOptions.ExpiresIn says otherwise: 100 years, as the official CLI asks for,
// which is also the longest the SDK asks for.
const DefaultKeyLifetime = keys.MaxServiceAccountKeyLifetime

func validateName(name string) error {
	if name == "" {
		return fmt.Errorf("serviceaccounts: %w: the name is empty", client.ErrInvalid)
	}
	if len(name) > MaxNameLength {
		return fmt.Errorf("serviceaccounts: %w: the name is %d characters long; use at most %d", client.ErrInvalid, len(name), MaxNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("serviceaccounts: %w: the name %q must start with a letter or digit", client.ErrInvalid, name)
		}
		if !alnum && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("serviceaccounts: %w: the name %q has %q at byte %d; use letters, digits, '.', '_' and '-' only", client.ErrInvalid, name, c, i)
		}
	}
	return nil
}

// needOwner adds, to an error whose request the server refused (403), the
// advice that an organization owner's token is needed. It wraps err,
// outermost: the caller's facts come first.
func needOwner(err error) error {
	if !refused(err) {
		return err
	}
	return advice.Wrap(err, advice.Advice{Action: advice.NeedOwner},
		"only an organization owner can manage service accounts and their keys: ask an owner, or run this with an owner's token")
}

// rotateOwnKey adds, to a 403 from RotateKeys made on the service
// account's own token, what works for such a job.
func rotateOwnKey(err error, subject string) error {
	if !refused(err) {
		return err
	}
	return advice.Wrap(err, advice.Advice{Action: advice.RotateOwnKey, Subject: subject},
		"a job that runs on a service account's own token replaces that token with keys.New(c).Renew(ctx, store, opts), which never loses access (keys.New(c).Rotate revokes every key at once)")
}

// isCaller reports whether the client's token is userID's own: one
// look-up, made only on a refused rotation. A look-up that fails says
// nothing, and then it is not.
func (s *Service) isCaller(ctx context.Context, userID string) bool {
	me, err := s.c.WhoAmI(ctx)
	return err == nil && me.ID != "" && me.ID == userID
}

// refused reports whether the server answered err's request with 403.
func refused(err error) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden
}

// KeyOptions configures a service account key. The zero value takes the
// defaults.
type KeyOptions struct {
	// ExpiresIn is the key's lifetime, from a second to DefaultKeyLifetime;
	// 0 means DefaultKeyLifetime. Service account keys are not bound by the
	// 30-day cap on user keys, but a shorter lifetime with regular rotation
	// is safer.
	ExpiresIn time.Duration

	// explicit marks options from WithExpiresIn, which refuses 0 as it
	// always did.
	explicit bool
}

// KeyOption configures a service account key.
//
// Deprecated: use KeyOptions.
type KeyOption = KeyOptions

// WithExpiresIn returns the options that give the key a lifetime of d,
// from a second to DefaultKeyLifetime. Unlike KeyOptions{ExpiresIn: 0},
// WithExpiresIn(0) is refused.
//
// Deprecated: use KeyOptions{ExpiresIn: d}.
func WithExpiresIn(d time.Duration) KeyOptions { return KeyOptions{ExpiresIn: d, explicit: true} }

// keyLifetime merges opts, a later non-zero ExpiresIn winning, and checks
// every lifetime given before anything is sent.
func keyLifetime(opts []KeyOptions) (time.Duration, error) {
	d := DefaultKeyLifetime
	for _, o := range opts {
		if o.ExpiresIn == 0 && !o.explicit {
			continue
		}
		if err := keys.CheckServiceAccountKeyLifetime(o.ExpiresIn); err != nil {
			return 0, fmt.Errorf("serviceaccounts: %w", err)
		}
		d = o.ExpiresIn
	}
	return d, nil
}
