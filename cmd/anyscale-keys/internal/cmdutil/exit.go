package cmdutil

import (
	"context"
	"errors"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

// The exit codes of anyscale-keys, each distinct so that scripts can tell
// them apart.
const (
	// ExitOK: done.
	ExitOK = 0
	// ExitFailure: any other failure (a server error, a lost connection).
	ExitFailure = 1
	// ExitUsage: a bad command, flag or argument, or a destructive command
	// without --yes when it cannot ask.
	ExitUsage = 2
	// ExitUnauthenticated: no token, or the token was rejected (401).
	ExitUnauthenticated = 3
	// ExitForbidden: the token may not do this (403).
	ExitForbidden = 4
	// ExitNotFound: what was named does not exist (404).
	ExitNotFound = 5
	// ExitPartial: a bulk action left some of its work undone (a key that
	// may still be active).
	ExitPartial = 6
	// ExitFindings: an audit with --fail-on-findings found something.
	ExitFindings = 7
	// ExitAmbiguous: a reference (a key's id prefix, display id or name;
	// a member's email) matches several, and nothing was changed.
	ExitAmbiguous = 8
	// ExitInterrupted: stopped by Ctrl-C.
	ExitInterrupted = 130
)

// ExitError carries an exit code for an error that says so itself: a bulk
// action's partial failure, an audit's findings, a usage error.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// UsageError is an error with ExitUsage.
func UsageError(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// ExitCode maps an error to the exit code scripts can rely on.
func ExitCode(err error) int {
	var ee *ExitError
	var noAnswer *NoAnswerError
	var source *TokenSourceError
	var ambiguous *keys.AmbiguousError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &noAnswer):
		return ExitFailure
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &source):
		// Every token source that is broken, whatever its error.
		return ExitUnauthenticated
	case errors.As(err, &ambiguous), advised(err, client.ActionRefine):
		return ExitAmbiguous
	case errors.Is(err, client.ErrUnauthorized), errors.Is(err, auth.ErrUnavailable),
		errors.Is(err, credentials.ErrInvalidToken), errors.Is(err, credentials.ErrCorrupt), errors.Is(err, credentials.ErrNoToken):
		// No token, a rejected one, or a token source that is broken.
		return ExitUnauthenticated
	case errors.Is(err, client.ErrForbidden):
		return ExitForbidden
	case errors.Is(err, client.ErrNotFound):
		return ExitNotFound
	case errors.Is(err, client.ErrInvalid):
		return ExitUsage
	}
	return ExitFailure
}

// advised reports whether err carries advice with action a.
func advised(err error, a client.Action) bool {
	for _, adv := range client.AdviceOf(err) {
		if adv.Action == a {
			return true
		}
	}
	return false
}
