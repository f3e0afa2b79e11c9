package cmdutil

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
)

// DefaultTimeout is how long a command waits for the API to answer before
// it gives up, unless --timeout says otherwise: a host that never answers
// fails within it, a few seconds to spare under 40.
const DefaultTimeout = 30 * time.Second

// Factory hands commands their dependencies. The root command fills it
// from the global flags before a command runs; tests fill it themselves.
type Factory struct {
	IO *iostreams.IOStreams
	// Version is the binary's version, for the User-Agent.
	Version string
	// Host is --host: the API's base URL, or "" for the SDK's rules.
	Host string
	// Output is -o: "table" or "json".
	Output string
	// Debug is --debug: the SDK's debug log on standard error.
	Debug bool
	// Timeout is --timeout: how long the command waits for an answer from
	// the API before it gives up (0: DefaultTimeout).
	Timeout time.Duration

	// Client makes the API client; the default builds one from the flags.
	Client func() (*client.Client, error)
	// CredentialsPath is where login saves and logout removes the token.
	CredentialsPath func() (string, error)

	// watch is the default client's watchdog, once a client was made.
	mu    sync.Mutex
	watch *watchdog
	// cancel ends the command's context when the API stays silent: the
	// root sets it (see WithCancel).
	cancel context.CancelCauseFunc
}

// NewFactory returns a Factory on io whose Client and CredentialsPath
// follow the flags and the SDK's rules.
func NewFactory(io *iostreams.IOStreams, version string) *Factory {
	f := &Factory{IO: io, Version: version, Output: FormatTable, CredentialsPath: credentials.DefaultPath}
	f.Client = f.defaultClient
	return f
}

// WithCancel returns ctx made cancellable by the factory's watchdog: once
// the API has given no answer for --timeout, the context ends with a
// *NoAnswerError as its cause. The root calls it before a command runs.
func (f *Factory) WithCancel(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	f.mu.Lock()
	f.cancel = cancel
	f.mu.Unlock()
	return ctx
}

// NoAnswer returns the error of the watchdog that gave up on a silent
// API, or nil.
func (f *Factory) NoAnswer() *NoAnswerError {
	f.mu.Lock()
	w := f.watch
	f.mu.Unlock()
	if w == nil {
		return nil
	}
	return w.fired()
}

// timeout is --timeout, or its default.
func (f *Factory) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

// Chain is the credential chain the default client uses: the SDK's
// default, its file source at CredentialsPath.
func (f *Factory) Chain() *auth.Chain {
	path, err := f.CredentialsPath()
	if err != nil {
		// The file source reports the missing home directory itself.
		return auth.DefaultChain()
	}
	return auth.DefaultChain(auth.WithFileOptions(auth.WithPath(path)))
}

func (f *Factory) defaultClient() (*client.Client, error) {
	src := &tokenSource{chain: f.Chain()}
	w := &watchdog{timeout: f.timeout(), debug: f.Debug, errOut: f.IO.ErrOut, base: transport()}
	w.origin = func() string {
		if f.Host != "" {
			return "--host"
		}
		_, origin := auth.ResolveHost(src.last())
		return origin
	}
	f.mu.Lock()
	w.cancel = f.cancel
	f.watch = w
	f.mu.Unlock()
	opts := []client.Option{
		client.WithUserAgent("anyscale-keys/" + f.Version),
		client.WithProvider(src),
		client.WithHTTPClient(&http.Client{Transport: w}),
		// An attempt is bounded a little beyond the watchdog, so that a
		// host that never answers is reported as such, naming it.
		client.WithAttemptTimeout(f.timeout() + 5*time.Second),
	}
	if f.Host != "" {
		if !strings.Contains(f.Host, "://") {
			// A host without its scheme ("127.0.0.1:8180") is a common slip:
			// say what --host takes, in the user's words.
			return nil, UsageError(fmt.Errorf("--host %s: give the URL with its scheme, such as https://%s (http:// only for this machine)", f.Host, f.Host))
		}
		opts = append(opts, client.WithBaseURL(f.Host))
	}
	if f.Debug {
		// The SDK's logs never hold a token.
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return client.New(opts...)
}

// AuthedClient returns the client once its token is resolved, without a
// request, so that a destructive command says "not authenticated" before
// it asks anything.
func (f *Factory) AuthedClient(ctx context.Context) (*client.Client, error) {
	c, err := f.Client()
	if err != nil {
		return nil, err
	}
	if _, err := c.Provider().Token(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// JSON reports whether -o json was given.
func (f *Factory) JSON() bool { return f.Output == FormatJSON }

// Context is the context a command runs in: the root cancels it on
// Ctrl-C.
type Context = context.Context

// transport is the base transport of the default client: a clone of
// net/http's default (so the proxy variables work), with a pool sized for
// one host shared by the concurrent requests of a bulk command.
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 128
	t.MaxIdleConns = max(t.MaxIdleConns, 128)
	return t
}
