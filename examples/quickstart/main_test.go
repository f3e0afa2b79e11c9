package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

// rawToken matches an unredacted token as the fake API issues them.
var rawToken = regexp.MustCompile(`aph0_[a-z0-9]{8,}`)

func TestQuickstartEmbedded(t *testing.T) {
	t.Setenv("ANYSCALE_CLI_TOKEN", "aph0_realtokenfromtheshell0123456789abcd") // must be ignored
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{}))
	text := out.String()
	for _, want := range []string{
		"no Anyscale credentials found",
		"approved; a 7-day key",
		"result: the token from file",
		"owner@example.com",
		"is a conflict: true",
		"refused before any request: true",
		"gets forbidden: true",
		"ada@example.com: laptop",
		"the new key quickstart-ci works: it signs in as owner@example.com",
		"revoked 6; no active key for [no-such-key]; may still be active: 0",
		"looking it up again finds nothing: true",
		"legacy-no-expiry",
		"last used 45d",
		"OWNER",
		"Done.",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `ada@example\.com\s+key_\w+\s+old-script\s+legacy-no-expiry`, text, "the organization audit names the owner")
	assert.Empty(t, rawToken.FindAllString(text, -1), "no raw token in the output")
}

// liveAgainst points the live mode's real chain and host at a fake server.
func liveAgainst(t *testing.T) *anyscaletest.Server {
	srv := anyscaletest.Start(t)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ANYSCALE_HOST", srv.URL)
	t.Setenv("ANYSCALE_CLI_TOKEN", srv.Owner().Token)
	return srv
}

func TestQuickstartLiveWithoutYesChangesNothing(t *testing.T) {
	srv := liveAgainst(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{live: true}))
	assert.Contains(t, out.String(), "skipped: pass -yes")
	for _, r := range srv.Requests() {
		assert.Equal(t, http.MethodGet, r.Method, "%s %s sent without -yes", r.Method, r.Path)
	}
}

func TestQuickstartLiveCleansUp(t *testing.T) {
	srv := liveAgainst(t)
	colleague := srv.AddUser("colleague@example.com", anyscaletest.Collaborator)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{live: true, yes: true, collaboratorEmail: colleague.Email}))
	for _, k := range srv.Keys(srv.Owner()) {
		if strings.HasPrefix(k.Name, "quickstart-") {
			assert.NotNil(t, k.RevokedAt, "demo key %s left active", k.Name)
		}
	}
	for _, k := range srv.Keys(colleague) {
		assert.Nil(t, k.RevokedAt, "a live run never revokes a colleague's key")
	}
	_, found := srv.LookupUser("quickstart-bot")
	assert.False(t, found)
}

func TestQuickstartLiveFailureStillCleansUp(t *testing.T) {
	srv := liveAgainst(t)
	var out bytes.Buffer
	// An unknown colleague fails the owner section, before the bulk revoke.
	err := run(context.Background(), &out, options{live: true, yes: true, collaboratorEmail: "nobody@example.com"})
	require.Error(t, err)
	require.NotContains(t, out.String(), "revoked 3", "the bulk revoke did not run")
	n := 0
	for _, k := range srv.Keys(srv.Owner()) {
		if strings.HasPrefix(k.Name, "quickstart-") {
			n++
			assert.NotNil(t, k.RevokedAt, "demo key %s left active", k.Name)
		}
	}
	assert.Equal(t, 3, n)
}
