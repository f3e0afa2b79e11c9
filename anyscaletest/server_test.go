package anyscaletest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartSeedsOrgAndOwner(t *testing.T) {
	t.Parallel()
	s := Start(t, WithOrgName("Acme Corp"), WithOwnerEmail("Boss@Acme.io"))
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"), s.URL)
	assert.Regexp(t, `^org_[a-z0-9]{26}$`, s.OrgID())
	assert.Equal(t, "Acme Corp", s.OrgName())
	o := s.Owner()
	assert.Regexp(t, `^usr_[a-z0-9]{26}$`, o.ID)
	assert.Regexp(t, `^ide_[a-z0-9]{26}$`, o.IdentityID)
	assert.Equal(t, "boss@acme.io", o.Email)
	assert.Equal(t, Owner, o.Role)
	assert.Regexp(t, `^aph0_[a-z0-9]{40}$`, o.Token)
	// The token passes the official CLI's sanity check.
	assert.True(t, strings.HasPrefix(o.Token, "a") && strings.Contains(o.Token, "_"))
	ks := s.Keys(o)
	require.Len(t, ks, 1)
	assert.Equal(t, keyID(o.Token), ks[0].ID)
	require.NotNil(t, ks[0].ExpiresAt)
	assert.Equal(t, s.Now().Add(30*24*time.Hour), *ks[0].ExpiresAt)
}

func TestEveryResponseIsJSONWithUniqueTraceID(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	seen := map[string]bool{}
	for _, r := range []response{
		call(t, s, "GET", "/api/v2/userinfo/", tok, nil),
		call(t, s, "GET", "/api/v2/userinfo/", "", nil),
		call(t, s, "GET", "/api/v2/nope", tok, nil),
		call(t, s, "GET", "/api/v2/users/api_keys", tok, nil),
	} {
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		id := r.Header.Get("x-trace-id")
		assert.Regexp(t, `^[0-9a-f]{32}$`, id)
		assert.False(t, seen[id], "trace id repeated")
		seen[id] = true
	}
	got := s.Requests()
	require.Len(t, got, 4)
	for _, r := range got {
		assert.True(t, seen[r.TraceID])
	}
}

func TestUnknownPathAndWrongMethod(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	call(t, s, "GET", "/api/v2/nothing/here", tok, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/", "", nil).detail(t, http.StatusNotFound)
	// Paths are exact: no trailing-slash or clean-path redirects.
	call(t, s, "GET", "/api/v2/userinfo", tok, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/api/v2/users/api_keys/", tok, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/api/v2//userinfo/", tok, nil).detail(t, http.StatusNotFound)
	call(t, s, "GET", "/api/v2/organization_collaborators", tok, nil).detail(t, http.StatusNotFound)

	r := call(t, s, "POST", "/api/v2/userinfo/", tok, nil)
	r.detail(t, http.StatusMethodNotAllowed)
	assert.Contains(t, r.Header.Get("Allow"), "GET")
	r = call(t, s, "GET", "/api/v2/users/api_keys/revoke", tok, nil)
	r.detail(t, http.StatusMethodNotAllowed)
	assert.Contains(t, r.Header.Values("Allow"), "DELETE, POST")
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)
	revoked := createKey(t, s, alice.Token, map[string]any{"duration": day, "name": "r"})
	require.Equal(t, http.StatusNoContent,
		call(t, s, "DELETE", "/api/v2/users/api_keys/"+keyID(revoked), alice.Token, nil).Status)
	expiring := createKey(t, s, alice.Token, map[string]any{"duration": 60, "name": "e"})
	bob := s.AddUser("bob@example.com", Collaborator)
	bobKey := createKey(t, s, bob.Token, map[string]any{"duration": day})
	require.Equal(t, http.StatusNoContent,
		call(t, s, "DELETE", "/api/v2/organization_collaborators/"+bob.IdentityID, s.Owner().Token, nil).Status)

	call(t, s, "GET", "/api/v2/userinfo/", expiring, nil).result(t, http.StatusOK)
	s.Advance(60 * time.Second) // expiry is at exactly created_at + duration

	for name, header := range map[string]string{
		"missing":          "",
		"wrong scheme":     "Basic " + alice.Token,
		"empty bearer":     "Bearer ",
		"unknown":          "Bearer aph0_" + strings.Repeat("x", 40),
		"revoked":          "Bearer " + revoked,
		"expired":          "Bearer " + expiring,
		"removed member":   "Bearer " + bob.Token,
		"removed, own key": "Bearer " + bobKey,
	} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/api/v2/userinfo/", "/api/v2/users/api_keys", "/api/v2/organization_collaborators/"} {
				req, err := http.NewRequest("GET", s.URL+path, nil)
				require.NoError(t, err)
				if header != "" {
					req.Header.Set("Authorization", header)
				}
				resp, err := s.HTTPClient().Do(req)
				require.NoError(t, err)
				var body map[string]map[string]string
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
				resp.Body.Close()
				assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				d := body["error"]["detail"]
				assert.NotEmpty(t, d)
				if _, tok, ok := strings.Cut(header, " "); ok && tok != "" {
					assert.NotContains(t, d, tok)
				}
			}
		})
	}
	// The collaborator's own seeded token still works.
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).result(t, http.StatusOK)
	// A case-insensitive scheme is fine.
	req, _ := http.NewRequest("GET", s.URL+"/api/v2/userinfo/", nil)
	req.Header.Set("Authorization", "bearer "+alice.Token)
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestFaultStatusAndRetryAfter(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	s.FailNext(Fault{Method: "GET", PathPrefix: "/api/v2/userinfo", Status: 429, RetryAfter: "7", Times: 2})

	// Other methods and paths pass.
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).list(t)
	call(t, s, "POST", "/api/v2/userinfo/", tok, nil).detail(t, http.StatusMethodNotAllowed)
	for range 2 {
		r := call(t, s, "GET", "/api/v2/userinfo/", tok, nil)
		assert.Equal(t, "injected fault", r.detail(t, http.StatusTooManyRequests))
		assert.Equal(t, "7", r.Header.Get("Retry-After"))
		assert.NotEmpty(t, r.Header.Get("x-trace-id"))
	}
	r := call(t, s, "GET", "/api/v2/userinfo/", tok, nil)
	r.result(t, http.StatusOK)
	assert.Empty(t, r.Header.Get("Retry-After"))

	// Unauthenticated requests are faulted too, before auth.
	s.FailNext(Fault{Status: 503})
	call(t, s, "GET", "/api/v2/userinfo/", "", nil).detail(t, http.StatusServiceUnavailable)
}

