package keys

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/organization"
)

// MinIDPrefix is the shortest prefix of a key's id that Resolve takes.
const MinIDPrefix = 8

// Resolve returns the caller's active key that ref names.
//
// API: GET /api/v2/users/api_keys
//
// ref is the key's id, a unique prefix of its id (MinIDPrefix characters
// or more), its display id or its name; Resolve reads every page. An exact
// id wins; otherwise every active key that ref matches in any of these
// forms counts: exactly one is returned, none is client.ErrNotFound,
// several are an *AmbiguousError (matching client.ErrConflict) that lists
// them. Expired and revoked keys never resolve: a key's status is judged
// by the server's clock (client.Client.Now).
func (s *Service) Resolve(ctx context.Context, ref string) (*Key, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Resolve"); err != nil {
		return nil, err
	}
	return s.resolve(ctx, ref, nil)
}

// Resolve returns the organization's active key that ref names (owners
// only).
//
// API: GET /api/v2/users/admin/api_keys
//
// API: GET /api/v2/organization_collaborators/
//
// It resolves as (*Service).Resolve does, among every user's and service
// account's keys. On several matches it reads the member list and each
// member's keys (until every match is placed), so that the
// *AmbiguousError names each match's owner.
func (s *OrgService) Resolve(ctx context.Context, ref string) (*Key, error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.Resolve"); err != nil {
		return nil, err
	}
	return s.resolve(ctx, ref, s.namedOwners)
}

// Match is one key a reference matched, and how.
type Match struct {
	Key Key
	// By is how the reference matched: "id prefix", "display id" or "name"
	// (several joined by ", ").
	By string
	// Owner is the key's owner's email (a service account's included), or
	// its user id when the member list has no email for it; empty in the
	// caller's own scope.
	Owner string
}

// AmbiguousError is Resolve's error when a reference matches several
// active keys. It matches client.ErrConflict.
type AmbiguousError struct {
	Ref     string
	Matches []Match
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keys: %q matches %d active keys:", e.Ref, len(e.Matches))
	for _, m := range e.Matches {
		fmt.Fprintf(&b, " %s (name %q, %s", m.Key.ID, m.Key.Name, m.By)
		if m.Owner != "" {
			fmt.Fprintf(&b, ", owner %s", m.Owner)
		}
		b.WriteString(");")
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Is makes the error match client.ErrConflict.
func (e *AmbiguousError) Is(target error) bool { return target == client.ErrConflict }

// AdviceOf says what to do next as data: name one of the matches by its id.
func (e *AmbiguousError) AdviceOf() (advice.Advice, bool) {
	return advice.Advice{Action: advice.Refine, Subject: e.Ref}, true
}

// ownersFunc fills in the Owner of each match.
type ownersFunc func(ctx context.Context, matches []Match) error

func (s scope) resolve(ctx context.Context, ref string, owners ownersFunc) (*Key, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("keys: %w: the key reference is empty; give a key's id, id prefix, display id or name", client.ErrInvalid)
	}
	var matches []Match
	var now time.Time
	for k, err := range s.all(ctx, ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("keys: resolving %q: %w", ref, err)
		}
		if now.IsZero() {
			now = s.c.Now() // after the first page: the server's clock
		}
		if k.Status(now) != Active {
			continue
		}
		if k.ID == ref {
			return &k, nil
		}
		if by := matchedBy(k, ref); by != "" {
			matches = append(matches, Match{Key: k, By: by})
		}
	}
	switch len(matches) {
	case 0:
		return nil, advice.Wrap(fmt.Errorf("keys: %w: no active key has the id, id prefix, display id or name %q", client.ErrNotFound, ref),
			advice.Advice{Action: advice.ListToFind, Subject: ref}, "list the keys with All to find it")
	case 1:
		return &matches[0].Key, nil
	}
	if owners != nil {
		if err := owners(ctx, matches); err != nil {
			return nil, fmt.Errorf("keys: %w: %q matches %d active keys, and their owners could not be listed: %w", client.ErrConflict, ref, len(matches), err)
		}
	}
	return nil, &AmbiguousError{Ref: ref, Matches: matches}
}

// matchedBy says how ref names k other than by its exact id: "" for not
// at all.
func matchedBy(k Key, ref string) string {
	var by []string
	if len(ref) >= MinIDPrefix && strings.HasPrefix(k.ID, ref) {
		by = append(by, "id prefix")
	}
	if k.DisplayID == ref {
		by = append(by, "display id")
	}
	if k.Name == ref {
		by = append(by, "name")
	}
	return strings.Join(by, ", ")
}

// namedOwners fills in each match's owner from the member list (the
// organization audit's owners): one listing of each member's keys, until
// every match is placed.
func (s *OrgService) namedOwners(ctx context.Context, matches []Match) error {
	owners, err := s.owners(ctx)
	if err != nil {
		return err
	}
	left := len(matches)
	for _, o := range owners {
		// One listing of each member's keys, until every match is placed.
		for k, err := range s.all(ctx, ListOptions{Owner: organization.ByUserID(o.userID)}) {
			if err != nil {
				return err
			}
			for i := range matches {
				if matches[i].Owner == "" && matches[i].Key.ID == k.ID {
					matches[i].Owner = cmp.Or(o.email, o.userID)
					matches[i].Key.OwnerID = o.userID
					left--
				}
			}
		}
		if left == 0 {
			return nil
		}
	}
	return nil
}
