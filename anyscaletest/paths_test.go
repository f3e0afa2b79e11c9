package anyscaletest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPathConstantsAreTheRoutes: a fault on each Path constant, with its
// method, fires on a request to that endpoint; and every route the fake
// serves is spelled with one of them.
func TestPathConstantsAreTheRoutes(t *testing.T) {
	t.Parallel()
	consts := []struct {
		method, path, suffix string
	}{
		{"GET", PathUserInfo, ""},
		{"POST", PathCreateKey, ""},
		{"GET", PathKeys, ""},
		{"DELETE", PathKey, "0123abcd"},
		{"POST", PathRevokeKeys, ""},
		{"GET", PathRotateKey, ""},
		{"GET", PathOrgKeys, ""},
		{"DELETE", PathOrgKey, "0123abcd"},
		{"POST", PathOrgRevokeKeys, ""},
		{"POST", PathRevokeAllForUser, "usr_x"},
		{"GET", PathMembers, ""},
		{"DELETE", PathMembers, "ide_x"},
		{"POST", PathServiceAccounts, ""},
		{"GET", PathLoginStart, ""},
		{"GET", PathLoginPoll, "otp"},
		{"GET", PathLoginApprove, "otp"},
	}
	s := Start(t)
	tok := s.Owner().Token
	for _, c := range consts {
		require.NoError(t, s.CheckFault(Fault{Method: c.method, PathPrefix: c.path}))
		s.FailNext(Fault{Method: c.method, PathPrefix: c.path, Status: http.StatusTeapot})
		r := call(t, s, c.method, c.path+c.suffix, tok, nil)
		assert.Equal(t, http.StatusTeapot, r.Status, "%s %s%s", c.method, c.path, c.suffix)
	}

	for _, e := range s.endpoints {
		found := false
		for _, c := range consts {
			found = found || c.method == e.method && strings.HasPrefix(e.path, c.path)
		}
		assert.True(t, found, "the route %s %s has no Path constant", e.method, e.path)
	}
}

func TestFailNextRefusesPathsNoEndpointHas(t *testing.T) {
	t.Parallel()
	s := Start(t)
	for _, f := range []Fault{
		{PathPrefix: "/api/v2/user/api_keys"},                            // a typo
		{PathPrefix: "api/v2/users/api_keys"},                            // no leading slash
		{PathPrefix: PathUserInfo + "x"},                                 // past the end of a {$} path
		{PathPrefix: PathKeys + "?name=x"},                               // a query is no part of the path
		{PathPrefix: PathKey + "id/more"},                                // one segment only
		{PathPrefix: PathKey + "/"},                                      // an empty id
		{Method: "PUT"},                                                  // no PUT anywhere
		{Method: "POST", PathPrefix: PathUserInfo},                       // userinfo is GET only
		{Method: "GET", PathPrefix: PathCreateKey},                       // create is POST only
		{Method: "DELETE", PathPrefix: PathRevokeAllForUser},             // POST only
		{PathPrefix: "/_fake/faults"},                                    // anyscale-fake's admin API is not the fake's
		{Method: "GET", PathPrefix: "/api/v2/users/service_accounts/x/"}, // no such path
	} {
		err := s.CheckFault(f)
		require.Error(t, err, "%+v", f)
		assert.PanicsWithValue(t, "anyscaletest: FailNext: "+err.Error(), func() { s.FailNext(f) }, "%+v", f)
		if f.PathPrefix != "" {
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", f.PathPrefix))
		}
	}
	assert.EqualError(t, s.CheckFault(Fault{Method: "POST", PathPrefix: PathUserInfo}),
		`no POST endpoint's path starts with "/api/v2/userinfo/" (see the Path constants)`)
	assert.EqualError(t, s.CheckFault(Fault{Method: "PUT"}), `no endpoint takes method "PUT"`)

	for _, f := range []Fault{
		{},
		{Method: "get"},
		{Method: "HEAD", PathPrefix: PathUserInfo},
		{PathPrefix: "/"},
		{PathPrefix: "/api/v2/users/"},
		{PathPrefix: "/api/v2/userinfo"},
		{PathPrefix: PathKey + "0123"},
		{Method: "DELETE", PathPrefix: PathKeys},
		{Method: "DELETE", PathPrefix: PathMembers + "ide_"},
		{Method: "POST", PathPrefix: PathRevokeAllForUser + "usr_1"},
		{PathPrefix: PathLoginApprove + "abc"},
	} {
		assert.NoError(t, s.CheckFault(f), "%+v", f)
	}
	assert.Zero(t, s.ClearFaults(), "nothing was queued")
}

// fakeT records what a test helper reports, and runs its cleanups when
// asked: the real test stays green.
type fakeT struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	fatal    bool
	cleanups []func()
}

func (f *fakeT) Helper() {}

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeT) Error(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprint(args...))
}

func (f *fakeT) Fatal(args ...any) {
	f.Error(args...)
	f.fatal = true
}

func (f *fakeT) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// TestUnfiredFaultsFailTheTest: a fault no request took fails the test
// that queued it, when Start's server closes and on RequireFaultsFired; a
// fault that fired (once is enough) or was cleared does not.
func TestUnfiredFaultsFailTheTest(t *testing.T) {
	t.Parallel()
	ft := &fakeT{TB: t}
	s := Start(ft)
	tok := s.Owner().Token
	s.FailNext(Fault{Method: "GET", PathPrefix: PathUserInfo, Status: 503})
	s.FailNext(Fault{Method: "GET", PathPrefix: PathKeys, Status: 500, Times: 3})
	call(t, s, "GET", PathUserInfo, tok, nil).detail(t, 503)
	call(t, s, "GET", PathKeys, tok, nil).detail(t, 500)
	s.RequireFaultsFired(ft)
	require.Empty(t, ft.errors, "every fault fired, one of them once of three")

	s.FailNext(Fault{Method: "DELETE", PathPrefix: PathKey, Status: 503, Times: 2}) // the code under test never deletes
	s.FailNext(Fault{Method: "POST", PathPrefix: PathCreateKey, Drop: true, AfterHandler: true})
	s.RequireFaultsFired(ft)
	require.Len(t, ft.errors, 1)
	assert.True(t, ft.fatal)
	assert.Equal(t, `anyscaletest: 2 queued fault(s) never fired (no request matched; ClearFaults drops faults that may stay unused):
	Fault{Method: "DELETE", PathPrefix: "/api/v2/users/api_keys/", Status: 503, Times: 2}
	Fault{Method: "POST", PathPrefix: "/api/v2/users/create_api_key", Drop: true, AfterHandler: true}`, ft.errors[0])

	ft.end() // the test ends: Start's cleanup reports them too
	require.Len(t, ft.errors, 2)
	assert.Equal(t, ft.errors[0], ft.errors[1])

	cleared := &fakeT{TB: t}
	s = Start(cleared)
	s.FailNext(Fault{PathPrefix: PathRotateKey, Status: 500})
	assert.Equal(t, 1, s.ClearFaults())
	cleared.end()
	assert.Empty(t, cleared.errors, "a cleared fault is not reported")
}
