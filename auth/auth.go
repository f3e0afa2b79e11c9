package auth

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Environment variables the SDK reads.
const (
	// EnvToken holds an API key; it wins over the credentials file.
	EnvToken = "ANYSCALE_CLI_TOKEN"
	// EnvHost holds the API's base URL; see ResolveHost.
	EnvHost = "ANYSCALE_HOST"
)

// DefaultHost is the Anyscale API's base URL when neither the process's
// ANYSCALE_HOST nor the token's source names another; see ResolveHost.
const DefaultHost = "https://console.anyscale.com"

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
	// Host is the API base URL that belongs with this token when its
	// source knows one, else "". Of the built-in providers only Workspace
	// sets it: to the ANYSCALE_HOST of the workspace's injected
	// environment, when the token came from there too; a custom Provider
	// may set it as well. A client uses it through ResolveHost, after the
	// process's own ANYSCALE_HOST, and only when it was given no base URL
	// explicitly.
	Host string
}

// String describes the token without revealing it, such as
// "aph0_…3f9a from env (ANYSCALE_CLI_TOKEN)", followed by
// " for https://…" when the token carries a Host.
func (t Token) String() string {
	s := t.Value.String() + " from " + string(t.Source) + " (" + t.Origin + ")"
	if t.Host != "" {
		s += " for " + shownHost(t.Host)
	}
	return s
}

// usableHost reports whether a host URL parses and carries no user info,
// query or fragment, where a password or a token could hide.
func usableHost(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	return err == nil && u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == ""
}

// shownHost is a host URL as a report or a message shows it: itself when
// usable, else a note that says why not, without quoting it.
func shownHost(raw string) string {
	if usableHost(raw) {
		return strings.TrimSpace(raw)
	}
	return "(not shown: the URL does not parse, or carries user info, a query or a fragment)"
}

// Origins that ResolveHost reports for a host that does not come from the
// token's source (the token's own host reports the token's Origin).
const (
	// HostFromEnv: the process's ANYSCALE_HOST.
	HostFromEnv = EnvHost
	// HostFromDefault: DefaultHost, as nothing else named a host.
	HostFromDefault = "default"
)

// ResolveHost returns the API base URL that a client which was not given
// one explicitly uses with tok, and where that URL came from:
//
//  1. the process's ANYSCALE_HOST, when it is set and not blank (origin
//     "ANYSCALE_HOST");
//  2. else tok.Host, the host that came with the token (origin
//     tok.Origin, such as the workspace's injected environment);
//  3. else DefaultHost (origin "default").
//
// Surrounding white space is trimmed. ResolveHost does not validate the
// URL; the client does. A client given a base URL explicitly, such as
// with client.WithBaseURL, ignores all of this. ANYSCALE_HOST is read at
// each call.
func ResolveHost(tok Token) (host, origin string) {
	if h := strings.TrimSpace(os.Getenv(EnvHost)); h != "" {
		return h, HostFromEnv
	}
	if h := strings.TrimSpace(tok.Host); h != "" {
		origin := tok.Origin
		if origin == "" {
			origin = "the token's source"
			if tok.Source != "" {
				origin = string(tok.Source)
			}
		}
		return h, origin
	}
	return DefaultHost, HostFromDefault
}

// Provider resolves a token. A Provider that is not configured in this
// process returns an error matching ErrUnavailable; any other error means
// it is configured but broken.
type Provider interface {
	Token(ctx context.Context) (Token, error)
}

// ProviderFunc adapts a function to a Provider.
type ProviderFunc func(ctx context.Context) (Token, error)

// Token calls f(ctx); a nil ctx is an error, f is not called.
func (f ProviderFunc) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.ProviderFunc.Token"); err != nil {
		return Token{}, err
	}
	return f(ctx)
}

// ErrUnavailable is matched by the error of a source that is not
// configured here; a Chain moves on to its next source. Any other error
// means the source is configured but broken, and stops the chain.
var ErrUnavailable = errors.New("credential source not configured")
