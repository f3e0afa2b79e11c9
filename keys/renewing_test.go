package keys_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// fakeClock is a clock the test moves: timers fire when Advance passes
// their deadline, and idle tells when the provider waits on one.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	idle   chan struct{}
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, idle: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch, func() {}
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), c: ch})
	c.idle <- struct{}{}
	return ch, func() {}
}

// Advance moves the clock and fires the timers it passes; it returns how
// many fired.
func (c *fakeClock) Advance(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	fired := 0
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.c <- c.now
		fired++
	}
	c.timers = kept
	return fired
}

// step advances the clock by d and, when that woke the provider, waits
// until it is idle again.
func (c *fakeClock) step(t *testing.T, d time.Duration) {
	t.Helper()
	if c.Advance(d) > 0 {
		c.waitIdle(t)
	}
}

// waitIdle waits until the provider waits on a timer: it is done with
// what was due.
func (c *fakeClock) waitIdle(t *testing.T) {
	t.Helper()
	select {
	case <-c.idle:
	case <-time.After(10 * time.Second):
		t.Fatal("the provider never went idle")
	}
}

// logRecorder keeps the records a client logs.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

// warnings returns the text of every Warn record, attributes included.
func (h *logRecorder) warnings() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level != slog.LevelWarn {
			continue
		}
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
		out = append(out, b.String())
	}
	return out
}

// idOf is the id the fake lists a key under: the hex SHA-256 of its secret.
func idOf(secret credentials.Secret) string {
	sum := sha256.Sum256([]byte(secret.Reveal()))
	return hex.EncodeToString(sum[:])
}

// renewingWorld is a service account whose key, in a file store, a
// RenewingProvider serves, on a clock the test moves.
type renewingWorld struct {
	*renewWorld
	clock *fakeClock
	logs  *logRecorder
	c     *client.Client // the provider's client, logging to logs
	first keys.Stored    // what the store held at the start
}

const renewBefore = 7 * 24 * time.Hour

func newRenewingWorld(t *testing.T) *renewingWorld {
	t.Helper()
	w := &renewingWorld{renewWorld: newRenewWorld(t), logs: &logRecorder{}}
	var err error
	w.c, err = w.srv.Client(w.sa, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}), client.WithLogger(slog.New(w.logs)))
	require.NoError(t, err)
	// A first key of the lineage, in the store.
	_, err = keys.New(w.c).Renew(context.Background(), w.store, keys.RenewOptions{Name: "ci"})
	require.NoError(t, err)
	w.first, err = w.store.Load(context.Background())
	require.NoError(t, err)
	require.False(t, w.first.ExpiresAt.IsZero())
	w.clock = newFakeClock(w.srv.Now())
	return w
}

func (w *renewingWorld) provider(t *testing.T, before time.Duration) *keys.RenewingProvider {
	p := keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, before)
	keys.SetRenewingClock(p, w.clock.Now, w.clock.After)
	t.Cleanup(p.Close)
	return p
}

