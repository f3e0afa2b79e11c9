package anyscaletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// apiKey is a stored key. The fake keeps only its id (the hash of the
// secret), never the secret.
type apiKey struct {
	seq        int64
	id         string
	name       string
	userID     string // whose key it is
	createdBy  string
	createdAt  time.Time
	expiresAt  *time.Time // nil: a legacy key that never expires
	revokedAt  *time.Time
	lastUsedAt *time.Time // nil: never used
}

func (k *apiKey) expired(now time.Time) bool { return k.expiresAt != nil && !now.Before(*k.expiresAt) }

func (k *apiKey) active(now time.Time) bool { return k.revokedAt == nil && !k.expired(now) }

func (k *apiKey) info() apiKeyInfo {
	out := apiKeyInfo{
		HexHashedID: k.id,
		DisplayID:   displayID(k.id),
		Name:        k.name,
		CreatedBy:   k.createdBy,
		CreatedAt:   formatTime(k.createdAt),
	}
	if k.expiresAt != nil {
		s := formatTime(*k.expiresAt)
		out.ExpiresAt = &s
	}
	if k.revokedAt != nil {
		s := formatTime(*k.revokedAt)
		out.RevokedAt = &s
	}
	if k.lastUsedAt != nil {
		s := formatTime(*k.lastUsedAt)
		out.LastUsedAt = &s
	}
	return out
}

// Key is the server's view of one key, for inspection in tests.
type Key struct {
	// ID is the key id (hex_hashed_id).
	ID string
	// DisplayID is the short, non-secret display id.
	DisplayID string
	// Name is the key name.
	Name string
	// UserID is the user or service account the key belongs to.
	UserID string
	// CreatedBy is the user id of whoever created the key.
	CreatedBy string
	// CreatedAt is the creation time on the server clock.
	CreatedAt time.Time
	// ExpiresAt is the expiry, nil for a legacy key.
	ExpiresAt *time.Time
	// RevokedAt is the revocation time, nil while not revoked.
	RevokedAt *time.Time
	// LastUsedAt is when the key last authenticated a request that reached
	// an endpoint's handler (server clock), nil for a key never used.
	LastUsedAt *time.Time
}

func (k *apiKey) export() Key {
	return Key{
		ID:         k.id,
		DisplayID:  displayID(k.id),
		Name:       k.name,
		UserID:     k.userID,
		CreatedBy:  k.createdBy,
		CreatedAt:  k.createdAt,
		ExpiresAt:  clonePtr(k.expiresAt),
		RevokedAt:  clonePtr(k.revokedAt),
		LastUsedAt: clonePtr(k.lastUsedAt),
	}
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// Keys returns every key of u (a user or service account), revoked ones
// included, oldest first.
func (s *Server) Keys(u User) []Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Key
	for _, k := range s.keys.byOwner[u.ID] {
		out = append(out, k.export())
	}
	return out
}

// Key returns the server's view of the key with the given id.
func (s *Server) Key(id string) (Key, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys.byID[id]
	if k == nil {
		return Key{}, false
	}
	return k.export(), true
}

// SetLastUsed sets the last use of the key with the given id to at, as if
// the key had authenticated a request then; a zero at marks the key as
// never used. It is for tests of clients that judge keys by their last
// use. It panics if no key has that id.
func (s *Server) SetLastUsed(id string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys.byID[id]
	if k == nil {
		panic(fmt.Sprintf("anyscaletest: SetLastUsed: no key %q", id))
	}
	if at.IsZero() {
		k.lastUsedAt = nil
		return
	}
	at = at.UTC()
	k.lastUsedAt = &at
}

// AddKey gives u a key with any lifetime, bypassing the API's policy (0
// means it never expires, like a legacy key), and returns its id and
// secret. It is for tests of keys the API would refuse to create, such as
// keys over the 30-day policy. An empty name gets a generated one. It
// panics if u is not a current member or name is taken by an active key.
func (s *Server) AddKey(u User, name string, lifetime time.Duration) (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.mustMember(u, "AddKey")
	if name != "" && s.activeKeyNamed(a.userID, name) != nil {
		panic("anyscaletest: AddKey: " + u.Email + " has an active key named " + strconv.Quote(name))
	}
	secret, k := s.issueKey(a, a.userID, name, lifetime)
	return k.id, secret
}

