package organization

import "iter"

// failedSeq is an iterator that yields err once: what an iterator gives
// when it cannot start (a nil context).
func failedSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
