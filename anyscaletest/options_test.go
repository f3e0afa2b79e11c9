package anyscaletest

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithListenerAndWrap: the server serves on the listener given, and
// the wrapping handler answers its own paths before the fake sees them.
func TestWithListenerAndWrap(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := NewServer(WithListener(l), WithWrap(func(api http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/_mine/") {
				_, _ = io.WriteString(w, "mine")
				return
			}
			api.ServeHTTP(w, r)
		})
	}))
	assert.Equal(t, "http://"+l.Addr().String(), s.URL)

	r := call(t, s, "GET", "/_mine/x", "", nil)
	assert.Equal(t, "mine", string(r.Raw))
	call(t, s, "GET", PathUserInfo, s.Owner().Token, nil).result(t, http.StatusOK)
	reqs := s.Requests()
	require.Len(t, reqs, 1, "the wrapper's requests are not the fake's")
	assert.Equal(t, PathUserInfo, reqs[0].Path)

	s.Close()
	_, err = net.Dial("tcp", l.Addr().String())
	assert.Error(t, err, "Close closed the listener")
}
