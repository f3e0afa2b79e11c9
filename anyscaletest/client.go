package anyscaletest

import (
	"github.com/anyscale-go/anyscale/client"
)

// Client returns an SDK client for the server that authenticates as u with
// u's seeded key. opts come after the server's base URL and u's token, so
// they may override either (for example WithProvider to test a chain).
func (s *Server) Client(u User, opts ...client.Option) (*client.Client, error) {
	base := []client.Option{client.WithBaseURL(s.URL), client.WithToken(u.Token)}
	return client.New(append(base, opts...)...)
}