func TestFaultsQueueInOrder(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	s.FailNext(Fault{PathPrefix: "/api/v2/users/", Status: 500})
	s.FailNext(Fault{Status: 502})
	s.FailNext(Fault{PathPrefix: "/api/v2/users/", Status: 504})
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).detail(t, 502)
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).detail(t, 500)
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).detail(t, 504)
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).list(t)
}

// noKeepAlive is a client whose every request uses a fresh connection, so
// a dropped connection is not retried by the transport.
func noKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	s := Start(t)
	s.FailNext(Fault{Method: "GET", Drop: true})
	req, _ := http.NewRequest("GET", s.URL+"/api/v2/userinfo/", nil)
	req.Header.Set("Authorization", "Bearer "+s.Owner().Token)
	resp, err := noKeepAlive().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	call(t, s, "GET", "/api/v2/userinfo/", s.Owner().Token, nil).result(t, http.StatusOK)
	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, 0, got[0].Status)
	assert.Equal(t, 200, got[1].Status)
}

func TestFaultAfterHandlerActsThenLosesTheResponse(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	body := []byte(`{"duration": 3600, "name": "lost"}`)

	s.FailNext(Fault{Method: "POST", PathPrefix: "/api/v2/users/create_api_key", Drop: true, AfterHandler: true})
	req, _ := http.NewRequest("POST", s.URL+"/api/v2/users/create_api_key", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+owner.Token)
	resp, err := noKeepAlive().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	require.Len(t, s.Keys(owner), 2, "the key was created before the connection dropped")
	assert.Equal(t, "lost", s.Keys(owner)[1].Name)
	// A retry of the same create now conflicts: the name is taken.
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token, body).detail(t, http.StatusConflict)

	s.FailNext(Fault{Method: "DELETE", Status: 503, AfterHandler: true})
	r := call(t, s, "DELETE", "/api/v2/users/api_keys/"+s.Keys(owner)[1].ID, owner.Token, nil)
	r.detail(t, http.StatusServiceUnavailable)
	assert.NotNil(t, s.Keys(owner)[1].RevokedAt, "the revoke happened")

	// Without AfterHandler nothing happens.
	s.FailNext(Fault{Method: "POST", Status: 500})
	call(t, s, "POST", "/api/v2/users/create_api_key", owner.Token, `{"duration": 60}`).detail(t, 500)
	assert.Len(t, s.Keys(owner), 2)
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token

	s.FailNext(Fault{Delay: time.Millisecond})
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).result(t, http.StatusOK)

	// A long delay honours the request's context.
	s.FailNext(Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v2/userinfo/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := s.HTTPClient().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	// The server is free, and the fault is used up.
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).result(t, http.StatusOK)
}

