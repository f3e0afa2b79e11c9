package login

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsDefaultsFollowTheCLI(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	o, err := Options{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, o.PollInterval)
	assert.Equal(t, 60, o.MaxPolls)
	assert.Equal(t, 7*24*time.Hour, o.ExpiresIn)
	assert.Equal(t, filepath.Join(home, ".anyscale", "credentials.json"), o.CredentialsPath)
	assert.NotNil(t, o.OpenURL)
}

func TestShownURL(t *testing.T) {
	t.Parallel()
	const otp = "CODE1234"
	long := "https://evil.example/" + strings.Repeat("é", 300) + otp
	tests := []struct {
		name, raw, want string
	}{
		{name: "code replaced", raw: "https://evil.example/otp/" + otp, want: `"https://evil.example/otp/{otp}"`},
		{name: "every occurrence", raw: "https://" + otp + ".evil.example/" + otp + "?c=" + otp, want: `"https://{otp}.evil.example/{otp}?c={otp}"`},
		{name: "control characters quoted", raw: "https://evil.example/\u202e" + otp, want: `"https://evil.example/\u202e{otp}"`},
		{name: "path-escaped code not shown", raw: "https://evil.example/%43ODE1234", want: "(not shown: it holds the login code in an escaped form)"},
		{name: "query-escaped code not shown", raw: "https://evil.example/?c=%43%4FDE1234", want: "(not shown: it holds the login code in an escaped form)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, shownURL(tt.raw, otp))
		})
	}
	t.Run("bounded", func(t *testing.T) {
		t.Parallel()
		got := shownURL(long, otp)
		assert.LessOrEqual(t, len(got), maxShownURL+len(`""…`))
		assert.True(t, utf8.ValidString(got), "cut at a character boundary")
		assert.True(t, strings.HasSuffix(got, `…"`))
	})
}

func TestURLHostRules(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://h": "443", "http://h": "80", "https://h:8443": "8443", "http://h:443": "443",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, port(u), raw)
	}
}
