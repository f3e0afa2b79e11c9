package serviceaccounts

import (
	"errors"
	"fmt"
	"time"

	"github.com/anyscale-go/anyscale/client"
)

// MaxNameLength is the longest service account name the SDK sends.
//
// The name rule is the SDK's own (the API does not publish one; the name
// becomes the local part of the account's email): 1 to MaxNameLength
// characters of ASCII letters, digits, '.', '_' and '-', starting with a
// letter or digit.
const MaxNameLength = 64

// DefaultKeyLifetime is the lifetime of a service account key unless
// WithExpiresIn says otherwise: 100 years, as the official CLI asks for.
const DefaultKeyLifetime = 3153600000 * time.Second

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

// ownerHint is the Hint of a 403 from a service account call.
const ownerHint = "only an organization owner can manage service accounts and their keys: ask an owner, or run this with an owner's token"

// ownerOnly adds ownerHint to a 403.
func ownerOnly(err error) error {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode == 403 && apiErr.Hint == "" {
		apiErr.Hint = ownerHint
	}
	return err
}

// KeyOption configures a service account key.
type KeyOption func(*keyConfig) error

type keyConfig struct {
	expiresIn time.Duration
}

// WithExpiresIn sets the key's lifetime (default DefaultKeyLifetime).
// Service account keys are not bound by the 30-day cap on user keys, but a
// shorter lifetime with regular rotation is safer.
func WithExpiresIn(d time.Duration) KeyOption {
	return func(c *keyConfig) error {
		if d < time.Second {
			return fmt.Errorf("serviceaccounts: %w: WithExpiresIn(%s): the lifetime must be at least a second", client.ErrInvalid, d)
		}
		c.expiresIn = d
		return nil
	}
}

func keyOptions(opts []KeyOption) (keyConfig, error) {
	cfg := keyConfig{expiresIn: DefaultKeyLifetime}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}
