package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/login"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

const (
	baseURL     = apimock.BaseURL
	loginSecret = "aph0_loginsecret0123456789abcdefghijklmn"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func jsonResp(status int, body string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", "application/json")
	return resp
}

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
		return jsonResp(200, `{"result":{"url":"https://api.test/otp/abc","otp":"abc"}}`), nil
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
	res, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
		OpenURL:         func(_ context.Context, u string) error { opened = u; return nil },
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.NoError(t, err)
	assert.Equal(t, "duration_seconds=604800", startQuery, "7 days by default")
	assert.Equal(t, "https://api.test/otp/abc", opened)
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
		opts      login.Options
		wantQuery string
		wantErr   bool
	}{
		{opts: login.Options{NoExpiry: true}, wantQuery: "duration_seconds=0"},
		{opts: login.Options{ExpiresIn: time.Hour}, wantQuery: "duration_seconds=3600"},
		{opts: login.Options{ExpiresIn: 31 * 24 * time.Hour}, wantErr: true},
		{opts: login.Options{ExpiresIn: time.Hour, NoExpiry: true}, wantErr: true},
		{opts: login.Options{MaxPolls: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.wantQuery, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			var query string
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token", func(r *http.Request) (*http.Response, error) {
				query = r.URL.RawQuery
				return jsonResp(200, `{"result":{"url":"https://api.test/otp/o","otp":"o"}}`), nil
			})
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/o",
				httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"`+loginSecret+`"}}`))
			opts := tt.opts
			opts.OpenURL = func(context.Context, string) error { return nil }
			opts.CredentialsPath = filepath.Join(t.TempDir(), "c.json")
			_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), opts)
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
	_, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
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
	_, err := login.Run(ctx, noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
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
	res, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
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
	assert.Equal(t, login.DefaultLifetime, key.ExpiresAt.Sub(key.CreatedAt))
}

func TestLoginPollFaults(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	var otp string
	srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/request_otp_token/", Status: 503, Times: 2})
	path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json")
	res, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
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
		httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/SECRETCODE",
		httpmock.NewStringResponder(404, `{"error":{"detail":"unknown or already used login code"}}`))
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
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
		httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/SECRETCODE",
		httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
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
		httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/SECRETCODE","otp":"SECRETCODE"}}`))
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
		OpenURL:         func(_ context.Context, u string) error { return fmt.Errorf("no browser for %s", u) },
		CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no browser for https://api.test/otp/{otp}")
	assert.NotContains(t, err.Error(), "SECRETCODE")
}

func TestLoginMalformedTokenIsNotSaved(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/o","otp":"o"}}`))
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/o",
		httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"not a token"}}`))
	path := writeExisting(t)
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
		OpenURL:         func(context.Context, string) error { return nil },
		CredentialsPath: path,
	})
	require.ErrorIs(t, err, credentials.ErrInvalidToken)
	assertUntouched(t, path)
}

// A poll answer without "valid" is not taken for "not yet approved": it
// may carry the token, and the login stops saying so.
func TestLoginPollAnswerInAnUnknownShape(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/o","otp":"o"}}`))
	polls := 0
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/o", func(*http.Request) (*http.Response, error) {
		polls++
		return jsonResp(200, `{"result":{"approved":true,"server_session_id":"`+loginSecret+`"}}`), nil
	})
	path := writeExisting(t)
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
		OpenURL:         func(context.Context, string) error { return nil },
		PollInterval:    time.Millisecond,
		MaxPolls:        3,
		CredentialsPath: path,
	})
	require.ErrorIs(t, err, client.ErrMalformedResponse)
	assert.NotContains(t, err.Error(), "not approved")
	assert.NotContains(t, err.Error(), loginSecret)
	assert.Equal(t, 1, polls, "polling stops at the answer it does not understand")
	assertUntouched(t, path)
}

// loginCode is the pending login code the URL-check tests use: a canary.
const loginCode = "SECRETCODE0123456789"

