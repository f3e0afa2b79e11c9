package anyscaletest

// This file holds every policy number and every "choice" of docs/wire.md (and
// every decision the fake makes where docs/wire.md is silent), each in exactly
// one place, so that each is cheap to change once the real answer is known.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Policy numbers (docs/wire.md, "Policy").
const (
	// maxKeyLifetime caps the lifetime of a user's own key (30 days).
	maxKeyLifetime = 30 * 24 * time.Hour
	// rotatedKeyLifetime is the lifetime of the key that rotate_api_key
	// returns. Choice: the console's default, which is also the maximum.
	rotatedKeyLifetime = maxKeyLifetime
	// seededKeyLifetime is the lifetime of the key every AddUser user gets.
	seededKeyLifetime = maxKeyLifetime
	// serviceAccountSeedLifetime is the lifetime of the key AddServiceAccount
	// seeds: what the official CLI asks for (100 years).
	serviceAccountSeedLifetime = 3153600000 * time.Second
	// maxDurationSeconds bounds any requested duration so that it fits a
	// time.Duration (about 292 years); service-account keys have no other cap.
	maxDurationSeconds = int64(200 * 365 * 24 * 3600)
	// defaultLoginLifetime is the lifetime of a login key when
	// create_otp_token gets no duration_seconds (the CLI's default).
	defaultLoginLifetime = 7 * 24 * time.Hour
	// maxPageSize is the upper bound (and the default) of count on every list.
	maxPageSize = 50
	// maxBulkRevoke is the most ids one bulk revoke accepts.
	maxBulkRevoke = 50
	// maxKeyNameLen is the longest key name, in characters. Choice.
	maxKeyNameLen = 128
	// maxServiceAccountNameLen is the longest service account name. Choice.
	maxServiceAccountNameLen = 64
	// maxBodyBytes bounds a request body the fake reads. Choice.
	maxBodyBytes = 1 << 20
)

// Status codes where docs/wire.md allows more than one answer.
const (
	// statusRevokeOwn answers DELETE /api/v2/users/api_keys/{id}: 204, no body.
	statusRevokeOwn = http.StatusNoContent
	// statusRevokeAdmin answers DELETE /api/v2/users/admin/api_keys/{id}:
	// 200 with {"result": {}}, so clients must accept both forms.
	statusRevokeAdmin = http.StatusOK
	// statusRemoveMember answers DELETE /api/v2/organization_collaborators/{id}.
	statusRemoveMember = http.StatusNoContent
	// statusKeyForHuman answers a create_api_key whose user_id names a human
	// user (keys for someone else exist only for service accounts): 403.
	statusKeyForHuman = http.StatusForbidden
)

// Request field names that docs/wire.md marks as choices.
const (
	// fieldKeyName is the create_api_key body field holding the key name.
	fieldKeyName = "name"
	// fieldBulkIDs is the bulk revoke body field holding the key ids (the
	// answer's shapes live in wire.go's revokeResult and
	// unknownRevokeResult).
	fieldBulkIDs = "api_key_ids"
)

// Which 422 shape: FastAPI's {"detail": [{"loc", "msg", "type"}]} for body
// and query validation (duration, api_key_ids, count, duration_seconds,
// collaborator_type, is_service_account, the service account name, unknown
// fields and parameters); {"error": {"detail"}} for key name rules and an
// invalid paging_token, so that clients meet both shapes at 422.
//
// Other choices, each in one place: both bulk revokes answer
// {"revoked": [<ids>]}, or under WithUnknownRevokeAnswer {"num_revoked",
// "request_id"} and no ids (wire.go, revokeAnswer); member lists are oldest
// first and key lists newest first (paging.go, members.go, keys.go);
// removing a member revokes all its keys (members.go); a pending login
// never expires (login.go).

// Lists exclude revoked keys (choice: docs/wire.md does not say) and include
// expired ones, so that clients can show and audit what is still around.
const listsIncludeRevoked = false

// Seed defaults.
const (
	defaultOrgName    = "Example Org"
	defaultOwnerEmail = "owner@example.com"
)

// Ids and secrets.
const (
	idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	idRandLen  = 26 // docs/wire.md: a prefix and 26 lowercase letters and digits
	// tokenPrefix starts every secret the fake issues: it passes the
	// official CLI's check (starts with "a" and contains "_").
	tokenPrefix  = "aph0_"
	tokenRandLen = 40
	otpRandLen   = 24
	traceIDBytes = 16
	// requestIDBytes is the size of the request_id of the unknown bulk
	// revoke answer. Choice.
	requestIDBytes = 16

	prefixUser     = "usr_"
	prefixOrg      = "org_"
	prefixIdentity = "ide_"
)

