package keys

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// renewStamp is the UTC time in a renewed key's name.
const renewStamp = "20060102T150405Z"

// RenewOptions says which keys Renew replaces and how the new one lives.
type RenewOptions struct {
	// Name is the lineage, and is required: new keys are named
	// Name-<UTC time as 20060102T150405Z>, with -2, -3… added when that
	// name is taken, and the lineage is exactly the active keys named so.
	Name string
	// ExpiresIn is the new key's lifetime: at least a second, at most
	// MaxLifetime (the default).
	ExpiresIn time.Duration
	// Keep is how many older keys of the lineage stay active beside the
	// new one, for an overlap (default 0). The key the store held is kept
	// first, then the newest.
	Keep int
}

// RenewResult is what Renew did.
type RenewResult struct {
	// New is the key the store now holds.
	New Key
	// Revoked lists the ids of the lineage's keys this call revoked.
	Revoked []string
	// Failed holds the lineage's keys that could not be revoked, by id;
	// a later Renew revokes them.
	Failed map[string]error
}

// Renew replaces the key that store holds with a new one, in an order
// that never loses access.
//
// API: GET /api/v2/userinfo/
//
// API: GET /api/v2/users/api_keys
//
// API: POST /api/v2/users/create_api_key
//
// API: POST /api/v2/users/api_keys/revoke
//
// API: DELETE /api/v2/users/api_keys/{api_key_id}
//
// Renew creates the new key, saves it in store, checks that it answers as
// the same identity, and only then revokes, with the new key, the
// lineage's older keys beyond opts.Keep. It acts as the identity whose
// secret store holds, or, when store is empty (the first run), as the
// client's own token. Keys outside the lineage are never touched.
//
// A failure at any step leaves store holding a key that works, and
// running Renew again finishes the job, revoking the keys an earlier run
// left behind. The error is non-nil when a step failed; once the new key
// is saved and checked, the result's New is set even if some revocations
// failed (they are in Failed). This is the way for a service account on
// its own token to replace its key; Rotate revokes everything at once.
func (s *Service) Renew(ctx context.Context, store Store, opts RenewOptions) (*RenewResult, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Renew"); err != nil {
		return nil, err
	}
	return s.renew(ctx, store, opts, nil)
}

// renew is Renew. ready, when not nil, is called with what the store now
// holds once the new key is saved and answers, before any older key is
// revoked: Renewing serves the new key from then on, so that no caller is
// handed a key already revoked.
func (s *Service) renew(ctx context.Context, store Store, opts RenewOptions, ready func(Stored)) (*RenewResult, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if opts.ExpiresIn == 0 {
		opts.ExpiresIn = MaxLifetime
	}
	old, err := store.Load(ctx)
	held := err == nil
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		return nil, fmt.Errorf("keys: renewing %q: loading the stored key: %w", opts.Name, err)
	}
	acting := s.c
	if held {
		acting = s.c.WithAuth(auth.StaticSecret(old.Secret))
	}
	// The identity must answer before anything changes: a stored key that
	// no longer works is reported as it is, with nothing made.
	me, err := acting.WhoAmI(ctx)
	if err == nil && me.ID == "" {
		err = fmt.Errorf("%w: the answer names no user", client.ErrMalformedResponse)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: renewing %q: the current key does not answer (nothing was changed): %w", opts.Name, err)
	}
	now := s.c.Now() // after WhoAmI's answer: the server's clock
	lineage, err := New(acting).lineage(ctx, opts.Name, now)
	if err != nil {
		return nil, fmt.Errorf("keys: renewing %q: listing its keys (nothing was changed): %w", opts.Name, err)
	}

	// The new key's name is unique among the active keys: when Create
	// could not read the key back, it is known by that name (its ID stays
	// empty: nothing maps a secret to its id), and never revoked as an
	// older key.
	made, err := New(acting).Create(ctx, CreateRequest{Name: freeName(opts.Name, now, lineage), ExpiresIn: opts.ExpiresIn})
	if err != nil {
		return nil, renewAgain(fmt.Errorf("keys: renewing %q: creating the new key (the store still holds the key it held): %w", opts.Name, err), opts.Name)
	}
	fresh := made.Key
	next := Stored{Secret: made.Secret, KeyID: fresh.ID}
	if fresh.ExpiresAt != nil {
		next.ExpiresAt = *fresh.ExpiresAt
	}
	checked := s.c.WithAuth(auth.StaticSecret(made.Secret))
	check := func() error {
		who, err := checked.WhoAmI(ctx)
		if err == nil && who.ID != me.ID {
			err = fmt.Errorf("%w: the new key answers as %q, not as %s", client.ErrMalformedResponse, who.ID, me.ID)
		}
		return err
	}
	if !held {
		// An empty store held no key that works: the new key is checked
		// before it is saved, so the store never holds one that does not
		// (a crash in between leaves a key nobody holds, which the next
		// run revokes).
		if err := check(); err != nil {
			return nil, renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: the new key failed its check, so the store stays empty: %w", opts.Name, err)), opts.Name)
		}
		if err := store.Save(ctx, next); err != nil {
			return nil, renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: saving the new key: %w", opts.Name, err)), opts.Name)
		}
	} else {
		// A save that failed may still have saved: the new key is left
		// alone (a later run revokes it if it is held nowhere).
		if err := store.Save(ctx, next); err != nil {
			return nil, renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: saving the new key (the store should still hold the key it held): %w", opts.Name, err)), opts.Name)
		}
		if err := check(); err != nil {
			return nil, s.putBack(store, old, next, opts.Name, err)
		}
	}

	if ready != nil {
		ready(next)
	}
	result := &RenewResult{New: fresh, Failed: map[string]error{}}
	lineage, err = New(checked).lineage(ctx, opts.Name, s.c.Now())
	if err != nil {
		return result, renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: the new key is stored and works, but the older keys could not be listed for revocation: %w", opts.Name, err)), opts.Name)
	}
	for _, k := range lineage {
		if fresh.ID == "" && k.Name == fresh.Name {
			fresh = k // the listing knows the key Create could not read back
		}
	}
	result.New = fresh
	// Another process may have saved a key of its own since: the key the
	// store holds now is never revoked.
	protect := next.KeyID
	if cur, err := store.Load(ctx); err == nil && cur.Secret != next.Secret {
		protect = cur.KeyID
	}
	stale := staleKeys(lineage, fresh, old.KeyID, protect, opts.Keep)
	if len(stale) == 0 {
		return result, nil
	}
	res, err := New(checked).RevokeMany(ctx, stale)
	if res != nil {
		result.Revoked = res.Revoked
		maps.Copy(result.Failed, res.Failed)
	}
	if err != nil {
		// The failures themselves, in the order given, without RevokeMany's
		// own "keys:" clause: one package name per message (RevokeMany's
		// error is set exactly when some are in Failed).
		var each []error
		for _, id := range stale {
			if e, ok := result.Failed[id]; ok {
				each = append(each, e)
			}
		}
		return result, renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: the new key is stored and works, but %d older keys were not revoked:\n%w", opts.Name, len(result.Failed), errors.Join(each...))), opts.Name)
	}
	return result, nil
}

