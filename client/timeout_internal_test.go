package client

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every attempt has a bound by default: DefaultAttemptTimeout, unless the
// caller's http.Client or WithAttemptTimeout says otherwise.
func TestAttemptTimeoutDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, DefaultAttemptTimeout},
		{"http client without a timeout", []Option{WithHTTPClient(&http.Client{})}, DefaultAttemptTimeout},
		{"http client with a timeout", []Option{WithHTTPClient(&http.Client{Timeout: time.Minute})}, time.Minute},
		{"WithAttemptTimeout wins", []Option{WithHTTPClient(&http.Client{Timeout: time.Minute}), WithAttemptTimeout(time.Second)}, time.Second},
	} {
		c, err := New(append([]Option{WithBaseURL("https://api.test"), WithToken("aph0_0123456789abcdefghijklmnop")}, tc.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.http.HTTPClient.Timeout, tc.name)
	}
	assert.Equal(t, 30*time.Second, DefaultAttemptTimeout, "the documented default")
}
