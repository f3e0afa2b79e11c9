package anyscaletest

import (
	"github.com/anyscale-go/anyscale/client"
)

// Client returns an SDK client for the server that authenticates as u with
// u's seeded key; see ClientWithToken.
func (s *Server) Client(u User, opts ...client.Option) (*client.Client, error) {
	return s.ClientWithToken(u.Token, opts...)
}

// ClientWithToken returns an SDK client for the server that authenticates
// with token (a key the test created, say), over the server's own HTTP
// client, whose idle connections Close shuts. opts come after those, so
// they may override any of them (for example WithProvider to test a
// chain).
//
// The client retries as the SDK does by default: a GET or DELETE that a
// fault answers with an error status or a dropped connection is tried up
// to 4 more times, with seconds of backoff in all. A test of the code's
// answer to a fault makes its client without retries, and then the fault
// needs no Times:
//
//	c, err := srv.Client(u, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
//
// (or keeps retries with waits of a millisecond: RetryPolicy{MinWait:
// time.Millisecond, MaxWait: time.Millisecond}).
func (s *Server) ClientWithToken(token string, opts ...client.Option) (*client.Client, error) {
	base := []client.Option{client.WithBaseURL(s.URL), client.WithToken(token), client.WithHTTPClient(s.HTTPClient())}
	return client.New(append(base, opts...)...)
}
