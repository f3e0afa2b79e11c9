package anyscaletest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawAnswer is an answer read with plain net/http, whatever its body.
type rawAnswer struct {
	resp    *http.Response
	body    []byte // what could be read
	readErr error  // the error that ended the read of the body, if any
}

// send sends one request with the server's HTTPClient and reads what it
// can of the answer; body is sent as is when not "". A transport error
// fails the test.
func send(t *testing.T, s *Server, method, path, token, body string) rawAnswer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawAnswer{resp: resp, body: b, readErr: err}
}

// lastStatus is the status the request log holds for the latest request.
func lastStatus(t *testing.T, s *Server) int {
	t.Helper()
	got := s.Requests()
	require.NotEmpty(t, got)
	return got[len(got)-1].Status
}

const createPath = "/api/v2/users/create_api_key"

// injectedEnvelope is what a fault with only a Status answers.
const injectedEnvelope = `{"error":{"detail":"injected fault"}}`

func TestFaultCutBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		fault      Fault
		status     int
		whole      string // the whole body, when the fault makes it
		retryAfter string
		acted      bool
	}{
		{"the handler's answer", Fault{CutBody: true}, 200, "", "", true},
		{"the handler's answer, after acting", Fault{CutBody: true, AfterHandler: true}, 200, "", "", true},
		{"own status before acting", Fault{Status: 502, CutBody: true}, 502, injectedEnvelope, "", false},
		{"own status after acting", Fault{Status: 503, RetryAfter: "1", CutBody: true, AfterHandler: true}, 503, injectedEnvelope, "1", true},
		{"own body before acting", Fault{Body: WrongShape, CutBody: true}, 200, WrongShape, "", false},
		{"own body after acting", Fault{Body: WrongShape, CutBody: true, AfterHandler: true}, 200, WrongShape, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t)
			owner := s.Owner()
			f := tc.fault
			f.Method, f.PathPrefix = "POST", createPath
			s.FailNext(f)

			a := send(t, s, "POST", createPath, owner.Token, `{"duration": 3600, "name": "cut"}`)
			assert.Equal(t, tc.status, a.resp.StatusCode)
			assert.Equal(t, "application/json", a.resp.Header.Get("Content-Type"))
			assert.Equal(t, tc.retryAfter, a.resp.Header.Get("Retry-After"))
			assert.Regexp(t, `^[0-9a-f]{32}$`, a.resp.Header.Get("X-Trace-Id"))
			require.ErrorIs(t, a.readErr, io.ErrUnexpectedEOF, "the body is cut")
			require.Positive(t, a.resp.ContentLength, "the whole body's length is declared")
			assert.Equal(t, int(a.resp.ContentLength)/2, len(a.body), "half of it arrives")
			if tc.whole != "" {
				assert.Equal(t, int64(len(tc.whole)), a.resp.ContentLength)
				assert.Equal(t, tc.whole[:len(tc.whole)/2], string(a.body))
			} else {
				assert.True(t, strings.HasPrefix(string(a.body), `{"result":{"server_session_id":"`), "%s", a.body)
			}
			assert.Equal(t, tc.status, lastStatus(t, s), "the log holds the status sent")

			ks := s.Keys(owner)
			if !tc.acted {
				assert.Len(t, ks, 1, "nothing was created")
				return
			}
			require.Len(t, ks, 2, "the key was created before its answer was cut")
			assert.Equal(t, "cut", ks[1].Name)
			// The fault is used up: a retry conflicts on the name.
			call(t, s, "POST", createPath, owner.Token, `{"duration": 3600, "name": "cut"}`).detail(t, http.StatusConflict)
		})
	}
}

