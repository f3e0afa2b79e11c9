package hygiene_test

import (
	"iter"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/client"
)

// fast retries at once, so that error paths take milliseconds.
var fast = client.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Second}

// workspaceMarkers are the variables that make the Workspace provider
// think it runs in a workspace (wire.md).
var workspaceMarkers = []string{"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID", "ANYSCALE_SESSION_ID", "ANYSCALE_CLUSTER_ID"}

// hermetic points HOME at a temporary directory and clears the variables
// the SDK reads, so that no real credentials are read or written.
func hermetic(t *testing.T) (home string) {
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(auth.EnvToken, "")
	t.Setenv(auth.EnvHost, "")
	for _, m := range workspaceMarkers {
		t.Setenv(m, "")
	}
	return home
}

// unsetenv removes a variable that hermetic set, for the rest of the test
// (t.Setenv restores the original at the end).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	require.NoError(t, os.Unsetenv(name))
}

// drain captures every item of an iteration, which must end without error.
func drain[T any](r *recorder, seq iter.Seq2[T, error]) []T {
	r.t.Helper()
	var out []T
	for v, err := range seq {
		if !r.ok(err) {
			break
		}
		r.value(v)
		out = append(out, v)
	}
	return out
}

// drainFails captures an iteration that must end with an error matching
// target.
func drainFails[T any](r *recorder, seq iter.Seq2[T, error], target error) {
	r.t.Helper()
	var last error
	for v, err := range seq {
		if err != nil {
			last = err
			break
		}
		r.value(v)
	}
	r.fails(last, target)
}

// TestSecretHygiene drives every public operation of the SDK against the
// fake server, and its error paths, and finds none of the tokens involved
// in any log line, error, printed or encoded value, or request record.
func TestSecretHygiene(t *testing.T) {
	start := time.Now()
	w := newWorld(t)
	w.authAndCredentials()
	w.clientOperations()
	w.ownKeys()
	w.orgKeys()
	w.members()
	w.serviceAccounts()
	w.login()
	w.rotationAndFaults()
	n := w.r.records(w.srv)
	assert.Greater(t, n, 100, "the fake recorded the requests")
	w.r.check(kindClientLogJSON, kindClientLogText, kindChainLogJSON, kindChainLogText, kindError, kindValue, kindRecord)
	t.Logf("%d operations in %s", len(w.r.ops), time.Since(start).Round(time.Millisecond))
}
