// Package anyscaletest is an in-memory fake of the Anyscale API, for tests
// and demos. A Server listens on a loopback port and speaks the wire format
// the SDK speaks (envelopes, error shapes, paging, status codes), with the
// key policy enforced for real: expiry on a server clock, unique active key
// names, owner-only administration, service accounts, member removal and
// the browser login flow. Its state can be inspected and steered from the
// test: Keys, Requests, Advance, FailNext, ApproveLogin, SetLastUsed.
//
// Every request a key authenticates for an endpoint marks that key's last
// use on the server clock, which key lists answer as last_used_at and Key
// exports as LastUsedAt; a request a fault answers before the endpoint
// runs does not count (Fault says which faults let it run). SetLastUsed
// sets or clears a key's last use directly. AddServiceAccount adds a
// collaborator service account, or an owner one when given Owner, which
// passes every owner check with its own token. WithUnknownRevokeAnswer
// makes both bulk revokes answer in a shape the SDK does not know (no list
// of revoked ids), as the real server's answer may be. ClearFaults drops
// the faults not fired yet and ResetRequests forgets the request log, so
// one server can serve several checks in a row.
//
// FailNext injects the faults of a fault matrix into the next matching
// requests, by method and path prefix: an error status (with Retry-After),
// a dropped connection, an answer cut mid-way (CutBody), a raw body such as
// MalformedJSON or WrongShape (Body), a slow answer (Delay) and a 401 that
// revokes nothing. Each can happen before the endpoint runs, when the
// server does nothing, or after it acted (AfterHandler), when its answer is
// the one lost, replaced, cut or held; a cut answer is always one the
// endpoint made unless the fault gives its own. The request log holds the
// status each request was sent, 0 when none was. The Path constants
// (PathCreateKey, PathKeys, PathOrgKeys…) are the endpoints' wire paths,
// for Fault.PathPrefix: FailNext panics on a prefix no endpoint has, and
// a server made by Start fails its test when a fault was never taken by a
// request. The SDK's client retries a faulted GET or DELETE for seconds
// by default; a test of a fault makes its client with
// client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}).
//
// The server clock (Now) is the one the fake judges keys by, and the one
// code under test should use: every answer carries it in its Date header,
// which (*client.Client).Now follows, and a clock taken as a value
// (keys.AuditOptions.Now) can be srv.Now. Advance ages every key but the
// ones seeded for User.Token, which move with the clock so that the
// test's own clients keep working: make the aging keys (AddKey,
// AddLegacyKey, SetLastUsed), then Advance.
//
//	srv := anyscaletest.Start(t)
//	srv.AddKey(srv.Owner(), "deploy", 30*24*time.Hour)
//	srv.Advance(25 * 24 * time.Hour) // deploy expires in 5 days
//	c, err := srv.Client(srv.Owner(), client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
//	report, err := keys.New(c).Audit(ctx, keys.AuditOptions{Now: srv.Now})
//
// The same server runs as a process, for the CLI and programs in other
// languages: cmd/anyscale-fake serves it on a fixed loopback port with a
// demo organization and an admin API for faults and the clock.
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
