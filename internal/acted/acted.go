// Package acted marks the errors that follow a request the server may
// have acted on, for client.MayHaveActed.
//
// The rule: an error says "may have acted" only when it is marked so. The
// client marks each of its calls' errors by what happened on the wire;
// a service that builds an error of its own after an acting request
// succeeded (a create whose answer holds no key, a step that failed after
// an account was made) marks it with Mark. Every other error (an
// argument check, a refusal decided after a read, a context already
// done, a nil context) says "did not act" without a word: nothing that
// changes state was written.
package acted

// Reporter is an error that says for itself whether the server may have
// acted on the call that returned it.
type Reporter interface {
	MayHaveActed() bool
}

// Mark returns err marked as following a request the server may have
// acted on, whatever it wraps. A nil err stays nil.
func Mark(err error) error {
	if err == nil {
		return nil
	}
	return &marked{err: err}
}

type marked struct{ err error }

func (e *marked) Error() string      { return e.err.Error() }
func (e *marked) Unwrap() error      { return e.err }
func (e *marked) MayHaveActed() bool { return true }
