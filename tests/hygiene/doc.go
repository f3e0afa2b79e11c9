// Package hygiene holds the SDK's secret-hygiene proof, and no code: its
// tests drive every public operation of the SDK with tokens the fake server
// issued (and canary tokens that hostile servers and proxies echo back),
// capture everything a caller or an operator could see (debug logs of the
// client and of the auth chain, every error in every print form, every
// returned value printed and encoded as JSON, the fake server's request
// records) and search it all for every secret, whole, in pieces, and in
// escaped forms.
//
// Every operation of the registry (tests/ops) is driven on a fake of its
// own (as its scope says, under faults on each of its requests, and as a
// collaborator) and against every hostile server; the scenarios of
// operations_test.go add the error paths of each service (refusals,
// malformed tokens and files, tokens in URLs).
//
//	go test -race -count=1 -v -run TestSecretHygiene ./tests/hygiene/
package hygiene
