package cmdutil

import (
	"context"
	"log/slog"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/credentials"
)

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

	// Client makes the API client; the default builds one from the flags.
	Client func() (*client.Client, error)
	// CredentialsPath is where login saves and logout removes the token.
	CredentialsPath func() (string, error)
}

// NewFactory returns a Factory on io whose Client and CredentialsPath
// follow the flags and the SDK's rules.
func NewFactory(io *iostreams.IOStreams, version string) *Factory {
	f := &Factory{IO: io, Version: version, Output: FormatTable, CredentialsPath: credentials.DefaultPath}
	f.Client = f.defaultClient
	return f
}

func (f *Factory) defaultClient() (*client.Client, error) {
	opts := []client.Option{client.WithUserAgent("anyscale-keys/" + f.Version)}
	if f.Host != "" {
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
