package keys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// SourceRenewing is the auth.Source of the tokens a RenewingProvider
// serves; their Origin names the store.
const SourceRenewing auth.Source = "renewing"

// The waits between failed renewals: from the first to the longest, and
// never past the current key's expiry.
const (
	renewRetryFirst = 10 * time.Second
	renewRetryMax   = 10 * time.Minute
)

// RenewingProvider is an auth.Provider that serves the key a Store holds
// and renews it in the background before it expires: see Renewing. It is
// safe for concurrent use. Close stops it.
type RenewingProvider struct {
	c      *client.Client
	svc    *Service
	store  Store
	opts   RenewOptions
	before time.Duration
	origin string
	// now and after are the clock: c.Now and a timer, unless a test
	// replaced them before the first Token.
	now   func() time.Time
	after func(d time.Duration) (<-chan time.Time, func())

	// state is what Token answers: the current key's token, or an error.
	// Token reads it without a lock.
	state atomic.Pointer[serving]

	mu      sync.Mutex // guards the start and Close
	started bool
	closed  bool
	// fillErr is the error of a failed first Renew of an empty store; no
	// other is tried before fillAgain, so a caller that asks in a loop
	// does not send a renewal each time.
	fillErr   error
	fillAgain time.Time
	cancel    context.CancelFunc
	done      chan struct{}

	// The loop's own, written by the goroutine that runs it (or, before
	// it starts, by the start, under mu).
	cur      Stored    // the key served
	expires  time.Time // its expiry; zero: unknown or never
	never    bool      // the key never expires (a legacy key)
	looked   bool      // the expiry was looked up by KeyID
	failures int       // renewals failed in a row
	lastErr  error     // the last renewal's error
	retryAt  time.Time // no renewal before then, after a failure
}

// serving is one answer of Token.
type serving struct {
	tok auth.Token
	err error
}

// Renewing returns a provider of the key store holds that renews it, in
// the background, before it expires: for a long-running process.
//
// API: GET /api/v2/users/api_keys (once, when the stored expiry is unknown)
//
// API: GET /api/v2/userinfo/ (each renewal, as Renew)
//
// API: POST /api/v2/users/create_api_key (each renewal, as Renew)
//
// API: POST /api/v2/users/api_keys/revoke (each renewal, as Renew)
//
// It renews as Renew does (with c, acting as the identity whose key the
// store holds, under opts) once the key is within before of its expiry.
// Its Token is cheap: it hands out the current key from memory, and never
// one already revoked when it was asked (the new key is served from the
// moment it is saved and answers, before the older ones are revoked). Use
// it as a client's provider:
//
//	p := keys.Renewing(c, keys.FileStore(path), keys.RenewOptions{Name: "ci"}, 7*24*time.Hour)
//	defer p.Close()
//	work := c.WithAuth(p)
//
// An expiry the store does not know is looked up once by the stored
// KeyID; when neither is known, it renews at once. An empty store is
// filled on the first Token call, by a Renew with c's own token (the first
// run). While renewals fail it keeps serving the current key until that
// expires, retrying from 10 seconds to 10 minutes apart and reporting each
// failure on c's logger (client.Client.Logger, at level Warn); after the
// expiry, Token returns the last renewal's error. A key another process
// saved in the store meanwhile is taken up instead of renewing again.
//
// before must be positive and shorter than the lifetime of the keys it
// makes (opts.ExpiresIn, default MaxLifetime), and opts must be valid for
// Renew: otherwise every Token call returns the error, matching
// client.ErrInvalid. The clock is c.Now, the server's.
func Renewing(c *client.Client, store Store, opts RenewOptions, before time.Duration) *RenewingProvider {
	p := &RenewingProvider{c: c, store: store, opts: opts, before: before, origin: storeName(store),
		after: realTimer, done: make(chan struct{})}
	if c != nil {
		p.svc, p.now = New(c), c.Now
	}
	return p
}

// realTimer is the provider's timer unless a test replaces it.
func realTimer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// storeName names a store for a token's Origin and for logs.
func storeName(store Store) string {
	if s, ok := store.(fmt.Stringer); ok {
		return s.String()
	}
	return "the key store"
}

// Token returns the current key.
//
// API: GET /api/v2/userinfo/, POST /api/v2/users/create_api_key (the first call, on an empty store, as Renew)
//
// The first call loads the store and starts the renewals; the others read
// memory only, sending nothing. After Close it returns an error.
func (p *RenewingProvider) Token(ctx context.Context) (auth.Token, error) {
	if err := ctxguard.Check(ctx, "keys.RenewingProvider.Token"); err != nil {
		return auth.Token{}, err
	}
	if s := p.state.Load(); s != nil {
		return s.tok, s.err
	}
	if err := ctx.Err(); err != nil {
		return auth.Token{}, err
	}
	return p.start(ctx)
}