// AddLegacyKey gives u a key without expiry, as keys made before the
// expiry policy are, and returns its id.
func (s *Server) AddLegacyKey(u User, name string) string {
	id, _ := s.AddKey(u, name, 0)
	return id
}

// issueKey creates a key for owner; lifetime 0 means no expiry and an
// empty name gets a generated one. Callers hold s.mu and have checked that
// name is free.
func (s *Server) issueKey(owner *account, createdBy, name string, lifetime time.Duration) (string, *apiKey) {
	if name == "" {
		name = s.generateName(owner.userID)
	}
	secret := newToken()
	k := &apiKey{
		seq:       s.nextSeq(),
		id:        keyID(secret),
		name:      name,
		userID:    owner.userID,
		createdBy: createdBy,
		createdAt: s.now,
	}
	if lifetime > 0 {
		exp := s.now.Add(lifetime)
		k.expiresAt = &exp
	}
	s.keys.add(k)
	return secret, k
}

// generateName returns a generated name unique among userID's active keys.
func (s *Server) generateName(userID string) string {
	for {
		if n := generatedKeyName(); s.activeKeyNamed(userID, n) == nil {
			return n
		}
	}
}

// activeKeyNamed finds userID's active key with exactly this name.
func (s *Server) activeKeyNamed(userID, name string) *apiKey {
	if k := s.keys.named[ownerName{userID, name}]; k != nil && k.active(s.now) {
		return k
	}
	return nil
}

// markUsed records that k authenticated a request now. Callers hold s.mu.
func (s *Server) markUsed(k *apiKey) {
	now := s.now
	k.lastUsedAt = &now
}

// revoke marks k revoked now.
func (s *Server) revoke(k *apiKey) {
	now := s.now
	k.revokedAt = &now
	s.keys.revoked(k)
}

// revokeAll revokes every unrevoked key of userID.
func (s *Server) revokeAll(userID string) {
	for _, k := range s.keys.byOwner[userID] {
		if k.revokedAt == nil {
			s.revoke(k)
		}
	}
}

func (s *Server) keyRoutes() {
	s.handle("POST "+PathCreateKey, s.createKey)
	s.handle("GET "+PathKeys, s.listOwnKeys)
	s.handle("DELETE "+PathKey+"{api_key_id}", s.revokeOwnKey)
	s.handle("POST "+PathRevokeKeys, s.bulkRevokeOwn)
	s.handle("GET "+PathRotateKey, s.rotateOwn)
	s.handle("GET "+PathOrgKeys, s.listAllKeys)
	s.handle("DELETE "+PathOrgKey+"{api_key_id}", s.revokeAnyKey)
	s.handle("POST "+PathOrgRevokeKeys, s.bulkRevokeAny)
	s.handle("POST "+PathRevokeAllForUser+"{user_id}", s.revokeAllForUser)
}

// createKey is POST /api/v2/users/create_api_key.
func (s *Server) createKey(r *http.Request, me *account) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	body := readBody(r)
	fields, bad := decodeObject(body, "duration", fieldKeyName, "user_id")
	if bad != nil {
		return *bad
	}
	name, bad := optionalString(fields, fieldKeyName)
	if bad != nil {
		return *bad
	}
	userID, bad := optionalString(fields, "user_id")
	if bad != nil {
		return *bad
	}

	owner := me
	if userID != "" {
		if me.role != Owner {
			return fail(http.StatusForbidden, "only organization owners can create keys for service accounts")
		}
		owner = s.member(userID)
		if owner == nil {
			return fail(http.StatusNotFound, "no user or service account %s in this organization", userID)
		}
		if !owner.service {
			return fail(statusKeyForHuman, "user_id must name a service account: users create their own keys")
		}
	}

	// The 30-day cap binds every key a caller makes for itself (a service
	// account using its own token included); only an owner making a key
	// for a service account through user_id may go beyond it.
	maxSeconds := int64(maxKeyLifetime / time.Second)
	if owner != me {
		maxSeconds = maxDurationSeconds
	}
	seconds, bad := parseDuration(fields["duration"], maxSeconds)
	if bad != nil {
		return *bad
	}
	if name != "" {
		if msg := checkKeyName(name); msg != "" {
			return fail(http.StatusUnprocessableEntity, "%s", msg)
		}
		if s.activeKeyNamed(owner.userID, name) != nil {
			return fail(http.StatusConflict, "an active API key named %q already exists: revoke it or pick another name", name)
		}
	}
	secret, _ := s.issueKey(owner, me.userID, name, time.Duration(seconds)*time.Second)
	return ok(sessionResult{ServerSessionID: secret})
}