// randomString returns n characters drawn uniformly from alphabet with
// crypto/rand (rejection sampling, so there is no modulo bias).
func randomString(n int, alphabet string) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("anyscaletest: crypto/rand: " + err.Error())
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// newID returns prefix and 26 random lowercase letters and digits.
func newID(prefix string) string { return prefix + randomString(idRandLen, idAlphabet) }

// newToken returns a fresh secret: "aph0_" and 40 lowercase letters and digits.
func newToken() string { return tokenPrefix + randomString(tokenRandLen, idAlphabet) }

// newOTP returns a fresh one-time login code.
func newOTP() string { return randomString(otpRandLen, idAlphabet) }

// randomHex returns n random bytes (crypto/rand) in lowercase hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("anyscaletest: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// newTraceID returns a fresh x-trace-id value.
func newTraceID() string { return randomHex(traceIDBytes) }

// newRequestID returns a fresh request_id for the unknown bulk revoke answer.
func newRequestID() string { return randomHex(requestIDBytes) }

// keyID derives a key's id (its hex_hashed_id) from its secret.
// Choice: docs/wire.md marks the mapping as unconfirmed; we use the lowercase
// hex SHA-256 of the secret, so the fake never needs to store a secret.
func keyID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// displayID derives a key's short, non-secret display_id from its id. Choice.
func displayID(id string) string { return "key_" + id[:8] }

// generatedKeyName returns a candidate name for a key created without one
// (docs/wire.md: "a unique generated name (a hash)"); callers retry until it is
// unique among the owner's active keys. Choice: "key-" and 8 hex digits.
func generatedKeyName() string { return "key-" + randomHex(4) }

// checkKeyName validates a key name given by a client; "" means the name is
// fine. Choice: at most 128 characters, not blank, no control characters;
// names compare exactly (case-sensitively) for uniqueness.
func checkKeyName(name string) string {
	switch {
	case !utf8.ValidString(name):
		return "key name must be valid UTF-8"
	case utf8.RuneCountInString(name) > maxKeyNameLen:
		return "key name must be at most 128 characters"
	case strings.TrimSpace(name) == "":
		return "key name must not be blank"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "key name must not contain control characters"
	}
	return ""
}

// checkServiceAccountName validates a service account name; "" means fine.
// Choice: 1 to 64 ASCII letters, digits, '-', '_' or '.', starting with a
// letter or digit, because the name becomes the local part of an email.
// Names are unique case-insensitively, as the email is lower-cased.
func checkServiceAccountName(name string) string {
	if name == "" {
		return "name is required"
	}
	if len(name) > maxServiceAccountNameLen {
		return "name must be at most 64 characters"
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !ok && i > 0 {
			ok = c == '-' || c == '_' || c == '.'
		}
		if !ok {
			return "name must start with a letter or digit and hold only letters, digits, '-', '_' and '.'"
		}
	}
	return ""
}

// serviceAccountEmail is docs/wire.md's service account email, lower-cased.
func serviceAccountEmail(name, orgID string) string {
	return strings.ToLower(name + "@org-" + orgID + ".serviceaccount.com")
}

// nameFromEmail is the display name of a user added by email. Choice: the
// email's local part with its first letter upper-cased ("alice@x" is "Alice").
func nameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	if local == "" {
		return email
	}
	r, n := utf8.DecodeRuneInString(local)
	return string(unicode.ToUpper(r)) + local[n:]
}

// usernameFromEmail is UserInfo.username. Choice: the email's local part.
func usernameFromEmail(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}

// publicIdentifier is an organization's public_identifier. Choice: the
// name lower-cased, with every run of other characters turned into '-'.
func publicIdentifier(orgName string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(orgName) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// baseRole is OrganizationCollaborator.base_role. Choice: the same word as
// the permission level.
func baseRole(r Role) string { return string(r) }

// formatTime renders a timestamp as the real (Python) server does: RFC 3339
// with a "+00:00" offset, and microseconds only when they are not zero, so
// that clients cannot get away with parsing only Go's own "Z" form.
func formatTime(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000-07:00")
}