func (w *renewingWorld) requests(method, path string) int {
	n := 0
	for _, r := range w.srv.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// It serves the stored key, from memory; once within before of its
// expiry it renews it in the background, serving the new key before the
// old one is revoked.
func TestRenewingServesThenRenews(t *testing.T) {
	ctx := context.Background()
	w := newRenewingWorld(t)
	p := w.provider(t, renewBefore)

	tok, err := p.Token(ctx)
	require.NoError(t, err)
	assert.True(t, tok.Value == w.first.Secret, "the stored key")
	assert.Equal(t, keys.SourceRenewing, tok.Source)
	assert.Equal(t, "file "+w.path, tok.Origin)
	w.clock.waitIdle(t)
	before := len(w.srv.Requests())
	for range 100 {
		again, err := p.Token(ctx)
		require.NoError(t, err)
		require.True(t, again.Value == w.first.Secret)
	}
	assert.Equal(t, before, len(w.srv.Requests()), "Token sends nothing")

	// Not yet due: nothing happens.
	w.clock.step(t, w.first.ExpiresAt.Sub(w.clock.Now())-renewBefore-time.Minute)
	assert.Equal(t, before, len(w.srv.Requests()))

	// Due: the key is renewed, the new one served and stored, the old one
	// revoked.
	w.clock.step(t, 2*time.Minute)
	tok, err = p.Token(ctx)
	require.NoError(t, err)
	assert.False(t, tok.Value == w.first.Secret, "a new key")
	stored := w.assertStoreWorks(t)
	assert.True(t, stored.Secret == tok.Value, "the store holds the key served")
	old, _ := w.srv.Key(w.first.KeyID)
	assert.NotNil(t, old.RevokedAt, "the old key is revoked")
	assert.Equal(t, []string{stored.KeyID}, w.lineage())
	assert.Empty(t, w.logs.warnings())
}

// No caller is ever handed a key that was already revoked when it asked:
// the new key is served before the old one is revoked, even while the
// revocation's answer is slow.
func TestRenewingNeverHandsOutARevokedKey(t *testing.T) {
	ctx := context.Background()
	w := newRenewingWorld(t)
	p := w.provider(t, renewBefore)
	_, err := p.Token(ctx)
	require.NoError(t, err)
	w.clock.waitIdle(t)

	// The bulk revoke acts at once and answers late.
	w.srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/api_keys/revoke", Delay: 300 * time.Millisecond, AfterHandler: true})
	revoked := func() map[string]bool {
		out := map[string]bool{}
		for _, k := range w.srv.Keys(w.sa) {
			if k.RevokedAt != nil {
				out[k.ID] = true
			}
		}
		return out
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var asked atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				gone := revoked() // before asking
				tok, err := p.Token(ctx)
				if !assert.NoError(t, err) {
					return
				}
				asked.Add(1)
				if gone[idOf(tok.Value)] {
					assert.Fail(t, "Token handed out a key revoked before it was asked")
					return
				}
			}
		}()
	}
	w.clock.step(t, w.first.ExpiresAt.Sub(w.clock.Now())-renewBefore)
	stop.Store(true)
	wg.Wait()
	assert.Positive(t, asked.Load())
	old, _ := w.srv.Key(w.first.KeyID)
	require.NotNil(t, old.RevokedAt, "the renewal revoked the old key")
}

// While renewals fail, the current key is served until it expires, each
// failure reported on the client's logger (never the key); after that,
// Token returns the renewal's error.
func TestRenewingFailuresServeUntilExpiry(t *testing.T) {
	ctx := context.Background()
	w := newRenewingWorld(t)
	p := w.provider(t, renewBefore)
	_, err := p.Token(ctx)
	require.NoError(t, err)
	w.clock.waitIdle(t)

	w.srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: "/api/v2/users/create_api_key", Status: 500, Times: 1000})
	w.clock.step(t, w.first.ExpiresAt.Sub(w.clock.Now())-renewBefore)
	for i := 0; w.clock.Now().Before(w.first.ExpiresAt.Add(-time.Hour)); i++ {
		tok, err := p.Token(ctx)
		require.NoError(t, err)
		require.True(t, tok.Value == w.first.Secret, "the current key, while it lasts")
		w.clock.step(t, time.Hour)
	}
	warnings := w.logs.warnings()
	require.NotEmpty(t, warnings)
	for _, line := range warnings {
		assert.Contains(t, line, "renewing the key failed")
		assert.Contains(t, line, "500")
		assert.NotContains(t, line, w.first.Secret.Reveal(), "never the key")
	}
	fails := len(warnings)
	assert.Greater(t, fails, 10, "retried, and each failure reported")
	assert.Less(t, fails, 7*24*6+10, "not more often than every ten minutes")

	w.clock.step(t, 2*time.Hour) // past the expiry
	_, err = p.Token(ctx)
	require.Error(t, err, "the key expired, unrenewed")
	assert.ErrorIs(t, err, client.ErrServer, "the renewal's error")
	assert.Contains(t, err.Error(), "renewing \"ci\"")
}

