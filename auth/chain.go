package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// ChainOption configures DefaultChain.
type ChainOption func(*chainConfig)

type chainConfig struct {
	logger    *slog.Logger
	fileOpts  []FileOption
	workspace []WorkspaceOption
}

// WithLogger makes the chain log its warnings, such as a credentials file
// open to group or others, to l; nil, like the default, means
// slog.Default() at the time of logging. For a chain made with NewChain,
// use (*Chain).WithLogger.
func WithLogger(l *slog.Logger) ChainOption {
	return func(c *chainConfig) { c.logger = l }
}

// WithFileOptions configures the File provider that DefaultChain builds,
// for example with WithPath or WithStrictPermissions. It has no effect on
// a chain made with NewChain, whose providers come configured.
func WithFileOptions(opts ...FileOption) ChainOption {
	return func(c *chainConfig) { c.fileOpts = append(c.fileOpts, opts...) }
}

// WithWorkspaceOptions configures the Workspace provider that DefaultChain
// builds, for example with WithEnvironPath. It has no effect on a chain
// made with NewChain, whose providers come configured.
func WithWorkspaceOptions(opts ...WorkspaceOption) ChainOption {
	return func(c *chainConfig) { c.workspace = append(c.workspace, opts...) }
}

// Chain tries providers in order and returns the first token found: a
// provider whose error matches ErrUnavailable passes to the next one, any
// other error stops the chain. The first token found is cached until
// Invalidate. A Chain is itself a Provider, and is safe for concurrent use
// by multiple goroutines; concurrent first calls resolve once.
type Chain struct {
	providers []Provider
	logger    *slog.Logger // nil: slog.Default() when logging

	mu       sync.Mutex
	cached   heldToken // the winning token; empty until one is found
	inflight *resolution
	gen      uint64 // incremented by Invalidate
	warned   map[string]struct{}
}

// resolution is one walk through the providers, shared by the callers
// that wait for it.
type resolution struct {
	done chan struct{}
	tok  heldToken
	err  error
}

// heldToken is a Token kept in a struct that fmt may walk by reflection,
// as it does when a *Chain is printed with %v or %s. There fmt cannot call
// credentials.Secret's redacting methods (the fields are unexported) and,
// for some verbs, follows a pointer to a struct; a pointer to a string it
// prints as an address. So the value is held as a *credentials.Secret.
type heldToken struct {
	value  *credentials.Secret
	source Source
	origin string
	host   string
}

func hold(t Token) heldToken {
	v := t.Value
	return heldToken{value: &v, source: t.Source, origin: t.Origin, host: t.Host}
}

func (h heldToken) token() Token {
	if h.value == nil {
		return Token{}
	}
	return Token{Value: *h.value, Source: h.source, Origin: h.origin, Host: h.host}
}

// NewChain returns a Chain that tries providers in the order given; nil
// providers are skipped. It logs its warnings to slog.Default(); see
// (*Chain).WithLogger.
func NewChain(providers ...Provider) *Chain {
	c := &Chain{}
	for _, p := range providers {
		if p != nil {
			c.providers = append(c.providers, p)
		}
	}
	return c
}

// DefaultChain returns the chain the SDK uses when given no token or
// provider: Env, then File, then Workspace.
func DefaultChain(opts ...ChainOption) *Chain {
	var cfg chainConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	c := NewChain(Env(), File(cfg.fileOpts...), Workspace(cfg.workspace...))
	c.logger = cfg.logger
	return c
}

// WithLogger returns a new Chain with the same providers that logs its
// warnings to l (nil means slog.Default()). The new Chain starts with an
// empty cache and warns again; c is unchanged.
func (c *Chain) WithLogger(l *slog.Logger) *Chain {
	return &Chain{providers: append([]Provider(nil), c.providers...), logger: l}
}

