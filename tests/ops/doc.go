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
// orgkeys.go, members.go, serviceaccounts.go):
//
//	{
//		Name: "keys.Revoke", Scope: Member,
//		Requests: []Request{{Method: http.MethodDelete, Path: pathOwnKey, Label: "DELETE api_keys/{id}", Kind: Remove}},
//		Start: func(t *testing.T, w *World) Call {
//			id := w.AddKey(w.Owner, "victim", time.Hour) // seed the fake
//			return Call{
//				Do: func(ctx context.Context, c *client.Client) ([]any, error) {
//					return nil, keys.New(c).Revoke(ctx, id) // the one call of the operation
//				},
//				Check: func(t *testing.T, o Outcome) {
//					assert.Equal(t, o.Acted, w.revoked(t, id), "revoked")
//				},
//			}
//		},
//	},
//
// Both suites pick it up: the fault matrix gets a row for each of its
// Requests (update docs/fault-matrix.md with
// `go test ./tests/faultmatrix/ -run TestFaultMatrixDoc -update`), and the
// hygiene suite drives it.
package ops
