package keys_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/login"
)

// The login moved to package login; the old names in keys forward to it
// for one minor version. login's own tests hold the behaviour: these hold
// the forwarding. (staticcheck's SA1019 does not flag a package's
// deprecated names in its own external tests, so these uses need no
// lint:ignore: one would be reported as matching nothing.)

// loginMock is a client of an API whose login is approved at the first
// poll; query gets the start's query.
func loginMock(t *testing.T, secret string, query *string) *client.Client {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", func(r *http.Request) (*http.Response, error) {
		*query = r.URL.RawQuery
		return jsonResp(200, `{"result":{"url":"https://api.test/otp/abc","otp":"abc"}}`), nil
	})
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/abc",
		httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"`+secret+`"}}`))
	c, err := client.New(client.WithBaseURL(baseURL), client.WithProvider(auth.NewChain()),
		client.WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	return c
}

func TestDeprecatedLoginForwards(t *testing.T) {
	t.Parallel()
	const secret = "aph0_loginsecret0123456789abcdefghijklmn"
	var query string
	c := loginMock(t, secret, &query)
	path := filepath.Join(t.TempDir(), "credentials.json")

	opts := keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	}
	var res *keys.LoginResult
	res, err := keys.New(c).Login(context.Background(), opts)
	require.NoError(t, err)
	assert.Equal(t, "duration_seconds=604800", query, "keys.LoginLifetime by default")
	assert.Equal(t, secret, res.Secret.Reveal())
	assert.Equal(t, path, res.Path)
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, secret, f.CLIToken.Reveal())
}

func TestDeprecatedLoginNamesAreLogins(t *testing.T) {
	t.Parallel()
	refused := keys.ErrLoginURLRefused
	assert.Same(t, login.ErrURLRefused, refused)
	assert.True(t, errors.Is(refused, login.ErrURLRefused))
	assert.True(t, errors.Is(login.ErrURLRefused, refused))
	interval, polls, host := keys.DefaultPollInterval, keys.DefaultMaxPolls, keys.ConsoleHost
	assert.Equal(t, login.DefaultPollInterval, interval)
	assert.Equal(t, login.DefaultMaxPolls, polls)
	assert.Equal(t, login.ConsoleHost, host)
	assert.Equal(t, login.DefaultLifetime, keys.LoginLifetime)
}

// login cannot import keys (keys builds on it): it checks a lifetime
// against its own copy of the 30-day policy, held to MaxLifetime here.
func TestLoginLifetimeIsTheKeyPolicy(t *testing.T) {
	t.Parallel()
	var query string
	c := loginMock(t, "aph0_loginsecret0123456789abcdefghijklmn", &query)
	opts := login.Options{
		ExpiresIn:       keys.MaxLifetime,
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		CredentialsPath: filepath.Join(t.TempDir(), "credentials.json"),
	}
	_, err := login.Run(context.Background(), c, opts)
	require.NoError(t, err)
	assert.Equal(t, "duration_seconds=2592000", query)

	query = ""
	opts.ExpiresIn = keys.MaxLifetime + time.Second
	_, err = login.Run(context.Background(), c, opts)
	require.ErrorIs(t, err, client.ErrInvalid)
	assert.Empty(t, query, "nothing was sent")
}
