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
		assert.Equal(t, tc.want, c.tr.attemptTimeout, tc.name)
		assert.Same(t, c.tr.top, c.http.HTTPClient.Transport, tc.name)
		assert.Zero(t, c.http.HTTPClient.Timeout, "%s: the bound is the transport's, per attempt", tc.name)
	}
	assert.Equal(t, 30*time.Second, DefaultAttemptTimeout, "the documented default")
}

// go-retryablehttp closes the idle connections of its HTTP client after
// every failed call, which would empty the pool that every goroutine
// sharing the client uses: the transport it is given must not offer it.
func TestRetryClientCannotEmptyThePool(t *testing.T) {
	t.Parallel()
	c, err := New(WithBaseURL("https://api.test"), WithToken("aph0_0123456789abcdefghijklmnop"))
	require.NoError(t, err)
	_, closes := c.http.HTTPClient.Transport.(interface{ CloseIdleConnections() })
	assert.False(t, closes)
	base, ok := c.tr.base.(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, maxIdleConnsPerHost, base.MaxIdleConnsPerHost, "the pool is sized for one host")
}
