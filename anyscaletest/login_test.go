package anyscaletest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startLogin starts a login and returns its otp, checking the URL.
func startLogin(t *testing.T, s *Server, query string) string {
	t.Helper()
	res := call(t, s, "GET", "/api/v2/users/create_otp_token"+query, "", nil).result(t, http.StatusOK)
	assert.Equal(t, []string{"otp", "url"}, fieldNames(res))
	otp := res["otp"].(string)
	assert.Regexp(t, `^[a-z0-9]{24}$`, otp)
	assert.Equal(t, s.URL+"/otp/"+otp, res["url"])
	return otp
}

func TestLoginFlow(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	otp := startLogin(t, s, "?duration_seconds=3600")
	assert.Equal(t, []string{otp}, s.PendingLogins())

	for range 2 {
		res := call(t, s, "GET", "/api/v2/users/request_otp_token/"+otp, "", nil).result(t, http.StatusOK)
		assert.Equal(t, map[string]any{"valid": false}, res)
	}
	s.ApproveLogin(otp, alice)
	res := call(t, s, "GET", "/api/v2/users/request_otp_token/"+otp, "", nil).result(t, http.StatusOK)
	assert.Equal(t, []string{"server_session_id", "valid"}, fieldNames(res))
	assert.Equal(t, true, res["valid"])
	token := res["server_session_id"].(string)
	assert.Regexp(t, `^aph0_[a-z0-9]{40}$`, token)

	info := call(t, s, "GET", "/api/v2/userinfo/", token, nil).result(t, http.StatusOK)
	assert.Equal(t, alice.ID, info["id"])
	ks := s.Keys(alice)
	require.Len(t, ks, 2)
	assert.Equal(t, keyID(token), ks[1].ID)
	assert.Equal(t, s.Now().Add(time.Hour), *ks[1].ExpiresAt)

	// Handed out once; then the code is gone.
	call(t, s, "GET", "/api/v2/users/request_otp_token/"+otp, "", nil).detail(t, http.StatusNotFound)
	assert.Empty(t, s.PendingLogins())
	assert.Panics(t, func() { s.ApproveLogin(otp, alice) })
	call(t, s, "GET", "/api/v2/users/request_otp_token/nope", "", nil).detail(t, http.StatusNotFound)

	for _, r := range s.Requests() {
		if r.Path != "/api/v2/userinfo/" {
			assert.False(t, r.Authenticated, r.Path)
		}
	}
}

func TestLoginDurations(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	for query, want := range map[string]time.Duration{
		"":                          7 * 24 * time.Hour,
		"?duration_seconds=0":       0,
		"?duration_seconds=60":      time.Minute,
		"?duration_seconds=2592000": 30 * 24 * time.Hour,
	} {
		otp := startLogin(t, s, query)
		s.ApproveLogin(otp, owner)
		ks := s.Keys(owner)
		k := ks[len(ks)-1]
		if want == 0 {
			assert.Nil(t, k.ExpiresAt, query)
		} else {
			assert.Equal(t, s.Now().Add(want), *k.ExpiresAt, query)
		}
	}
	for _, q := range []string{"?duration_seconds=-1", "?duration_seconds=2592001", "?duration_seconds=week"} {
		loc := call(t, s, "GET", "/api/v2/users/create_otp_token"+q, "", nil).validation(t)
		assert.Equal(t, []any{"query", "duration_seconds"}, loc)
	}
	// A pending login approved later gets its lifetime from approval time.
	otp := startLogin(t, s, "?duration_seconds=60")
	s.Advance(time.Hour)
	s.ApproveLogin(otp, owner)
	ks := s.Keys(owner)
	assert.Equal(t, s.Now().Add(time.Minute), *ks[len(ks)-1].ExpiresAt)
}

func TestLoginThroughTheBrowserURL(t *testing.T) {
	t.Parallel()
	s := Start(t)
	res := call(t, s, "GET", "/api/v2/users/create_otp_token", "", nil).result(t, http.StatusOK)
	otp := res["otp"].(string)

	resp, err := s.HTTPClient().Get(res["url"].(string))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"))
	assert.NotEmpty(t, resp.Header.Get("x-trace-id"))

	page := call(t, s, "GET", "/otp/"+otp, "", nil)
	assert.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, string(page.Raw), "already approved")

	poll := call(t, s, "GET", "/api/v2/users/request_otp_token/"+otp, "", nil).result(t, http.StatusOK)
	info := call(t, s, "GET", "/api/v2/userinfo/", poll["server_session_id"].(string), nil).result(t, http.StatusOK)
	assert.Equal(t, s.Owner().ID, info["id"])

	page = call(t, s, "GET", "/otp/"+otp, "", nil)
	assert.Equal(t, http.StatusNotFound, page.Status)
	assert.Contains(t, string(page.Raw), "Unknown")
}

func TestApproveLoginMisuse(t *testing.T) {
	t.Parallel()
	s := Start(t)
	otp := startLogin(t, s, "")
	assert.Panics(t, func() { s.ApproveLogin("nope", s.Owner()) })
	assert.Panics(t, func() { s.ApproveLogin(otp, User{ID: "usr_gone", Email: "gone@example.com"}) })
	s.ApproveLogin(otp, s.Owner())
	assert.Panics(t, func() { s.ApproveLogin(otp, s.Owner()) })
}