func TestCloseEndsInjectedDelays(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.FailNext(Fault{Delay: time.Hour})
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", s.URL+"/api/v2/userinfo/", nil)
		resp, err := s.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return len(s.Requests()) == 1 }, 10*time.Second, time.Millisecond)
	s.Close()
	require.Error(t, <-errc, "the held request is dropped, not answered")
	s.Close()
}

func TestFailNextRejectsNonsense(t *testing.T) {
	t.Parallel()
	s := Start(t)
	assert.Panics(t, func() { s.FailNext(Fault{Times: -1}) })
	assert.Panics(t, func() { s.FailNext(Fault{Status: 42}) })
}

func TestRequestsRecordWithoutTokens(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	alice := s.AddUser("alice@example.com", Collaborator)
	secret := createKey(t, s, alice.Token, map[string]any{"duration": 60, "name": "ci"})
	call(t, s, "GET", "/api/v2/users/api_keys?name=ci&count=5", owner.Token, nil).list(t)
	call(t, s, "GET", "/api/v2/userinfo/", "wrong", nil).detail(t, http.StatusUnauthorized)
	call(t, s, "GET", "/api/v2/users/create_otp_token", "", nil).result(t, http.StatusOK)

	got := s.Requests()
	require.Len(t, got, 4)
	assert.Equal(t, "POST", got[0].Method)
	assert.Equal(t, "/api/v2/users/create_api_key", got[0].Path)
	assert.JSONEq(t, `{"duration": 60, "name": "ci"}`, string(got[0].Body))
	assert.True(t, got[0].Authenticated)
	assert.Equal(t, "alice@example.com", got[0].UserEmail)
	assert.Equal(t, 200, got[0].Status)
	assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
	assert.Empty(t, got[0].Header.Get("Authorization"))

	assert.Equal(t, "ci", got[1].Query.Get("name"))
	assert.Equal(t, "5", got[1].Query.Get("count"))
	assert.Equal(t, "owner@example.com", got[1].UserEmail)
	assert.False(t, got[2].Authenticated)
	assert.Empty(t, got[2].UserEmail)
	assert.Equal(t, 401, got[2].Status)
	assert.False(t, got[3].Authenticated)

	dump := fmt.Sprintf("%#v %+v %v", got, got, got)
	for _, tok := range []string{owner.Token, alice.Token, secret} {
		assert.NotContains(t, dump, tok)
	}

	// Requests returns a copy.
	got[0].Body[0] = 'X'
	got[1].Query.Set("name", "changed")
	assert.Equal(t, byte('{'), s.Requests()[0].Body[0])
	assert.Equal(t, "ci", s.Requests()[1].Query.Get("name"))

	s.ResetRequests()
	assert.Empty(t, s.Requests())
}

