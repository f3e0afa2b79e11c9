package keys_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

const loginSecret = "aph0_loginsecret0123456789abcdefghijklmn"

// noTokenClient has a chain that finds nothing, as before a first login.
func noTokenClient(t *testing.T, mt http.RoundTripper, base string) *client.Client {
	t.Helper()
	c, err := client.New(client.WithBaseURL(base), client.WithProvider(auth.NewChain()),
		client.WithHTTPClient(&http.Client{Transport: mt}),
		client.WithRetryPolicy(client.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	require.NoError(t, err)
	return c
}

func TestLoginUnit(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var auths []string
	var startQuery string
	polls := 0
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", func(r *http.Request) (*http.Response, error) {
		auths = append(auths, r.Header.Get("Authorization"))
		startQuery = r.URL.RawQuery
		return jsonResp(200, `{"result":{"url":"https://console.test/otp/abc","otp":"abc"}}`), nil
	})
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/abc", func(r *http.Request) (*http.Response, error) {
		auths = append(auths, r.Header.Get("Authorization"))
		polls++
		if polls < 3 {
			return jsonResp(200, `{"result":{"valid":false}}`), nil
		}
		return jsonResp(200, `{"result":{"valid":true,"server_session_id":"`+loginSecret+`"}}`), nil
	})
	path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json")
	var opened string
	res, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(_ context.Context, u string) error { opened = u; return nil },
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.NoError(t, err)
	assert.Equal(t, "duration_seconds=604800", startQuery, "7 days by default")
	assert.Equal(t, "https://console.test/otp/abc", opened)
	assert.Equal(t, 3, polls)
	for _, a := range auths {
		assert.Empty(t, a, "login calls carry no token")
	}
	assert.Equal(t, loginSecret, res.Secret.Reveal())
	assert.Equal(t, path, res.Path)
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, loginSecret, f.CLIToken.Reveal())
}

func TestLoginDurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts      keys.LoginOptions
		wantQuery string
		wantErr   bool
	}{
		{opts: keys.LoginOptions{NoExpiry: true}, wantQuery: "duration_seconds=0"},
		{opts: keys.LoginOptions{ExpiresIn: time.Hour}, wantQuery: "duration_seconds=3600"},
		{opts: keys.LoginOptions{ExpiresIn: 31 * 24 * time.Hour}, wantErr: true},
		{opts: keys.LoginOptions{ExpiresIn: time.Hour, NoExpiry: true}, wantErr: true},
		{opts: keys.LoginOptions{MaxPolls: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.wantQuery, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			var query string
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", func(r *http.Request) (*http.Response, error) {
				query = r.URL.RawQuery
				return jsonResp(200, `{"result":{"url":"u","otp":"o"}}`), nil
			})
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/o",
				httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"`+loginSecret+`"}}`))
			opts := tt.opts
			opts.OpenURL = func(context.Context, string) error { return nil }
			opts.CredentialsPath = filepath.Join(t.TempDir(), "c.json")
			_, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), opts)
			if tt.wantErr {
				require.ErrorIs(t, err, client.ErrInvalid)
				assert.Zero(t, mt.GetTotalCallCount())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, query)
		})
	}
}

func writeExisting(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json") // Save makes the directory 0700
	require.NoError(t, credentials.Save(path, "aph0_existing0123456789abcdefghijklmnopq"))
	return path
}

func assertUntouched(t *testing.T, path string) {
	t.Helper()
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, "aph0_existing0123456789abcdefghijklmnopq", f.CLIToken.Reveal())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestLoginNeverApprovedLeavesFileUntouched(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	path := writeExisting(t)
	polls := 0
	_, err := keys.New(noTokenClient(t, srv.HTTPClient().Transport, srv.URL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		MaxPolls:        4,
		CredentialsPath: path,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not approved after 4 polls")
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/v2/users/request_otp_token/") {
			polls++
		}
	}
	assert.Equal(t, 4, polls)
	assertUntouched(t, path)
}

func TestLoginCancelledLeavesFileUntouched(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	path := writeExisting(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := keys.New(noTokenClient(t, srv.HTTPClient().Transport, srv.URL)).Login(ctx, keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { cancel(); return nil },
		PollInterval:    time.Hour, // only cancellation ends this test quickly
		CredentialsPath: path,
	})
	require.ErrorIs(t, err, context.Canceled)
	assertUntouched(t, path)
}

func TestLoginApprovedAgainstFake(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	path := writeExisting(t)
	res, err := keys.New(noTokenClient(t, srv.HTTPClient().Transport, srv.URL)).Login(context.Background(), keys.LoginOptions{
		OpenURL: func(_ context.Context, u string) error {
			srv.ApproveLogin(u[strings.LastIndex(u, "/")+1:], ada)
			return nil
		},
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.NoError(t, err)
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, res.Secret, f.CLIToken, "the existing file is replaced by the new token")

	// The saved token works through the file source of the chain.
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithHTTPClient(srv.HTTPClient()),
		client.WithProvider(auth.NewChain(auth.File(auth.WithPath(path)))))
	require.NoError(t, err)
	me, err := c.WhoAmI(context.Background())
	require.NoError(t, err)
	assert.Equal(t, ada.Email, me.Email)
	all := srv.Keys(ada) // oldest first: the seeded key, then the login's
	require.Len(t, all, 2)
	key := all[1]
	require.NotNil(t, key.ExpiresAt)
	assert.Equal(t, keys.LoginLifetime, key.ExpiresAt.Sub(key.CreatedAt))
}

func TestLoginPollFaults(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	var otp string
	srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/request_otp_token/", Status: 503, Times: 2})
	path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json")
	res, err := keys.New(noTokenClient(t, srv.HTTPClient().Transport, srv.URL)).Login(context.Background(), keys.LoginOptions{
		OpenURL: func(_ context.Context, u string) error {
			otp = u[strings.LastIndex(u, "/")+1:]
			srv.ApproveLogin(otp, srv.Owner())
			return nil
		},
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.NoError(t, err, "transient poll failures wait for the next poll")
	assert.NotEmpty(t, res.Secret)
	polls := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/v2/users/request_otp_token/") {
			polls++
		}
	}
	assert.Equal(t, 3, polls)
}

func TestLoginErrorsHideTheCode(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://console.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/SECRETCODE",
		httpmock.NewStringResponder(404, `{"error":{"detail":"unknown or already used login code"}}`))
	_, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
	})
	require.ErrorIs(t, err, client.ErrNotFound)
	assert.NotContains(t, err.Error(), "SECRETCODE")
	assert.Equal(t, 2, mt.GetTotalCallCount(), "a refused poll ends the login at once")
}

func TestLoginTransportErrorsHideTheCode(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://console.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/SECRETCODE",
		httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	_, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		MaxPolls:        2,
		CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection reset by peer")
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), "SECRETCODE")
	var ue *url.Error
	if errors.As(err, &ue) {
		assert.NotContains(t, ue.URL, "SECRETCODE")
	}
}

func TestLoginOpenURLErrorHidesTheCode(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://console.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	_, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(_ context.Context, u string) error { return fmt.Errorf("no browser for %s", u) },
		CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no browser for https://console.test/otp/{otp}")
	assert.NotContains(t, err.Error(), "SECRETCODE")
}

func TestLoginMalformedTokenIsNotSaved(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"u","otp":"o"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/o",
		httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"not a token"}}`))
	path := writeExisting(t)
	_, err := keys.New(noTokenClient(t, mt, baseURL)).Login(context.Background(), keys.LoginOptions{
		OpenURL:         func(context.Context, string) error { return nil },
		CredentialsPath: path,
	})
	require.ErrorIs(t, err, credentials.ErrInvalidToken)
	assertUntouched(t, path)
}
