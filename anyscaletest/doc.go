// Package anyscaletest is an in-memory fake of the Anyscale API, for tests
// and demos. A Server listens on a loopback port and speaks the wire format
// the SDK speaks (envelopes, error shapes, paging, status codes), with the
// key policy enforced for real: expiry on a server clock, unique active key
// names, owner-only administration, service accounts, member removal and
// the browser login flow. Its state can be inspected and steered from the
// test: Keys, Requests, Advance, FailNext, ApproveLogin.
//
//	srv := anyscaletest.Start(t)
//	alice := srv.AddUser("alice@example.com", anyscaletest.Collaborator)
//	req, _ := http.NewRequest("GET", srv.URL+"/api/v2/userinfo/", nil)
//	req.Header.Set("Authorization", "Bearer "+alice.Token)
//	resp, err := srv.HTTPClient().Do(req)
//
// The package keeps its own wire structs and imports no other package of
// this module but client, and that only for the Client convenience
// constructor, so it checks the SDK's requests and models independently.
// Its choices where the public sources are silent live in policy.go.
//
// A Server is safe for concurrent use: one mutex guards all its state.
package anyscaletest
