package auth

import (
	"context"
	"fmt"
	"os"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Env returns a Provider of the ANYSCALE_CLI_TOKEN variable, read when
// Token is called, with Source SourceEnv and Origin "ANYSCALE_CLI_TOKEN".
// An unset variable is unavailable; a variable set but empty, or holding a
// token that credentials.ValidateToken rejects, is an error, as the
// official CLI treats it.
func Env() Provider { return envProvider{} }

type envProvider struct{}

func (p envProvider) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.Env().Token"); err != nil {
		return Token{}, err
	}
	return p.resolve(ctx).tokenOf()
}

func (envProvider) resolve(ctx context.Context) outcome {
	o := outcome{source: SourceEnv, origin: EnvToken}
	if err := ctx.Err(); err != nil {
		o.err = err
		return o
	}
	v, ok := os.LookupEnv(EnvToken)
	switch {
	case !ok:
		o.err = unavailable(SourceEnv, EnvToken, "not set", nil)
	case v == "":
		o.err = &msgError{
			msg: "auth: env: " + EnvToken + " is set but empty; unset it or set it to an API key",
			err: credentials.ErrInvalidToken,
		}
	default:
		if err := credentials.ValidateToken(v); err != nil {
			o.err = fmt.Errorf("auth: env: %s (fix or unset it): %w", EnvToken, err)
			return o
		}
		o.token = Token{Value: credentials.Secret(v), Source: SourceEnv, Origin: EnvToken}
	}
	return o
}