// Invalidate does nothing: the provider always serves its newest key.
// It is there so that a client that got a 401 (a key revoked by a renewal
// while its request was on the way) asks again, and gets the new key.
func (p *RenewingProvider) Invalidate() {}

// Close stops the renewals and waits for one under way to end; Token then
// returns an error. Close may be called more than once.
func (p *RenewingProvider) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	started, cancel := p.started, p.cancel
	p.mu.Unlock()
	if started {
		cancel()
		<-p.done
	}
	p.state.Store(&serving{err: fmt.Errorf("keys: renewing %q: %w", p.opts.Name, errClosed)})
}

var errClosed = errors.New("the renewing provider is closed")

// fillBackoff is how long a failed first Renew of an empty store is
// answered from memory before another is tried.
const fillBackoff = 10 * time.Second

// start loads the store (filling an empty one with a first Renew), serves
// its key and starts the renewals. Concurrent first calls start it once;
// a start that fails is tried again by the next call.
func (p *RenewingProvider) start(ctx context.Context) (auth.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.state.Load(); s != nil {
		return s.tok, s.err
	}
	if p.closed {
		return auth.Token{}, fmt.Errorf("keys: renewing %q: %w", p.opts.Name, errClosed)
	}
	if err := p.check(); err != nil {
		p.state.Store(&serving{err: err})
		return auth.Token{}, err
	}
	if p.fillErr != nil && p.now().Before(p.fillAgain) {
		return auth.Token{}, p.fillErr
	}
	held, err := p.store.Load(ctx)
	switch {
	case errors.Is(err, client.ErrNotFound):
		// The first run: the client's own token makes the first key.
		if _, err := p.svc.renew(ctx, p.store, p.opts, p.serve); err != nil && !p.served() {
			p.fillErr = fmt.Errorf("keys: renewing %q: filling the empty store (tried again from %s on): %w",
				p.opts.Name, p.now().Add(fillBackoff).UTC().Format(time.RFC3339), err)
			p.fillAgain = p.now().Add(fillBackoff)
			return auth.Token{}, p.fillErr
		}
	case err != nil:
		return auth.Token{}, fmt.Errorf("keys: renewing %q: loading the stored key: %w", p.opts.Name, err)
	default:
		p.serve(held)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	p.started, p.cancel = true, cancel
	go p.loop(loopCtx)
	s := p.state.Load()
	return s.tok, s.err
}

// check refuses what no renewal can pass.
func (p *RenewingProvider) check() error {
	if p.c == nil || p.store == nil {
		return fmt.Errorf("keys: %w: Renewing needs a client and a store", client.ErrInvalid)
	}
	if err := p.opts.check(); err != nil {
		return err
	}
	lifetime := p.opts.ExpiresIn
	if lifetime == 0 {
		lifetime = MaxLifetime
	}
	if p.before <= 0 || p.before >= lifetime {
		return fmt.Errorf("keys: %w: Renewing's before (%s) must be positive and shorter than the keys' lifetime (%s)", client.ErrInvalid, p.before, lifetime)
	}
	return nil
}

// served reports whether a key is being served.
func (p *RenewingProvider) served() bool { s := p.state.Load(); return s != nil && s.err == nil }

// serve makes s the key Token hands out, from now on.
func (p *RenewingProvider) serve(s Stored) {
	p.cur, p.expires, p.never, p.looked = s, s.ExpiresAt, false, false
	p.failures, p.lastErr, p.retryAt = 0, nil, time.Time{}
	p.state.Store(&serving{tok: auth.Token{Value: s.Secret, Source: SourceRenewing, Origin: p.origin}})
}

// loop renews the key when it is due, until ctx ends.
func (p *RenewingProvider) loop(ctx context.Context) {
	defer close(p.done)
	for {
		p.step(ctx)
		wait, ok := p.nextWake(p.now())
		if !ok { // a key that never expires: nothing to do
			<-ctx.Done()
			return
		}
		tick, stop := p.after(wait)
		select {
		case <-ctx.Done():
			stop()
			return
		case <-tick:
		}
	}
}

// step does what is due at now: look the expiry up, renew, or, once the
// key expired unrenewed, make Token return the renewal's error.
func (p *RenewingProvider) step(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	now := p.now()
	if p.expires.IsZero() && !p.never && !p.looked && p.cur.KeyID != "" && now.Compare(p.retryAt) >= 0 {
		if err := p.lookUp(ctx); err != nil {
			p.failed(ctx, now, fmt.Errorf("keys: renewing %q: looking up the stored key's expiry: %w", p.opts.Name, err))
			return
		}
	}
	if p.due(now) && now.Compare(p.retryAt) >= 0 {
		p.renewNow(ctx, now)
	}
	if !p.expires.IsZero() && now.Compare(p.expires) >= 0 {
		// The key expired, and no renewal replaced it.
		err := p.lastErr
		if err == nil {
			err = fmt.Errorf("keys: renewing %q: the stored key expired at %s before it could be renewed", p.opts.Name, p.expires.UTC().Format(time.RFC3339))
		}
		p.state.Store(&serving{err: err})
	}
}

// due reports whether the key is to be renewed at now: within before of
// its expiry, or of an expiry nobody knows.
func (p *RenewingProvider) due(now time.Time) bool {
	switch {
	case p.never:
		return false
	case p.expires.IsZero():
		return true
	}
	return now.Compare(p.expires.Add(-p.before)) >= 0
}

// lookUp finds the current key's expiry by its id, in the list of its
// owner's keys, once.
func (p *RenewingProvider) lookUp(ctx context.Context) error {
	acting := New(p.c.WithAuth(auth.StaticSecret(p.cur.Secret)))
	for k, err := range acting.All(ctx, ListOptions{}) {
		if err != nil {
			return err
		}
		if k.ID == p.cur.KeyID {
			p.looked = true
			if k.ExpiresAt == nil {
				p.never = true
			} else {
				p.expires = *k.ExpiresAt
			}
			return nil
		}
	}
	p.looked = true // not listed: unknown, so it renews
	return nil
}

// renewNow renews the key, or takes up a newer one another process stored.
func (p *RenewingProvider) renewNow(ctx context.Context, now time.Time) {
	if held, err := p.store.Load(ctx); err == nil && held.Secret != p.cur.Secret &&
		!held.ExpiresAt.IsZero() && now.Compare(held.ExpiresAt.Add(-p.before)) < 0 {
		p.serve(held)
		return
	}
	renewed := false
	res, err := p.svc.renew(ctx, p.store, p.opts, func(s Stored) { p.serve(s); renewed = true })
	switch {
	case renewed && err != nil:
		// The new key is served; some older ones are still active.
		p.c.Logger().LogAttrs(ctx, slog.LevelWarn, "anyscale: renewed the key; some older keys of its lineage were not revoked (the next renewal revokes them)",
			slog.String("name", p.opts.Name), slog.String("key_id", res.New.ID), slog.String("error", advice.Facts(err)))
	case renewed:
	case ctx.Err() != nil: // closed
	default:
		p.failed(ctx, now, err)
	}
}

// failed records a failed renewal at now, reports it, and sets when to
// try again.
func (p *RenewingProvider) failed(ctx context.Context, now time.Time, err error) {
	if ctx.Err() != nil {
		return
	}
	p.failures++
	p.lastErr = err
	wait := renewRetryFirst << min(p.failures-1, 10)
	wait = min(wait, renewRetryMax)
	p.retryAt = now.Add(wait)
	attrs := []slog.Attr{slog.String("name", p.opts.Name), slog.String("key_id", p.cur.KeyID),
		slog.Int("failures", p.failures), slog.Time("retry_at", p.retryAt), slog.String("error", advice.Facts(err))}
	if !p.expires.IsZero() {
		attrs = append(attrs, slog.Time("expires_at", p.expires))
	}
	p.c.Logger().LogAttrs(ctx, slog.LevelWarn, "anyscale: renewing the key failed; the current key is served until it expires", attrs...)
}

// nextWake is how long to wait from now for the next thing due: the
// renewal, a retry, the expiry; ok is false when nothing ever will be.
func (p *RenewingProvider) nextWake(now time.Time) (time.Duration, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	switch {
	case p.never:
		return 0, false
	case p.expires.IsZero():
		consider(p.retryAt) // unknown: renewing, again after a failure
		if next.IsZero() {
			next = now
		}
	default:
		renewAt := p.expires.Add(-p.before)
		if now.Before(renewAt) {
			consider(renewAt)
		} else {
			consider(p.retryAt)
		}
		if now.Before(p.expires) {
			consider(p.expires)
		}
	}
	if next.IsZero() {
		next = now.Add(renewRetryMax)
	}
	return max(next.Sub(now), 0), true
}