func TestLoginRefusesUnsafeURLs(t *testing.T) {
	t.Parallel()
	const httpBase = "http://127.0.0.1:8080"
	tests := []struct {
		name, base, url string
		wantReason      string // "" accepts the URL
	}{
		{name: "file", url: "file:///home/me/" + loginCode, wantReason: `has the scheme "file"`},
		{name: "file on an http API", base: httpBase, url: "file:///home/me/" + loginCode, wantReason: `has the scheme "file"; only http(s)`},
		{name: "javascript", url: "javascript:alert('" + loginCode + "')", wantReason: `has the scheme "javascript"`},
		{name: "data", url: "data:text/html,<script>" + loginCode + "</script>", wantReason: `has the scheme "data"`},
		{name: "ftp on the API host", url: "ftp://api.test/otp/" + loginCode, wantReason: `has the scheme "ftp"`},
		{name: "https on another host", url: "https://evil.example/otp/" + loginCode, wantReason: `host "evil.example"`},
		{name: "userinfo trick", url: "https://console.anyscale.com@evil.example/otp/" + loginCode, wantReason: "user info"},
		{name: "userinfo with the API host", url: "https://api.test@api.test/otp/" + loginCode, wantReason: "user info"},
		{name: "host suffix trick", url: "https://console.anyscale.com.evil.example/otp/" + loginCode, wantReason: `host "console.anyscale.com.evil.example"`},
		{name: "host prefix trick", url: "https://evilconsole.anyscale.com/otp/" + loginCode, wantReason: `host "evilconsole.anyscale.com"`},
		{name: "trailing dot", url: "https://console.anyscale.com./otp/" + loginCode, wantReason: `host "console.anyscale.com."`},
		{name: "long s in the console host", url: "https://con\u017Fole.anyscale.com/otp/" + loginCode, wantReason: "refused"},
		{name: "http on an https API", url: "http://api.test/otp/" + loginCode, wantReason: "plain http"},
		{name: "http console on an https API", url: "http://console.anyscale.com/otp/" + loginCode, wantReason: "plain http"},
		{name: "http console on an http API", base: httpBase, url: "http://console.anyscale.com/otp/" + loginCode, wantReason: "only form accepted"},
		{name: "another port of the API host", url: "https://api.test:8443/otp/" + loginCode, wantReason: `host "api.test:8443"`},
		{name: "another port of the console", url: "https://console.anyscale.com:8443/otp/" + loginCode, wantReason: "only form accepted"},
		{name: "another port of an http API", base: httpBase, url: "http://127.0.0.1:9090/otp/" + loginCode, wantReason: `host "127.0.0.1:9090"`},
		{name: "another name of an http API", base: httpBase, url: "http://localhost:8080/otp/" + loginCode, wantReason: `host "localhost:8080"`},
		{name: "no scheme", url: "//evil.example/otp/" + loginCode, wantReason: "not an absolute URL"},
		{name: "relative", url: "/otp/" + loginCode, wantReason: "not an absolute URL"},
		{name: "opaque", url: "https:console.anyscale.com/otp/" + loginCode, wantReason: "names no host"},
		{name: "does not parse", url: "https://console.anyscale.com/otp/\x00" + loginCode, wantReason: "does not parse"},
		{name: "code escaped", url: "https://evil.example/otp/%53" + loginCode[1:], wantReason: `host "evil.example"`},
		{name: "code in the host", url: "https://" + loginCode + ".evil.example/otp/x", wantReason: `host "{otp}.evil.example"`},

		{name: "the API host", url: "https://api.test/otp/" + loginCode},
		{name: "the API host in capitals", url: "HTTPS://API.Test/otp/" + loginCode},
		{name: "the API host with its default port", url: "https://api.test:443/otp/" + loginCode},
		{name: "the console", url: "https://console.anyscale.com/otp/" + loginCode},
		{name: "the console in capitals", url: "https://Console.Anyscale.COM/otp/" + loginCode},
		{name: "the console on an http API", base: httpBase, url: "https://console.anyscale.com/otp/" + loginCode},
		{name: "http on an http API", base: httpBase, url: httpBase + "/otp/" + loginCode},
		{name: "https on an http API's host", base: httpBase, url: "https://127.0.0.1:8080/otp/" + loginCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := tt.base
			if base == "" {
				base = baseURL
			}
			mt := httpmock.NewMockTransport()
			start, err := json.Marshal(map[string]any{"result": map[string]string{"url": tt.url, "otp": loginCode}})
			require.NoError(t, err)
			mt.RegisterResponder("GET", base+"/api/v2/users/create_otp_token", httpmock.NewBytesResponder(200, start))
			mt.RegisterResponder("GET", base+"/api/v2/users/request_otp_token/"+loginCode,
				httpmock.NewStringResponder(200, `{"result":{"valid":true,"server_session_id":"`+loginSecret+`"}}`))
			path := filepath.Join(t.TempDir(), ".anyscale", "credentials.json")
			var opened []string
			res, err := login.Run(context.Background(), noTokenClient(t, mt, base), login.Options{
				OpenURL:         func(_ context.Context, u string) error { opened = append(opened, u); return nil },
				PollInterval:    time.Millisecond,
				CredentialsPath: path,
			})
			if tt.wantReason == "" {
				require.NoError(t, err)
				assert.Equal(t, []string{tt.url}, opened)
				assert.Equal(t, tt.url, res.URL)
				return
			}
			require.ErrorIs(t, err, login.ErrURLRefused)
			assert.Contains(t, err.Error(), "refused")
			assert.Contains(t, err.Error(), tt.wantReason)
			assert.Contains(t, err.Error(), "no credentials were written")
			for _, shown := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err)} {
				assert.NotContains(t, shown, loginCode, "the login code is never shown")
				assert.NotContains(t, shown, loginCode[1:], "not even escaped")
			}
			assert.Empty(t, opened, "nothing is opened")
			assert.Equal(t, 1, mt.GetTotalCallCount(), "nothing is polled")
			_, statErr := os.Stat(path)
			assert.ErrorIs(t, statErr, os.ErrNotExist, "no credentials were written")
		})
	}
}

