// Package ops is the registry of the SDK's operations, for the suites
// that drive every one of them: the fault matrix (tests/faultmatrix) runs
// each request of each operation under every fault, and the hygiene suite
// (tests/hygiene) drives each operation on a fake, under faults, as a
// collaborator and against hostile servers, searching all it sees for
// secrets. An operation is one entry of All: its name, who may call it,
// the requests it sends (method, path and how the client's retry rules
// treat each), how to seed a fake for it, how to call it with a
// *client.Client, and what must hold afterwards.
//
// To add an operation, add an Op to the list of its package (keys.go,
// orgkeys.go, members.go, serviceaccounts.go); reads and acts make the
// Call of an operation that returns a value, or only an error:
//
//	{
//		Name: "keys.Revoke", Scope: Member,
//		Requests: []Request{{Method: http.MethodDelete, Path: pathOwnKey, Label: "DELETE api_keys/{id}", Kind: Remove}},
//		Start: func(t *testing.T, w *World) Call {
//			id := w.AddKey(w.Owner, "victim", time.Hour) // seed the fake
//			return acts(func(ctx context.Context, c *client.Client) error {
//				return keys.New(c).Revoke(ctx, id) // the operation's one call
//			}, func(t *testing.T, o Outcome) { // what holds afterwards
//				assert.Equal(t, o.Acted, w.revoked(t, id), "revoked")
//			})
//		},
//	},
//
// Both suites pick it up: the fault matrix gets a row for each of its
// Requests, whose outcomes docs/fault-matrix.md shows (rewrite it with
// `go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update`), and the
// hygiene suite drives it on a fake, under faults, as a collaborator (an
// Owner operation must be refused) and against hostile servers.
package ops
