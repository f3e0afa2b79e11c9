// Package faultmatrix holds the SDK's fault matrix, as a test and nothing
// else: TestFaultMatrix drives every request of every operation of the
// registry (tests/ops) through every fault the fake API (anyscaletest) can
// put on the wire — a 500, a 502, a 503 or a 429 with Retry-After, a
// connection dropped before the answer, an answer lost after the server
// acted, a body cut mid-way, malformed JSON, an answer of the wrong shape,
// an answer slower than the caller's deadline, and a 401 once — and
// asserts, for each cell, the outcome the client's documented retry rules
// give, what client.MayHaveActed says, and the fake server's state
// afterwards (each operation's own check, in the registry): a key is never
// created twice, a rotation or a login poll is sent once, RevokeMany
// accounts for every id.
//
// With -v the test prints the matrix, one row per operation's request and
// one column per fault:
//
//	go test -v -run TestFaultMatrix ./tests/faultmatrix/
//
// docs/fault-matrix.md is the documented outcome of every cell, checked by
// TestFaultMatrixDoc and written by it with -update:
//
//	go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update
package faultmatrix
