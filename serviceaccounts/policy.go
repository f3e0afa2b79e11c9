package serviceaccounts

import (
	"errors"
	"fmt"
	"time"

	"github.com/anyscale-go/anyscale/client"
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
// WithExpiresIn says otherwise: 100 years, as the official CLI asks for,
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

// ownerHint is the Hint of a 403 from a service account call.
const ownerHint = "only an organization owner can manage service accounts and their keys: ask an owner, or run this with an owner's token"

// selfRotateHint ends the Hint of a 403 from RotateAPIKeys: what works for
// a job that runs on the service account's own token.
const selfRotateHint = "; a job that runs on a service account's own token rotates that token with keys.New(c).Rotate(ctx), which revokes the service account's keys and returns a new one"

// ownerOnly adds ownerHint to a 403.
func ownerOnly(err error) error { return withOwnerHint(err, ownerHint) }

// withOwnerHint sets hint on a 403 that has none.
func withOwnerHint(err error, hint string) error {
	var apiErr *client.APIError
	//lint:ignore SA1019 the owner hint moves to advice with the rest of issue 13's serviceaccounts work
	if errors.As(err, &apiErr) && apiErr.StatusCode == 403 && apiErr.Hint == "" {
		//lint:ignore SA1019 as above
		apiErr.Hint = hint
	}
	return err
}

// KeyOption configures a service account key.
type KeyOption func(*keyConfig) error

type keyConfig struct {
	expiresIn time.Duration
}

// WithExpiresIn sets the key's lifetime, from a second to
// DefaultKeyLifetime (the default). Service account keys are not bound by
// the 30-day cap on user keys, but a shorter lifetime with regular
// rotation is safer.
func WithExpiresIn(d time.Duration) KeyOption {
	return func(c *keyConfig) error {
		if err := keys.CheckServiceAccountKeyLifetime(d); err != nil {
			return fmt.Errorf("serviceaccounts: WithExpiresIn(%s): %w", d, err)
		}
		c.expiresIn = d
		return nil
	}
}

func keyOptions(opts []KeyOption) (keyConfig, error) {
	cfg := keyConfig{expiresIn: DefaultKeyLifetime}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}
