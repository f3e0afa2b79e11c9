package keys

import (
	"time"

	"github.com/anyscale-go/anyscale/login"
)

// MaxLifetime is the longest a user key may live: the policy requires an
// expiry of at most 30 days.
const MaxLifetime = 30 * 24 * time.Hour

// LoginLifetime is how long a key made by a login (login.Run) lives unless
// told otherwise: login.DefaultLifetime, 7 days.
//
// Deprecated: use login.DefaultLifetime.
const LoginLifetime = login.DefaultLifetime

// Status is a key's state at a moment.
type Status string

// The states of a key.
const (
	Active  Status = "active"
	Expired Status = "expired"
	Revoked Status = "revoked"
)

// Key describes an API key. It never holds the secret.
//
// It marshals to JSON with snake_case names, the shape of the command
// line's -o json (which adds the key's "status", judged at a moment): "id",
// "display_id", "name", "created_by", "owner_id" (left out when empty),
// "created_at", and "expires_at", "revoked_at" and "last_used_at" (null
// when nil).
type Key struct {
	// ID revokes the key.
	ID string `json:"id"`
	// DisplayID is a short, non-secret label of the key.
	DisplayID string `json:"display_id"`
	Name      string `json:"name"`
	// CreatedBy is the user id of whoever created the key.
	CreatedBy string `json:"created_by"`
	// OwnerID is the user or service account the key belongs to, when the
	// SDK knows it: on keys from a list filtered by owner
	// (ListOptions.Owner) and in the organization Audit. Otherwise it is
	// empty: the API's key model has no owner field.
	OwnerID   string    `json:"owner_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is nil for a legacy key that never expires.
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	// LastUsedAt is when the key last authenticated a request; nil for a
	// key never used.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Status returns the key's state at now.
func (k Key) Status(now time.Time) Status {
	switch {
	case k.RevokedAt != nil && !k.RevokedAt.After(now):
		return Revoked
	case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
		return Expired
	}
	return Active
}

// Legacy reports whether the key never expires, as keys made before the
// expiry policy do.
func (k Key) Legacy() bool { return k.ExpiresAt == nil }

// Lifetime returns how long the key was made to live, or 0 for a legacy key.
func (k Key) Lifetime() time.Duration {
	if k.ExpiresAt == nil {
		return 0
	}
	return k.ExpiresAt.Sub(k.CreatedAt)
}

// apiKeyInfo is the wire form of a key (ApiKeyInfo): Key's fields, in
// Key's order, with the wire's names, so that one converts to the other
// (the line below fails to compile if the two drift apart). A null name
// or created_by decodes as "".
type apiKeyInfo struct {
	ID         string     `json:"hex_hashed_id"`
	DisplayID  string     `json:"display_id"`
	Name       string     `json:"name"`
	CreatedBy  string     `json:"created_by"`
	OwnerID    string     `json:"-"` // not on the wire
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

var _ = Key(apiKeyInfo{}) // the same fields, in the same order

// keysOf turns a decoded page into keys: times in UTC (the server writes
// "+00:00", which Go may read as the local zone) and the owner the list
// was filtered by, or "".
func keysOf(items []apiKeyInfo, ownerID string) []Key {
	out := make([]Key, len(items))
	for i := range out {
		out[i] = Key(items[i])
		k := &out[i]
		k.OwnerID = ownerID
		k.CreatedAt = k.CreatedAt.UTC()
		for _, t := range []*time.Time{k.ExpiresAt, k.RevokedAt, k.LastUsedAt} {
			if t != nil {
				*t = t.UTC()
			}
		}
	}
	return out
}