func TestUserPrintingHidesToken(t *testing.T) {
	t.Parallel()
	s := Start(t)
	u := s.AddUser("alice@example.com", Collaborator)
	red := "aph0_…" + u.Token[len(u.Token)-4:]

	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("user", "u", u)
	js, err := json.Marshal(map[string]any{"u": u})
	require.NoError(t, err)
	type wrapper struct{ U User }
	outs := map[string]string{
		"%v":      fmt.Sprintf("%v", u),
		"%+v":     fmt.Sprintf("%+v", u),
		"%#v":     fmt.Sprintf("%#v", u),
		"%s":      fmt.Sprintf("[%s]", u),
		"%q":      fmt.Sprintf("%q", u),
		"%d":      fmt.Sprintf("%d", u),
		"String":  u.String(),
		"Sprint":  fmt.Sprint(u),
		"slice":   fmt.Sprintf("%v %+v", []User{u}, []User{u}),
		"pointer": fmt.Sprintf("%v %+v", &u, &u),
		"nested":  fmt.Sprintf("%v %+v %#v", wrapper{u}, wrapper{u}, wrapper{u}),
		"slog":    logBuf.String(),
		"json":    string(js),
	}
	for name, out := range outs {
		assert.NotContains(t, out, u.Token, name)
		assert.NotContains(t, out, u.Token[5:], name)
	}
	for _, name := range []string{"%v", "%+v", "%#v", "%s", "String", "slog", "json"} {
		assert.Contains(t, outs[name], red, name)
		assert.Contains(t, outs[name], u.Email, name)
	}
	assert.Contains(t, outs["%+v"], "Token:"+red)
	assert.True(t, strings.HasPrefix(outs["%#v"], "anyscaletest.User{"))
	assert.Equal(t, "…", redact("aph0_short"))
	assert.Equal(t, "", redact(""))
}

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	s := Start(t, WithClock(start))
	assert.Equal(t, start, s.Now())
	s.Advance(90 * time.Minute)
	assert.Equal(t, start.Add(90*time.Minute), s.Now())
	assert.Panics(t, func() { s.Advance(-time.Second) })

	// The default clock starts at the current time, so keys look fresh to
	// clients that compare with time.Now.
	d := Start(t)
	assert.WithinDuration(t, time.Now(), d.Now(), time.Minute)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := s.AddUser(fmt.Sprintf("user%d@example.com", i), Collaborator)
			for j := range 5 {
				body := fmt.Sprintf(`{"duration": 600, "name": "k%d"}`, j)
				req, _ := http.NewRequest("POST", s.URL+"/api/v2/users/create_api_key", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+u.Token)
				resp, err := s.HTTPClient().Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- errors.New(resp.Status)
				}
				_ = s.Requests()
				s.Advance(time.Second)
				_ = s.Keys(u)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	items, total, _ := call(t, s, "GET", "/api/v2/users/admin/api_keys?count=50", owner.Token, nil).list(t)
	assert.Equal(t, 1+8+8*5, total)
	assert.Len(t, items, 49)
}

func TestClearFaults(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	assert.Zero(t, s.ClearFaults(), "nothing queued")

	s.FailNext(Fault{PathPrefix: "/api/v2/userinfo/", Status: 500, Times: 3})
	s.FailNext(Fault{Method: "GET", PathPrefix: "/api/v2/users/", Status: 503})
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).detail(t, 500) // one use of three
	assert.Equal(t, 2+1, s.ClearFaults())

	// The cleared faults no longer fire.
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).result(t, http.StatusOK)
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).list(t)
	assert.Zero(t, s.ClearFaults())
	assert.Len(t, s.Requests(), 3, "the request log is untouched")

	// Faults queued afterwards work as ever.
	s.FailNext(Fault{Status: 429})
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).detail(t, http.StatusTooManyRequests)
	assert.Zero(t, s.ClearFaults(), "a used-up fault is not counted")
}

func TestResetRequestsKeepsFaults(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	call(t, s, "GET", "/api/v2/userinfo/", tok, nil).result(t, http.StatusOK)
	s.FailNext(Fault{Status: 502})
	s.ResetRequests()
	assert.Empty(t, s.Requests())

	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).detail(t, http.StatusBadGateway)
	got := s.Requests()
	require.Len(t, got, 1, "only what arrived after the reset")
	assert.Equal(t, "/api/v2/users/api_keys", got[0].Path)
	assert.Equal(t, http.StatusBadGateway, got[0].Status)
}

// The request log keeps the latest requests, bounded, and still records
// the status of a request it keeps.
func TestRequestLogIsBounded(t *testing.T) {
	srv := Start(t, WithRequestLog(10))
	hc := srv.HTTPClient()
	status := 0
	for i := range 25 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v2/userinfo/?n="+strconv.Itoa(i), nil)
		req.Header.Set("Authorization", "Bearer "+srv.Owner().Token)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		status = resp.StatusCode
	}
	reqs := srv.Requests()
	require.LessOrEqual(t, len(reqs), 10)
	require.GreaterOrEqual(t, len(reqs), 5)
	last := reqs[len(reqs)-1]
	assert.Equal(t, "24", last.Query.Get("n"), "the latest request is kept")
	assert.Equal(t, status, last.Status, "its status is recorded")
	for i := 1; i < len(reqs); i++ {
		a, _ := strconv.Atoi(reqs[i-1].Query.Get("n"))
		b, _ := strconv.Atoi(reqs[i].Query.Get("n"))
		assert.Equal(t, a+1, b, "in order, without gaps")
	}
}