func TestFaultCutBodyOnReads(t *testing.T) {
	t.Parallel()
	s := Start(t)
	tok := s.Owner().Token
	whole := call(t, s, "GET", "/api/v2/users/api_keys", tok, nil)
	whole.list(t)

	s.FailNext(Fault{Method: "GET", PathPrefix: "/api/v2/users/api_keys", CutBody: true})
	a := send(t, s, "GET", "/api/v2/users/api_keys", tok, "")
	assert.Equal(t, http.StatusOK, a.resp.StatusCode)
	require.ErrorIs(t, a.readErr, io.ErrUnexpectedEOF)
	assert.Equal(t, int64(len(whole.Raw)), a.resp.ContentLength, "the length of the real list")
	assert.Equal(t, string(whole.Raw[:len(whole.Raw)/2]), string(a.body))
	assert.False(t, json.Valid(a.body))

	// The connection closed; the client's next request works.
	call(t, s, "GET", "/api/v2/users/api_keys", tok, nil).list(t)
}

func TestFaultCutBodyWithoutBodyCloses(t *testing.T) {
	t.Parallel()
	s := Start(t)
	owner := s.Owner()
	id, _ := s.AddKey(owner, "gone", time.Hour)
	s.FailNext(Fault{Method: "DELETE", CutBody: true})

	req, err := http.NewRequest("DELETE", s.URL+"/api/v2/users/api_keys/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+owner.Token)
	resp, err := noKeepAlive().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "a 204 has nothing to cut: no answer at all")
	k, ok := s.Key(id)
	require.True(t, ok)
	assert.NotNil(t, k.RevokedAt, "the revoke happened")
	assert.Equal(t, 0, lastStatus(t, s), "nothing was sent")
}

func TestFaultBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		fault      Fault
		status     int
		retryAfter string
		acted      bool
	}{
		{"malformed", Fault{Body: MalformedJSON}, 200, "", false},
		{"wrong shape", Fault{Body: WrongShape}, 200, "", false},
		{"malformed after acting", Fault{Body: MalformedJSON, AfterHandler: true}, 200, "", true},
		{"wrong shape after acting", Fault{Body: WrongShape, AfterHandler: true}, 200, "", true},
		{"a raw body", Fault{Body: `{"result": {"server_session_id": null}}`, AfterHandler: true}, 200, "", true},
		{"with a status", Fault{Body: "<html>bad gateway</html>", Status: 502, RetryAfter: "3"}, 502, "3", false},
		{"a 201", Fault{Body: `{"result": {}}`, Status: 201}, 201, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t)
			owner := s.Owner()
			f := tc.fault
			f.Method, f.PathPrefix = "POST", createPath
			s.FailNext(f)

			a := send(t, s, "POST", createPath, owner.Token, `{"duration": 3600, "name": "b"}`)
			require.NoError(t, a.readErr, "the body arrives whole")
			assert.Equal(t, tc.status, a.resp.StatusCode)
			assert.Equal(t, f.Body, string(a.body), "exactly the body given")
			assert.Equal(t, "application/json", a.resp.Header.Get("Content-Type"))
			assert.Equal(t, strconv.Itoa(len(f.Body)), a.resp.Header.Get("Content-Length"))
			assert.Equal(t, tc.retryAfter, a.resp.Header.Get("Retry-After"))
			assert.Regexp(t, `^[0-9a-f]{32}$`, a.resp.Header.Get("X-Trace-Id"))
			assert.Equal(t, tc.status, lastStatus(t, s))
			if tc.acted {
				assert.Len(t, s.Keys(owner), 2, "the key was created, its answer replaced")
			} else {
				assert.Len(t, s.Keys(owner), 1, "nothing was created")
				assert.Nil(t, s.Keys(owner)[0].LastUsedAt, "nor the token used")
			}
			// The fault is used up.
			createKey(t, s, owner.Token, map[string]any{"duration": 60})
		})
	}
}

func TestFaultBodyConstants(t *testing.T) {
	t.Parallel()
	assert.False(t, json.Valid([]byte(MalformedJSON)))
	var v any
	assert.Error(t, json.Unmarshal([]byte(MalformedJSON), &v))
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(WrongShape), &m))
	for _, field := range []string{"result", "results", "metadata", "error", "detail"} {
		assert.NotContains(t, m, field)
	}
}

