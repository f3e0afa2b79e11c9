package auth

import (
	"context"
	"errors"

	"github.com/anyscale-go/anyscale/credentials"
)

// Environment variables the SDK reads.
const (
	// EnvToken holds an API key; it wins over the credentials file.
	EnvToken = "ANYSCALE_CLI_TOKEN"
	// EnvHost holds the API's base URL.
	EnvHost = "ANYSCALE_HOST"
)

// Source names where a token came from.
type Source string

// The sources the SDK knows.
const (
	// SourceStatic is a token given in code, through Static.
	SourceStatic Source = "static"
	// SourceEnv is the ANYSCALE_CLI_TOKEN variable, through Env.
	SourceEnv Source = "env"
	// SourceFile is the credentials file, through File.
	SourceFile Source = "file"
	// SourceWorkspace is the token an Anyscale workspace or cluster
	// injected, through Workspace.
	SourceWorkspace Source = "workspace"
)

// Token is a resolved token and where it came from. Its Value redacts
// itself when printed, so a Token is safe to log.
type Token struct {
	Value  credentials.Secret
	Source Source
	// Origin is where the token was found: the variable name, the file path
	// or the workspace's injected environment.
	Origin string
}

// String describes the token without revealing it, such as
// "aph0_…3f9a from env (ANYSCALE_CLI_TOKEN)".
func (t Token) String() string {
	return t.Value.String() + " from " + string(t.Source) + " (" + t.Origin + ")"
}

// Provider resolves a token. A Provider that is not configured in this
// process returns an error matching ErrUnavailable; any other error means
// it is configured but broken.
type Provider interface {
	Token(ctx context.Context) (Token, error)
}

// ProviderFunc adapts a function to a Provider.
type ProviderFunc func(ctx context.Context) (Token, error)

// Token calls f(ctx).
func (f ProviderFunc) Token(ctx context.Context) (Token, error) { return f(ctx) }

// ErrUnavailable is matched by the error of a source that is not
// configured here; a Chain moves on to its next source. Any other error
// means the source is configured but broken, and stops the chain.
var ErrUnavailable = errors.New("credential source not configured")
