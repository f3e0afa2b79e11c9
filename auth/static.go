package auth

import (
	"context"
	"fmt"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// originStatic is the Origin of a token given in code.
const originStatic = "static"

// Static returns a Provider of a token given in code, with Source
// SourceStatic and Origin "static". A token that credentials.ValidateToken
// rejects (including the empty one) is an error, not "unavailable". For a
// token already held as a credentials.Secret, use StaticSecret.
func Static(token string) Provider {
	return StaticSecret(credentials.Secret(token))
}

// StaticSecret returns a Provider of a token already held as a
// credentials.Secret, such as the secret that keys.Create, Rotate or login.Run
// returns, so that the token never needs Reveal on its way to the client.
// It answers as Static does: Source SourceStatic, Origin "static", and an
// error, not "unavailable", for a token that credentials.ValidateToken
// rejects (including the empty one and a redacted form).
func StaticSecret(s credentials.Secret) Provider {
	return &staticProvider{token: &s}
}

// staticProvider keeps the token behind a pointer: fmt prints a pointer
// in a field as an address, so printing the provider never shows the
// token.
type staticProvider struct {
	token *credentials.Secret
}

func (p *staticProvider) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.StaticSecret().Token"); err != nil {
		return Token{}, err
	}
	return p.resolve(ctx).tokenOf()
}

func (p *staticProvider) resolve(ctx context.Context) outcome {
	o := outcome{source: SourceStatic, origin: originStatic}
	if err := ctx.Err(); err != nil {
		o.err = err
		return o
	}
	if err := credentials.ValidateToken(p.token.Reveal()); err != nil {
		o.err = fmt.Errorf("auth: static: %w", err)
		return o
	}
	o.token = Token{Value: *p.token, Source: SourceStatic, Origin: originStatic}
	return o
}
