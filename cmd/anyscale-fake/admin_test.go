package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

// adminServer is a fake with the admin API in front, as run makes it.
func adminServer(t *testing.T, opts ...anyscaletest.Option) *anyscaletest.Server {
	t.Helper()
	adm := newAdmin()
	srv := anyscaletest.Start(t, append(opts, anyscaletest.WithWrap(adm.wrap))...)
	adm.ready(srv)
	return srv
}

// answer is one decoded answer.
type answer struct {
	status int
	header http.Header
	json   map[string]any
	raw    string
}

// send sends body (none when "") with token (none when "").
func send(t *testing.T, srv *anyscaletest.Server, method, path, token, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out.json), "%s", raw)
	}
	return out
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	srv := adminServer(t)
	tok := srv.Owner().Token

	a := send(t, srv, "POST", "/_fake/faults", "", `{"method": "get", "path_prefix": "/api/v2/users/api_keys", "status": 503, "retry_after": "7", "times": 2}`)
	require.Equal(t, http.StatusCreated, a.status, a.raw)
	assert.Equal(t, map[string]any{"method": "GET", "path_prefix": "/api/v2/users/api_keys", "status": 503.0, "retry_after": "7", "times": 2.0}, a.json)
	a = send(t, srv, "POST", "/_fake/faults", "", `{"path_prefix": "/api/v2/userinfo/", "drop": true, "after_handler": true, "delay": "1ms"}`)
	require.Equal(t, http.StatusCreated, a.status, a.raw)
	assert.Equal(t, map[string]any{"path_prefix": "/api/v2/userinfo/", "drop": true, "after_handler": true, "delay": "1ms", "times": 1.0}, a.json)

	assert.Equal(t, []anyscaletest.Fault{
		{Method: "GET", PathPrefix: anyscaletest.PathKeys, Status: 503, RetryAfter: "7", Times: 2},
		{PathPrefix: anyscaletest.PathUserInfo, Drop: true, AfterHandler: true, Delay: time.Millisecond, Times: 1},
	}, srv.QueuedFaults())

	a = send(t, srv, "GET", anyscaletest.PathKeys, tok, "")
	assert.Equal(t, 503, a.status)
	assert.Equal(t, "7", a.header.Get("Retry-After"))
	a = send(t, srv, "GET", "/_fake/faults", "", "")
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, map[string]any{"faults": []any{
		map[string]any{"method": "GET", "path_prefix": "/api/v2/users/api_keys", "status": 503.0, "retry_after": "7", "times": 1.0},
		map[string]any{"path_prefix": "/api/v2/userinfo/", "drop": true, "after_handler": true, "delay": "1ms", "times": 1.0},
	}}, a.json, "each with the uses it has left")

	a = send(t, srv, "DELETE", "/_fake/faults", "", "")
	assert.Equal(t, map[string]any{"dropped": 2.0}, a.json)
	assert.Empty(t, srv.QueuedFaults())
	a = send(t, srv, "GET", "/_fake/faults", "", "")
	assert.Equal(t, map[string]any{"faults": []any{}}, a.json)
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", anyscaletest.PathKeys, tok, "").status)
}

func TestAdminRefusesWhatItCannotTake(t *testing.T) {
	t.Parallel()
	srv := adminServer(t)
	for _, c := range []struct{ method, path, body, want string }{
		{"POST", "/_fake/faults", `{"path": "/api/v2/users/api_keys"}`, `unknown field "path"`},
		{"POST", "/_fake/faults", `{"path_prefix": "/api/v2/user/api_keys"}`, `no endpoint's path starts with "/api/v2/user/api_keys"`},
		{"POST", "/_fake/faults", `{"method": "POST", "path_prefix": "/api/v2/userinfo/"}`, `no POST endpoint's path`},
		{"POST", "/_fake/faults", `{"status": 42}`, "status 42"},
		{"POST", "/_fake/faults", `{"times": -1}`, "negative Times"},
		{"POST", "/_fake/faults", `{"delay": "soon"}`, `delay "soon" is not a duration`},
		{"POST", "/_fake/faults", `{"status": 503} {}`, "more than one JSON value"},
		{"POST", "/_fake/faults", `[]`, "not the JSON object expected"},
		{"POST", "/_fake/advance", `{"by": "-1h"}`, `"-1h" is not a duration`},
		{"POST", "/_fake/advance", `{"by": "2 days"}`, `"2 days" is not a duration`},
		{"POST", "/_fake/advance", ``, `"" is not a duration`},
	} {
		a := send(t, srv, c.method, c.path, "", c.body)
		assert.Equal(t, http.StatusBadRequest, a.status, "%s %s", c.path, c.body)
		assert.Contains(t, a.json["error"], c.want, "%s %s", c.path, c.body)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/_fake/"}, {"GET", "/_fake"}, {"GET", "/_fake/clock"}, {"PUT", "/_fake/faults"}, {"GET", "/_fake/advance"},
	} {
		a := send(t, srv, c.method, c.path, "", "")
		assert.Equal(t, http.StatusNotFound, a.status, "%s %s", c.method, c.path)
		assert.Contains(t, a.json["error"], "no admin endpoint", "%s %s", c.method, c.path)
	}
	assert.Empty(t, srv.QueuedFaults())
	assert.Empty(t, srv.Requests(), "the admin API's requests are not the fake's")
}

func TestAdminClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := adminServer(t, anyscaletest.WithClock(start))
	_, secret := srv.AddKey(srv.Owner(), "short", 24*time.Hour)

	a := send(t, srv, "GET", "/_fake/now", "", "")
	assert.Equal(t, map[string]any{"now": "2031-01-01T00:00:00Z"}, a.json)
	a = send(t, srv, "POST", "/_fake/advance", "", `{"by": "2d"}`)
	require.Equal(t, http.StatusOK, a.status, a.raw)
	assert.Equal(t, map[string]any{"now": "2031-01-03T00:00:00Z"}, a.json)
	a = send(t, srv, "POST", "/_fake/advance", "", `{"by": "90m"}`)
	assert.Equal(t, map[string]any{"now": "2031-01-03T01:30:00Z"}, a.json)
	assert.Equal(t, start.Add(49*time.Hour+30*time.Minute), srv.Now())

	assert.Equal(t, http.StatusUnauthorized, send(t, srv, "GET", anyscaletest.PathUserInfo, secret, "").status, "the day-long key expired")
	a = send(t, srv, "GET", anyscaletest.PathUserInfo, srv.Owner().Token, "")
	assert.Equal(t, http.StatusOK, a.status, "the owner's printed token still works")
	assert.Equal(t, "Fri, 03 Jan 2031 01:30:00 GMT", a.header.Get("Date"))
}

func TestAdminRequestsAndReset(t *testing.T) {
	t.Parallel()
	srv := adminServer(t)
	tok := srv.Owner().Token
	send(t, srv, "POST", anyscaletest.PathCreateKey, tok, `{"name": "ci", "duration": 3600}`)
	send(t, srv, "GET", anyscaletest.PathKeys+"?name=ci", "", "")
	send(t, srv, "POST", "/_fake/faults", "", `{"path_prefix": "/api/v2/users/rotate_api_key", "status": 500}`)

	a := send(t, srv, "GET", "/_fake/requests", "", "")
	require.Equal(t, http.StatusOK, a.status)
	reqs := a.json["requests"].([]any)
	require.Len(t, reqs, 2, "the admin API's own requests are not listed")
	first := reqs[0].(map[string]any)
	assert.Equal(t, "POST", first["method"])
	assert.Equal(t, "/api/v2/users/create_api_key", first["path"])
	assert.Equal(t, `{"name": "ci", "duration": 3600}`, first["body"])
	assert.Equal(t, 200.0, first["status"])
	assert.Equal(t, true, first["authenticated"])
	assert.Equal(t, "owner@example.com", first["user_email"])
	assert.NotEmpty(t, first["trace_id"])
	second := reqs[1].(map[string]any)
	assert.Equal(t, "name=ci", second["query"])
	assert.Equal(t, 401.0, second["status"])
	assert.Equal(t, false, second["authenticated"])
	assert.NotContains(t, a.raw, tok)

	a = send(t, srv, "POST", "/_fake/reset", "", "")
	assert.Equal(t, map[string]any{"dropped": 1.0}, a.json)
	assert.Empty(t, srv.QueuedFaults())
	a = send(t, srv, "GET", "/_fake/requests", "", "")
	assert.Equal(t, map[string]any{"requests": []any{}}, a.json)
	assert.Len(t, srv.Keys(srv.Owner()), 2, "the state stays")
}
