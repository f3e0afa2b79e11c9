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
func (s *Server) ClientWithToken(token string, opts ...client.Option) (*client.Client, error) {
	base := []client.Option{client.WithBaseURL(s.URL), client.WithToken(token), client.WithHTTPClient(s.HTTPClient())}
	return client.New(append(base, opts...)...)
}
