package auth

import (
	"context"
	"fmt"
	"os"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/advice"
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
		o.err = advice.Wrap(&msgError{
			msg: "auth: env: " + EnvToken + " is set but empty",
			err: credentials.ErrInvalidToken,
		}, envAdvice, "unset it or set it to an API key")
	default:
		if err := credentials.ValidateToken(v); err != nil {
			o.err = advice.Wrap(fmt.Errorf("auth: env: %s: %w", EnvToken, err), envAdvice, "fix or unset it")
			return o
		}
		o.token = Token{Value: credentials.Secret(v), Source: SourceEnv, Origin: EnvToken}
	}
	return o
}

// envAdvice is what a broken token variable advises: set it to a key, or
// unset it.
var envAdvice = advice.Advice{Action: advice.ConfigureToken, Source: string(SourceEnv), Origin: EnvToken}