// Token returns the cached token, or else walks the providers and caches
// the first token found. When every provider is unavailable the error is a
// *ChainError; when one is broken, the error is that provider's own, so
// errors.Is and errors.As reach its cause (such as a
// *credentials.FormatError). Errors are not cached. A done ctx returns
// ctx.Err(); a nil ctx, an error matching nothing but itself.
func (c *Chain) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.Chain.Token"); err != nil {
		return Token{}, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return Token{}, err
		}
		c.mu.Lock()
		if c.cached.value != nil {
			tok := c.cached.token()
			c.mu.Unlock()
			return tok, nil
		}
		if r := c.inflight; r != nil {
			c.mu.Unlock()
			select {
			case <-r.done:
			case <-ctx.Done():
				return Token{}, ctx.Err()
			}
			if isContextErr(r.err) && ctx.Err() == nil {
				// The resolving caller gave up; this one has not.
				continue
			}
			return r.tok.token(), r.err
		}
		r := &resolution{done: make(chan struct{})}
		c.inflight = r
		gen := c.gen
		c.mu.Unlock()
		c.lead(ctx, r, gen)
		return r.tok.token(), r.err
	}
}

// lead walks the providers for r and publishes the result, even when a
// provider panics, so that waiting callers are never stranded.
func (c *Chain) lead(ctx context.Context, r *resolution, gen uint64) {
	finished := false
	defer func() {
		if !finished {
			r.err = errors.New("auth: a credential provider panicked")
		}
		c.mu.Lock()
		if c.inflight == r {
			c.inflight = nil
		}
		if r.err == nil && c.gen == gen {
			c.cached = r.tok
		}
		c.mu.Unlock()
		close(r.done)
	}()
	tok, err := c.resolve(ctx)
	r.tok, r.err = hold(tok), err
	finished = true
}

// resolve walks the providers once, without the cache.
func (c *Chain) resolve(ctx context.Context) (Token, error) {
	var attempts []Attempt
	for _, p := range c.providers {
		if err := ctx.Err(); err != nil {
			return Token{}, err
		}
		o := attempt(ctx, p)
		switch {
		case o.err == nil:
			if o.warning != nil {
				c.warn(ctx, o)
			}
			return o.token, nil
		case errors.Is(o.err, ErrUnavailable):
			attempts = append(attempts, Attempt{Source: o.source, Origin: o.origin, Err: o.err})
		default:
			return Token{}, o.err
		}
	}
	return Token{}, &ChainError{Attempts: attempts}
}

// Invalidate drops the cached token, so that the next Token call resolves
// again; a client calls it after the API rejected the token. A resolution
// already under way when Invalidate is called is not cached.
func (c *Chain) Invalidate() {
	c.mu.Lock()
	c.cached = heldToken{}
	c.inflight = nil
	c.gen++
	c.mu.Unlock()
}

// warn logs a source's warning, once per Chain for each distinct warning.
func (c *Chain) warn(ctx context.Context, o outcome) {
	key := string(o.source) + "\x00" + o.origin + "\x00" + o.warning.Error()
	c.mu.Lock()
	_, seen := c.warned[key]
	if !seen {
		if c.warned == nil {
			c.warned = make(map[string]struct{})
		}
		c.warned[key] = struct{}{}
	}
	c.mu.Unlock()
	if seen {
		return
	}
	l := c.logger
	if l == nil {
		l = slog.Default()
	}
	l.WarnContext(ctx, "auth: "+o.warning.Error(), "source", string(o.source), "origin", o.origin)
}

// attempt asks one provider. Built-in providers report where they looked
// even when they have nothing; for others the source is the provider's
// type, and an error that is not "unavailable" is wrapped with it.
func attempt(ctx context.Context, p Provider) outcome {
	if r, ok := p.(resolver); ok {
		return r.resolve(ctx)
	}
	source := Source(fmt.Sprintf("%T", p))
	tok, err := p.Token(ctx)
	switch {
	case err != nil:
		o := outcome{source: source, err: err}
		if _, nested := p.(*Chain); !nested && !errors.Is(err, ErrUnavailable) && !isContextErr(err) {
			o.err = fmt.Errorf("auth: %s: %w", source, err)
		}
		return o
	case tok.Value == "":
		return outcome{source: source, err: fmt.Errorf("auth: %s returned an empty token and no error", source)}
	}
	if tok.Source != "" {
		source = tok.Source
	}
	return outcome{source: source, origin: tok.Origin, token: tok}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