func (o RenewOptions) check() error {
	if o.Name == "" {
		return advice.Wrap(fmt.Errorf("keys: %w: the lineage's name is required: it names the keys a renewal makes and replaces", client.ErrInvalid), advice.Advice{}, "set RenewOptions.Name")
	}
	if err := validateName(o.Name + "-" + renewStamp + "-99"); err != nil {
		return err
	}
	if o.ExpiresIn != 0 {
		if err := validateExpiry(o.ExpiresIn); err != nil {
			return err
		}
	}
	if o.Keep < 0 {
		return fmt.Errorf("keys: %w: the number of older keys to keep is negative (%d)", client.ErrInvalid, o.Keep)
	}
	return nil
}

// putBack answers a new key that failed its check after it was saved: the
// key held before goes back into the store, unless the store no longer
// holds the new key (another process saved since, and its key stands).
func (s *Service) putBack(store Store, old, next Stored, name string, checkErr error) error {
	ctx := context.Background() // the caller's may be why the check failed
	cur, err := store.Load(ctx)
	if err != nil || cur.Secret != next.Secret {
		return renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: the new key failed its check, and the store no longer holds it: %w", name, checkErr)), name)
	}
	if err := store.Save(ctx, old); err != nil {
		return acted.Mark(fmt.Errorf("keys: renewing %q: the new key, now stored, failed its check (%w), and the key held before could not be put back: %w", name, checkErr, err))
	}
	return renewAgain(acted.Mark(fmt.Errorf("keys: renewing %q: the new key failed its check; the store holds the key it held: %w", name, checkErr)), name)
}

// renewAgain adds the advice every failed Renew ends with: run it again.
func renewAgain(err error, name string) error {
	return advice.Wrap(err, advice.Advice{Action: advice.RunAgain, Subject: name}, "run Renew again: it finishes the job")
}

// lineage returns the active keys named name-<stamp> or name-<stamp>-<n>.
// It reads every key of the caller's: how the server matches a name filter
// (exactly, or as a part) is not known.
func (s *Service) lineage(ctx context.Context, name string, now time.Time) ([]Key, error) {
	pattern := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `-\d{8}T\d{6}Z(-[1-9][0-9]*)?$`)
	var out []Key
	for k, err := range s.All(ctx, ListOptions{}) {
		if err != nil {
			return nil, err
		}
		if k.Status(now) == Active && pattern.MatchString(k.Name) {
			out = append(out, k)
		}
	}
	return out, nil
}

// freeName is the lineage's name for a key made at now that no active key
// of the lineage has.
func freeName(name string, now time.Time, lineage []Key) string {
	base := name + "-" + now.UTC().Format(renewStamp)
	taken := map[string]bool{}
	for _, k := range lineage {
		taken[k.Name] = true
	}
	candidate := base
	for n := 2; taken[candidate]; n++ {
		candidate = base + "-" + strconv.Itoa(n)
	}
	return candidate
}

// staleKeys returns the ids of the lineage's keys to revoke: all but the
// new key (by its id, or by its unique name while its id is unknown), the
// key protect names, and keep others, keeping the key the store held first,
// then the newest.
func staleKeys(lineage []Key, fresh Key, heldID, protect string, keep int) []string {
	others := slices.DeleteFunc(slices.Clone(lineage), func(k Key) bool {
		return k.ID == fresh.ID || k.Name == fresh.Name || protect != "" && k.ID == protect
	})
	slices.SortStableFunc(others, func(a, b Key) int {
		switch {
		case a.ID == heldID && b.ID != heldID:
			return -1
		case b.ID == heldID && a.ID != heldID:
			return 1
		}
		return cmp.Compare(b.CreatedAt.UnixNano(), a.CreatedAt.UnixNano())
	})
	var stale []string
	for i, k := range others {
		if i >= keep {
			stale = append(stale, k.ID)
		}
	}
	return stale
}