// An expiry the store does not know is looked up by the key id, once;
// neither known, it renews at once.
func TestRenewingUnknownExpiry(t *testing.T) {
	ctx := context.Background()
	t.Run("looked up once", func(t *testing.T) {
		w := newRenewingWorld(t)
		require.NoError(t, w.store.Save(ctx, keys.Stored{Secret: w.first.Secret, KeyID: w.first.KeyID}))
		p := w.provider(t, renewBefore)
		lists := w.requests(http.MethodGet, "/api/v2/users/api_keys")
		_, err := p.Token(ctx)
		require.NoError(t, err)
		w.clock.waitIdle(t)
		w.clock.step(t, time.Hour)
		assert.Equal(t, lists+1, w.requests(http.MethodGet, "/api/v2/users/api_keys"), "one look-up")
		assert.Zero(t, w.requests(http.MethodPost, "/api/v2/users/create_api_key")-1, "no renewal: 30 days left")
		// Found: it renews when due.
		w.clock.step(t, w.first.ExpiresAt.Sub(w.clock.Now())-renewBefore)
		tok, err := p.Token(ctx)
		require.NoError(t, err)
		assert.False(t, tok.Value == w.first.Secret)
	})
	t.Run("neither known", func(t *testing.T) {
		w := newRenewingWorld(t)
		require.NoError(t, w.store.Save(ctx, keys.Stored{Secret: w.first.Secret}))
		p := w.provider(t, renewBefore)
		_, err := p.Token(ctx)
		require.NoError(t, err)
		w.clock.waitIdle(t)
		tok, err := p.Token(ctx)
		require.NoError(t, err)
		assert.False(t, tok.Value == w.first.Secret, "renewed at once")
		w.assertStoreWorks(t)
	})
}

// An empty store is filled on the first Token call, with the client's
// own token.
func TestRenewingEmptyStore(t *testing.T) {
	w := newRenewWorld(t)
	p := keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, renewBefore)
	clock := newFakeClock(w.srv.Now())
	keys.SetRenewingClock(p, clock.Now, clock.After)
	defer p.Close()
	tok, err := p.Token(context.Background())
	require.NoError(t, err)
	stored := w.assertStoreWorks(t)
	assert.True(t, stored.Secret == tok.Value)
	me, err := w.c.WithAuth(p).WhoAmI(context.Background())
	require.NoError(t, err, "a client on the provider works")
	assert.Equal(t, w.sa.ID, me.ID)
}

// Bad settings are errors matching ErrInvalid, from every Token call;
// Close is clean before and after a start, twice, and Token then fails.
func TestRenewingSettingsAndClose(t *testing.T) {
	ctx := context.Background()
	w := newRenewWorld(t)
	for name, p := range map[string]*keys.RenewingProvider{
		"no name":         keys.Renewing(w.c, w.store, keys.RenewOptions{}, time.Hour),
		"before zero":     keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, 0),
		"before too long": keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci", ExpiresIn: time.Hour}, time.Hour),
		"no store":        keys.Renewing(w.c, nil, keys.RenewOptions{Name: "ci"}, time.Hour),
		"no client":       keys.Renewing(nil, w.store, keys.RenewOptions{Name: "ci"}, time.Hour),
	} {
		for range 2 {
			_, err := p.Token(ctx)
			assert.ErrorIs(t, err, client.ErrInvalid, name)
		}
		p.Close()
	}
	assert.Empty(t, w.srv.Requests(), "nothing sent")

	p := keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, time.Hour)
	p.Close()
	p.Close()
	_, err := p.Token(ctx)
	assert.ErrorContains(t, err, "closed")

	p = keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, time.Hour)
	_, err = p.Token(ctx)
	require.NoError(t, err)
	p.Close() // the loop ends: goleak checks it at the end of the package
	_, err = p.Token(ctx)
	assert.ErrorContains(t, err, "closed")
	var _ auth.Provider = p
}

// A failed first fill of an empty store is answered from memory for a
// while: a caller that asks in a loop does not send a renewal each time.
func TestRenewingEmptyStoreFillBacksOff(t *testing.T) {
	w := newRenewWorld(t)
	p := keys.Renewing(w.c, w.store, keys.RenewOptions{Name: "ci"}, renewBefore)
	clock := newFakeClock(w.srv.Now())
	keys.SetRenewingClock(p, clock.Now, clock.After)
	defer p.Close()

	w.srv.FailNext(anyscaletest.Fault{Method: http.MethodPost, PathPrefix: anyscaletest.PathCreateKey, Status: http.StatusInternalServerError})
	_, first := p.Token(context.Background())
	require.Error(t, first)
	sent := len(w.srv.Requests())
	for range 5 {
		_, err := p.Token(context.Background())
		assert.Equal(t, first, err, "the same failure, from memory")
	}
	assert.Equal(t, sent, len(w.srv.Requests()), "nothing sent while backing off")

	clock.Advance(11 * time.Second)
	tok, err := p.Token(context.Background())
	require.NoError(t, err, "tried again once the back-off is over")
	assert.True(t, w.assertStoreWorks(t).Secret == tok.Value)
}
