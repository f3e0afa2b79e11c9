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
	SourceStatic    Source = "static"
	SourceEnv       Source = "env"
	SourceFile      Source = "file"
	SourceWorkspace Source = "workspace"
)

// Token is a resolved token and where it came from.
type Token struct {
	Value  credentials.Secret
	Source Source
	// Origin is where the token was found: the variable name, the file path
	// or the workspace's injected environment.
	Origin string
}

// Provider resolves a token.
type Provider interface {
	Token(ctx context.Context) (Token, error)
}

// ErrUnavailable is matched by the error of a source that is not
// configured here; a Chain moves on to its next source. Any other error
// means the source is configured but broken, and stops the chain.
var ErrUnavailable = errors.New("credential source not configured")
