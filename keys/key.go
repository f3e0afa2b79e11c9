package keys

import (
	"time"
)

// MaxLifetime is the longest a user key may live: the policy requires an
// expiry of at most 30 days.
const MaxLifetime = 30 * 24 * time.Hour

// LoginLifetime is how long a key made by Login lives unless told otherwise.
const LoginLifetime = 7 * 24 * time.Hour

// Status is a key's state at a moment.
type Status string

// The states of a key.
const (
	Active  Status = "active"
	Expired Status = "expired"
	Revoked Status = "revoked"
)

// Key describes an API key. It never holds the secret.
type Key struct {
	// ID revokes the key.
	ID string
	// DisplayID is a short, non-secret label of the key.
	DisplayID string
	Name      string
	// CreatedBy is the user id of whoever created the key.
	CreatedBy string
	// OwnerID is the user or service account the key belongs to, when the
	// SDK knows it: on keys from a list filtered by owner (OwnerEmail or
	// OwnerID) and in the organization Audit. Otherwise it is empty: the
	// API's key model has no owner field.
	OwnerID   string
	CreatedAt time.Time
	// ExpiresAt is nil for a legacy key that never expires.
	ExpiresAt *time.Time
	RevokedAt *time.Time
	// LastUsedAt is when the key last authenticated a request; nil for a
	// key never used.
	LastUsedAt *time.Time
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

// apiKeyInfo is the wire form of a key (ApiKeyInfo).
type apiKeyInfo struct {
	HexHashedID string     `json:"hex_hashed_id"`
	DisplayID   string     `json:"display_id"`
	Name        *string    `json:"name"`
	CreatedBy   *string    `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
}

// toKey converts the wire form, with times in UTC (the server writes
// "+00:00", which Go may read as the local zone); ownerID is the owner the
// list was filtered by, or "".
func (w apiKeyInfo) toKey(ownerID string) Key {
	return Key{
		ID:         w.HexHashedID,
		DisplayID:  w.DisplayID,
		Name:       deref(w.Name),
		CreatedBy:  deref(w.CreatedBy),
		OwnerID:    ownerID,
		CreatedAt:  w.CreatedAt.UTC(),
		ExpiresAt:  utc(w.ExpiresAt),
		RevokedAt:  utc(w.RevokedAt),
		LastUsedAt: utc(w.LastUsedAt),
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