// parseDuration validates the create_api_key duration: a required integer
// number of seconds, above 0 and at most max; errors use FastAPI's shape.
func parseDuration(raw json.RawMessage, max int64) (int64, *reply) {
	loc := bodyLoc("duration")
	if isNull(raw) {
		r := invalid(loc, "value_error.missing", "field required")
		return 0, &r
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		n = max + 1 // an integer too large for int64: over any limit
		if strings.HasPrefix(string(raw), "-") {
			n = 0
		}
	} else if err != nil {
		r := invalid(loc, "type_error.integer", "value is not a valid integer")
		return 0, &r
	}
	if n <= 0 {
		r := invalid(loc, "value_error.number.not_gt", "ensure this value is greater than 0")
		return 0, &r
	}
	if n > max {
		msg := "ensure this value is less than or equal to %d"
		if max == int64(maxKeyLifetime/time.Second) {
			msg += " (keys live at most 30 days)"
		}
		r := invalid(loc, "value_error.number.not_le", msg, max)
		return 0, &r
	}
	return n, nil
}

// listOwnKeys is GET /api/v2/users/api_keys.
func (s *Server) listOwnKeys(r *http.Request, me *account) reply {
	q := r.URL.Query()
	if bad := checkQuery(q, "name", "paging_token", "count"); bad != nil {
		return *bad
	}
	return s.listKeys(q, "own-keys:"+me.userID, s.keys.byOwner[me.userID], s.keys.ownerUnrevoked[me.userID], nil)
}

// listAllKeys is GET /api/v2/users/admin/api_keys.
func (s *Server) listAllKeys(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can list every key in the organization")
	}
	q := r.URL.Query()
	if bad := checkQuery(q, "name", "user_id", "created_by", "paging_token", "count"); bad != nil {
		return *bad
	}
	var keep func(*apiKey) bool
	if createdBy := q.Get("created_by"); createdBy != "" {
		keep = func(k *apiKey) bool { return k.createdBy == createdBy }
	}
	if userID := q.Get("user_id"); userID != "" {
		return s.listKeys(q, "org-keys", s.keys.byOwner[userID], s.keys.ownerUnrevoked[userID], keep)
	}
	return s.listKeys(q, "org-keys", s.keys.order, s.keys.unrevoked, keep)
}

// listKeys answers a key list out of keys (in creation order): newest
// first, name as a case-insensitive substring, revoked keys left out,
// expired ones kept, and keep (nil: every key) as a further filter.
// unrevoked is how many keys of the list are not revoked, its total when
// there is no filter. A page costs what it holds plus the keys skipped to
// fill it, whatever the list's length, so that listing is linear.
func (s *Server) listKeys(q url.Values, kind string, keys []*apiKey, unrevoked int, keep func(*apiKey) bool) reply {
	p, bad := parsePage(q, kind)
	if bad != nil {
		return *bad
	}
	name := strings.ToLower(q.Get("name"))
	match := func(k *apiKey) bool {
		return (k.revokedAt == nil || listsIncludeRevoked) && (keep == nil || keep(k)) &&
			(name == "" || strings.Contains(strings.ToLower(k.name), name))
	}
	// Newest first: walk down from the cursor's position.
	i := len(keys) - 1
	if p.hasCur {
		i = sort.Search(len(keys), func(j int) bool { return keys[j].seq >= p.after }) - 1
	}
	out := make([]apiKeyInfo, 0, min(p.count, len(keys)))
	next, last := "", int64(0)
	for ; i >= 0; i-- {
		k := keys[i]
		if !match(k) {
			continue
		}
		if len(out) == p.count { // one more: the page has a next
			next = "more"
			break
		}
		out = append(out, k.info())
		last = k.seq
	}
	// Unfiltered, the total is kept as keys come and go. Filtered, the
	// first page counts and later pages carry its count in the cursor, so
	// that a filtered list costs what it serves, page after page.
	total := unrevoked
	switch {
	case keep == nil && name == "" && !listsIncludeRevoked:
	case p.hasCur:
		total = p.total
	default:
		total = 0
		for _, k := range keys {
			if match(k) {
				total++
			}
		}
	}
	if next != "" {
		next = encodeCursor(kind, last, total)
	}
	return listReply(out, total, next)
}