func TestLoginRefusedURLIsShownWithoutTheCode(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
		httpmock.NewStringResponder(200, `{"result":{"url":"https://evil.example/otp/`+loginCode+`","otp":"`+loginCode+`"}}`))
	_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
		OpenURL:         func(context.Context, string) error { return nil },
		CredentialsPath: filepath.Join(t.TempDir(), "c.json"),
	})
	require.ErrorIs(t, err, login.ErrURLRefused)
	assert.Contains(t, err.Error(), `"https://evil.example/otp/{otp}"`)
	assert.Contains(t, err.Error(), `neither the API's own host "api.test" nor console.anyscale.com`)
}

// TestLoginLostTokenAnswer: a poll whose answer is lost after the server
// may have acted can have handed the token out; the server then forgets
// the code, and the next poll's 404 says so, not "unknown login code".
func TestLoginLostTokenAnswer(t *testing.T) {
	t.Parallel()
	status := func(code int) httpmock.Responder {
		return httpmock.NewStringResponder(code, `{"error":{"detail":"answer `+fmt.Sprint(code)+`"}}`)
	}
	var (
		pending = httpmock.NewStringResponder(200, `{"result":{"valid":false}}`)
		gone    = httpmock.NewStringResponder(404, `{"error":{"detail":"unknown or already used login code"}}`)
		reset   = httpmock.NewErrorResponder(errors.New("connection reset by peer"))
	)
	tests := []struct {
		name     string
		polls    []httpmock.Responder
		noExpiry bool
		wantLost bool
		wantText string
	}{
		{name: "502 then 404", polls: []httpmock.Responder{status(502), gone}, wantLost: true, wantText: "within 7d 0h"},
		{name: "500 then 404", polls: []httpmock.Responder{pending, status(500), gone}, wantLost: true},
		{name: "503 then 404", polls: []httpmock.Responder{status(503), gone}, wantLost: true},
		{name: "504 then 404", polls: []httpmock.Responder{status(504), gone}, wantLost: true},
		{name: "connection reset then 404", polls: []httpmock.Responder{reset, gone}, wantLost: true, wantText: "connection reset by peer"},
		{name: "lost, 429, then 404", polls: []httpmock.Responder{status(502), status(429), status(429), gone}, wantLost: true},
		{name: "lost without expiry", polls: []httpmock.Responder{status(502), gone}, noExpiry: true, wantLost: true, wantText: "never expires"},
		{name: "404 alone", polls: []httpmock.Responder{gone}},
		{name: "pending then 404", polls: []httpmock.Responder{pending, gone}},
		{name: "lost, then pending, then 404", polls: []httpmock.Responder{status(502), pending, gone}},
		{name: "429 then 404", polls: []httpmock.Responder{status(429), gone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/create_otp_token",
				httpmock.NewStringResponder(200, `{"result":{"url":"https://api.test/otp/`+loginCode+`","otp":"`+loginCode+`"}}`))
			n := 0
			mt.RegisterResponder("GET", baseURL+"/api/v2/users/request_otp_token/"+loginCode, func(r *http.Request) (*http.Response, error) {
				require.Less(t, n, len(tt.polls), "polled after the login ended")
				n++
				return tt.polls[n-1](r)
			})
			path := writeExisting(t)
			_, err := login.Run(context.Background(), noTokenClient(t, mt, baseURL), login.Options{
				NoExpiry:        tt.noExpiry,
				OpenURL:         func(context.Context, string) error { return nil },
				PollInterval:    time.Millisecond,
				CredentialsPath: path,
			})
			require.Error(t, err)
			assert.Equal(t, len(tt.polls), n, "every poll was used")
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), loginCode)
			assertUntouched(t, path)
			if !tt.wantLost {
				assert.ErrorIs(t, err, client.ErrNotFound)
				assert.NotContains(t, err.Error(), "approved", "nothing says the server handed the token out")
				assert.Contains(t, err.Error(), "unknown or already used login code")
				return
			}
			assert.True(t, client.MayHaveActed(err), "the error is the lost poll's: the server may have acted")
			assert.Contains(t, err.Error(), "login: approved, but the answer carrying its token was lost")
			assert.Contains(t, err.Error(), "no credentials were written")
			assert.Contains(t, err.Error(), "run the login again")
			assert.Contains(t, err.Error(), tt.wantText)
		})
	}
}

