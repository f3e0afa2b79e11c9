package keys

import (
	"context"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/login"
)

// The browser login moved to package login, a way to get a credential
// apart from key management. These names forward to it for one minor
// version.

// LoginOptions configures Login.
//
// Deprecated: use login.Options.
type LoginOptions = login.Options

// LoginResult is the outcome of a successful Login.
//
// Deprecated: use login.Result.
type LoginResult = login.Result

// ErrLoginURLRefused is login.ErrURLRefused, the same value: errors.Is
// matches either.
//
// Deprecated: use login.ErrURLRefused.
var ErrLoginURLRefused = login.ErrURLRefused

const (
	// DefaultPollInterval is the official CLI's wait between login polls.
	//
	// Deprecated: use login.DefaultPollInterval.
	DefaultPollInterval = login.DefaultPollInterval
	// DefaultMaxPolls is the official CLI's bound on login polls.
	//
	// Deprecated: use login.DefaultMaxPolls.
	DefaultMaxPolls = login.DefaultMaxPolls
)

// ConsoleHost is the documented host of the Anyscale console.
//
// Deprecated: use login.ConsoleHost.
const ConsoleHost = login.ConsoleHost

// Login runs the browser login with the service's client: login.Run.
//
// API: GET /api/v2/users/create_otp_token
//
// API: GET /api/v2/users/request_otp_token/{otp}
//
// Deprecated: use login.Run.
func (s *Service) Login(ctx context.Context, opts LoginOptions) (*LoginResult, error) {
	if err := ctxguard.Check(ctx, "keys.Service.Login"); err != nil {
		return nil, err
	}
	return login.Run(ctx, s.c, opts)
}
