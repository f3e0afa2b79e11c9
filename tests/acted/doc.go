// Package acted holds, and no code, the proof that client.MayHaveActed is
// true exactly for the errors that follow a request that could change
// state: each service's errors built after such a request succeeded (a
// create whose answer holds no key, a key that failed after its service
// account was made) say "may have acted"; refusals decided client-side
// after a read (removing yourself, no such member, an ambiguous
// reference) and every check made before anything was sent say not.
//
//	go test -v ./tests/acted/
package acted
