// Package ctxguard answers a nil context at an SDK entry point the way the
// standard library's net/http does: with an error that says "nil Context",
// before anything else happens, instead of a nil-pointer panic deep
// inside.
package ctxguard

import (
	"context"
	"errors"
	"iter"
)

// ErrNil is the error of a nil context.
var ErrNil = errors.New("nil Context")

// Check returns an error naming op when ctx is nil, else nil.
func Check(ctx context.Context, op string) error {
	if ctx == nil {
		return &nilError{op: op}
	}
	return nil
}

type nilError struct{ op string }

func (e *nilError) Error() string { return e.op + ": nil Context" }
func (e *nilError) Unwrap() error { return ErrNil }

// Seq is the iterator an entry point that returns one gives when it
// cannot start (a nil context): it yields err once.
func Seq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