// TestLoginLostTokenAnswerAgainstFake: the fake hands the token out, then
// the answer is replaced by a 502 (the server acted, the answer was lost).
func TestLoginLostTokenAnswerAgainstFake(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	srv.FailNext(anyscaletest.Fault{Method: http.MethodGet, PathPrefix: "/api/v2/users/request_otp_token/", Status: 502, AfterHandler: true})
	path := writeExisting(t)
	var otp string
	_, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
		OpenURL: func(_ context.Context, u string) error {
			otp = u[strings.LastIndex(u, "/")+1:]
			srv.ApproveLogin(otp, ada)
			return nil
		},
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.Error(t, err)
	assert.True(t, client.MayHaveActed(err))
	assert.Contains(t, err.Error(), "login: approved, but the answer carrying its token was lost")
	assert.Contains(t, err.Error(), "no credentials were written")
	assert.Contains(t, err.Error(), "run the login again")
	require.NotEmpty(t, otp)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), otp)
	assertUntouched(t, path)

	var polls []int
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/v2/users/request_otp_token/") {
			polls = append(polls, r.Status)
		}
	}
	assert.Equal(t, []int{502, 404}, polls, "the token went out in the lost answer; the next poll found the code gone")
	assert.Len(t, srv.Keys(ada), 2, "the server did make the login's key (besides the seeded one)")
}

// A credentials directory others may write would refuse the new key: the
// login does not start, so no key is made that nobody holds. A file open
// to others is no obstacle: Save replaces it with a 0600 one.
func TestLoginChecksTheCredentialsPathFirst(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	srv := anyscaletest.Start(t)
	dir := filepath.Join(t.TempDir(), ".anyscale")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o775))
	_, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
		OpenURL:         func(context.Context, string) error { t.Error("the login must not start"); return nil },
		CredentialsPath: filepath.Join(dir, "credentials.json"),
	})
	var insecure *credentials.InsecurePermissionsError
	require.ErrorAs(t, err, &insecure)
	assert.Contains(t, err.Error(), "not starting, since the new key could not be saved")
	assert.Empty(t, srv.PendingLogins(), "nothing was started on the server")
	assert.Len(t, srv.Keys(srv.Owner()), 1, "no key was made")

	// A symbolic link or a directory where the file goes: Save would
	// refuse it, so the login does not start.
	require.NoError(t, os.Chmod(dir, 0o700))
	target := filepath.Join(dir, "target.json")
	require.NoError(t, os.WriteFile(target, []byte(`{"cli_token":"aph0_old0123456789abcdefghijklmnop"}`), 0o600))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(target, link))
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o700))
	for _, p := range []string{link, sub} {
		_, err = login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
			OpenURL:         func(context.Context, string) error { t.Error("the login must not start"); return nil },
			CredentialsPath: p,
		})
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), "not starting, since the new key could not be saved", p)
	}
	assert.Empty(t, srv.PendingLogins(), "nothing was started on the server")

	// A loose file in a private directory: the login replaces it.
	path := filepath.Join(dir, "credentials.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"cli_token":"aph0_old0123456789abcdefghijklmnop"}`), 0o644))
	res, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
		OpenURL: func(_ context.Context, u string) error {
			srv.ApproveLogin(u[strings.LastIndex(u, "/")+1:], srv.Owner())
			return nil
		},
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.NoError(t, err)
	require.NoError(t, credentials.CheckPermissions(path), "the saved file passes the strict check")
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, res.Secret, f.CLIToken)
}

// Should the save fail after the login was approved, the key is not lost:
// the result holds it, with the error.
func TestLoginSaveFailureKeepsTheKey(t *testing.T) {
	t.Parallel()
	srv := anyscaletest.Start(t)
	path := filepath.Join(t.TempDir(), "credentials.json")
	res, err := login.Run(context.Background(), noTokenClient(t, srv.HTTPClient().Transport, srv.URL), login.Options{
		OpenURL: func(_ context.Context, u string) error {
			// After the check that the key could be saved: a directory
			// appears where the file should go.
			require.NoError(t, os.Mkdir(path, 0o700))
			srv.ApproveLogin(u[strings.LastIndex(u, "/")+1:], srv.Owner())
			return nil
		},
		PollInterval:    time.Millisecond,
		CredentialsPath: path,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "could not be saved")
	require.NotNil(t, res)
	require.NoError(t, credentials.ValidateToken(res.Secret.Reveal()))
	assert.Empty(t, res.Path, "nothing was saved")
	assert.NotContains(t, err.Error(), res.Secret.Reveal())
	c, err := srv.ClientWithToken(res.Secret.Reveal())
	require.NoError(t, err)
	_, err = c.WhoAmI(context.Background())
	assert.NoError(t, err, "the key in the result works")
}