// revokeOwnKey is DELETE /api/v2/users/api_keys/{api_key_id}.
func (s *Server) revokeOwnKey(r *http.Request, me *account) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	k := s.keys.byID[r.PathValue("api_key_id")]
	if k == nil || k.userID != me.userID || k.revokedAt != nil {
		return fail(http.StatusNotFound, "no API key %s among your active keys", r.PathValue("api_key_id"))
	}
	s.revoke(k)
	if statusRevokeOwn == http.StatusNoContent {
		return noContent()
	}
	return reply{status: statusRevokeOwn, body: resultEnvelope{Result: empty{}}}
}

// revokeAnyKey is DELETE /api/v2/users/admin/api_keys/{api_key_id}.
func (s *Server) revokeAnyKey(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can revoke other members' keys")
	}
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	k := s.keys.byID[r.PathValue("api_key_id")]
	if k == nil || k.revokedAt != nil {
		return fail(http.StatusNotFound, "no active API key %s in this organization", r.PathValue("api_key_id"))
	}
	s.revoke(k)
	if statusRevokeAdmin == http.StatusNoContent {
		return noContent()
	}
	return reply{status: statusRevokeAdmin, body: resultEnvelope{Result: empty{}}}
}

// bulkRevokeOwn is POST /api/v2/users/api_keys/revoke.
func (s *Server) bulkRevokeOwn(r *http.Request, me *account) reply {
	return s.bulkRevoke(r, func(k *apiKey) bool { return k.userID == me.userID })
}

// bulkRevokeAny is POST /api/v2/users/admin/api_keys/revoke.
func (s *Server) bulkRevokeAny(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can revoke other members' keys")
	}
	return s.bulkRevoke(r, func(*apiKey) bool { return true })
}

// bulkRevoke revokes the listed keys that mine allows and are not yet
// revoked, and answers the ids it revoked, in request order, once each
// (under WithUnknownRevokeAnswer, only how many, in another shape).
func (s *Server) bulkRevoke(r *http.Request, mine func(*apiKey) bool) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	body := readBody(r)
	fields, bad := decodeObject(body, fieldBulkIDs)
	if bad != nil {
		return *bad
	}
	raw := fields[fieldBulkIDs]
	if isNull(raw) {
		return invalid(bodyLoc(fieldBulkIDs), "value_error.missing", "field required")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return invalid(bodyLoc(fieldBulkIDs), "type_error.list", "value is not a valid list")
	}
	if len(elems) == 0 || len(elems) > maxBulkRevoke {
		return invalid(bodyLoc(fieldBulkIDs), "value_error.list.size",
			"%s must hold 1 to %d ids", fieldBulkIDs, maxBulkRevoke)
	}
	ids := make([]string, len(elems))
	for i, e := range elems {
		if err := json.Unmarshal(e, &ids[i]); err != nil || isNull(e) {
			return invalid(bodyLoc(fieldBulkIDs, i), "type_error.str", "str type expected")
		}
	}
	revoked := []string{}
	for _, id := range ids {
		k := s.keys.byID[id]
		if k == nil || k.revokedAt != nil || !mine(k) {
			continue
		}
		s.revoke(k)
		revoked = append(revoked, id)
	}
	return ok(revokeAnswer(revoked, s.unknownRevokeAnswer))
}

// rotateOwn is GET /api/v2/users/rotate_api_key: it revokes every key of
// the caller, the one in use included, and answers a new one.
func (s *Server) rotateOwn(r *http.Request, me *account) reply {
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	s.revokeAll(me.userID)
	secret, _ := s.issueKey(me, me.userID, "", rotatedKeyLifetime)
	return ok(sessionResult{ServerSessionID: secret})
}

// revokeAllForUser is POST
// /api/v2/organization_collaborators/rotate_api_key_for_user/{user_id}:
// it revokes every key of a user or service account and issues none.
func (s *Server) revokeAllForUser(r *http.Request, me *account) reply {
	if me.role != Owner {
		return fail(http.StatusForbidden, "only organization owners can revoke the keys of other accounts")
	}
	if bad := checkQuery(r.URL.Query()); bad != nil {
		return *bad
	}
	a := s.member(r.PathValue("user_id"))
	if a == nil {
		return fail(http.StatusNotFound, "no user or service account %s in this organization", r.PathValue("user_id"))
	}
	s.revokeAll(a.userID)
	return ok(empty{})
}