func TestFault401Once(t *testing.T) {
	t.Parallel()
	s := Start(t)
	alice := s.AddUser("alice@example.com", Collaborator)

	s.FailNext(Fault{Method: "GET", PathPrefix: "/api/v2/userinfo/", Status: http.StatusUnauthorized})
	r := call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil)
	assert.Equal(t, "injected fault", r.detail(t, http.StatusUnauthorized), "the usual error envelope")
	assert.Equal(t, injectedEnvelope, string(r.Raw))
	assert.Nil(t, s.Keys(alice)[0].RevokedAt, "the token is not revoked")
	assert.Nil(t, s.Keys(alice)[0].LastUsedAt, "nor used: the endpoint did not run")
	// The same token works at once: a refresh and retry with it succeeds.
	call(t, s, "GET", "/api/v2/userinfo/", alice.Token, nil).result(t, http.StatusOK)
	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, []int{401, 200}, []int{got[0].Status, got[1].Status})
	assert.True(t, got[0].Authenticated, "the token was valid all along")

	// After acting: the key is made, the answer is a 401, the token still works.
	s.FailNext(Fault{Method: "POST", Status: http.StatusUnauthorized, AfterHandler: true})
	call(t, s, "POST", createPath, alice.Token, `{"duration": 60, "name": "x"}`).detail(t, http.StatusUnauthorized)
	require.Len(t, s.Keys(alice), 2)
	createKey(t, s, alice.Token, map[string]any{"duration": 60})
	assert.Len(t, s.Keys(alice), 3)
}

func TestFaultSlowAnswerAfterActing(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	owner := s.Owner()

	// Held after acting: the key exists while the client still waits, and
	// a client that gives up gets no answer.
	s.FailNext(Fault{Method: "POST", PathPrefix: createPath, Delay: time.Hour, AfterHandler: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		req, err := http.NewRequestWithContext(ctx, "POST", s.URL+createPath, strings.NewReader(`{"duration": 60, "name": "slow"}`))
		if err != nil {
			errc <- err
			return
		}
		req.Header.Set("Authorization", "Bearer "+owner.Token)
		resp, err := s.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return len(s.Keys(owner)) == 2 }, 10*time.Second, time.Millisecond,
		"the handler acts before the answer is held")
	select {
	case err := <-errc:
		t.Fatalf("answered during the delay: %v", err)
	default:
	}
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)

	// A slow answer that is waited for is the handler's own, whole.
	s.FailNext(Fault{Method: "GET", PathPrefix: "/api/v2/userinfo/", Delay: 20 * time.Millisecond, AfterHandler: true})
	start := time.Now()
	a := send(t, s, "GET", "/api/v2/userinfo/", owner.Token, "")
	require.NoError(t, a.readErr)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.Equal(t, http.StatusOK, a.resp.StatusCode)
	assert.Equal(t, a.resp.Header.Get("Content-Length"), strconv.Itoa(len(a.body)))
	assert.Contains(t, string(a.body), `"email":"owner@example.com"`)

	s.Close() // waits for the handlers: the log is final
	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, 0, got[0].Status, "nothing was ever sent to the client that gave up")
	assert.Equal(t, http.StatusOK, got[1].Status)
	ks := s.Keys(owner)
	require.Len(t, ks, 2)
	assert.Equal(t, "slow", ks[1].Name)
}

func TestFailNextRefusesBodiesWithoutRoom(t *testing.T) {
	t.Parallel()
	s := Start(t)
	assert.Panics(t, func() { s.FailNext(Fault{Status: 204, Body: WrongShape}) })
	assert.Panics(t, func() { s.FailNext(Fault{Status: 304, CutBody: true}) })
	// Nothing was queued; a 204 alone, and a cut 200, are fine.
	assert.Zero(t, s.ClearFaults())
	assert.NotPanics(t, func() { s.FailNext(Fault{Status: 204}) })
	assert.NotPanics(t, func() { s.FailNext(Fault{CutBody: true}) })
	assert.Equal(t, 2, s.ClearFaults())
}
