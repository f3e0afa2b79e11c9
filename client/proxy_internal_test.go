package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The name localhost is dialed on a loopback address, never handed to a
// resolver (a hosts file without the entry, or a DNS search domain, could
// send it elsewhere); every other address is dialed as it is.
func TestLocalhostIsDialedOnLoopback(t *testing.T) {
	t.Parallel()
	var dialed []string
	refuse4 := false
	tr := guardTransport(&http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dialed = append(dialed, addr)
		if refuse4 && addr == "127.0.0.1:8080" {
			return nil, errors.New("refused")
		}
		return nil, errors.New("not dialing in a test")
	}})
	for _, addr := range []string{"localhost:8080", "LOCALHOST:8080", "localhost.:8080"} {
		dialed = nil
		_, _ = tr.DialContext(context.Background(), "tcp", addr)
		assert.Equal(t, []string{"127.0.0.1:8080", "[::1]:8080"}, dialed, addr)
	}
	for _, addr := range []string{"api.example.com:443", "127.0.0.1:8080", "api.localhost:80", "proxy:3128"} {
		dialed = nil
		_, _ = tr.DialContext(context.Background(), "tcp", addr)
		assert.Equal(t, []string{addr}, dialed, addr)
	}

	// The proxy is asked only for hosts that are not this machine.
	asked := 0
	tr = guardTransport(&http.Transport{Proxy: func(*http.Request) (*url.URL, error) {
		asked++
		return url.Parse("http://proxy:3128")
	}})
	for _, u := range []string{"http://LOCALHOST:1/", "http://127.1/", "https://[::1]/", "http://localhost./"} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		p, err := tr.Proxy(req)
		require.NoError(t, err)
		assert.Nil(t, p, u)
	}
	assert.Zero(t, asked)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/", nil)
	p, _ := tr.Proxy(req)
	assert.Equal(t, "proxy:3128", p.Host)
}
