package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

// Every token in these tests carries canary in its hidden middle, so a
// leak of any of them, whole or in part, is caught by one check. The
// redacted form shows only the prefix through '_' and the last four
// characters.
const canary = "CANARY"

const (
	tokStatic  = "aph0_" + canary + "static0000000001"
	tokEnv     = "aph0_" + canary + "env0000000000002"
	tokFile    = "aph0_" + canary + "file000000000003"
	tokWS      = "aph0_" + canary + "workspace0000004"
	tokOther   = "aph0_" + canary + "other00000000005"
	tokInvalid = "not-a-key-" + canary + "-0006" // fails credentials.ValidateToken
)

var markers = []string{"ANYSCALE_EXPERIMENTAL_WORKSPACE_ID", "ANYSCALE_SESSION_ID", "ANYSCALE_CLUSTER_ID"}

// assertNoLeak checks that no test token, whole or in part, is in text.
func assertNoLeak(t *testing.T, text string, what string) {
	t.Helper()
	assert.NotContains(t, text, canary, "%s leaks a token: %s", what, text)
}

// unsetenv unsets key for the test and restores it afterwards.
func unsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "")
	require.NoError(t, os.Unsetenv(key))
}

// isolate gives the test an empty HOME and no token or workspace marker in
// the process environment, and returns HOME.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	unsetenv(t, auth.EnvToken)
	for _, m := range markers {
		unsetenv(t, m)
	}
	return home
}

// credsPath is the default credentials path under home.
func credsPath(home string) string {
	return filepath.Join(home, credentials.DirName, credentials.FileName)
}

// writeFile writes content at path with mode, creating its directory with
// mode 0700.
func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(content), mode))
	require.NoError(t, os.Chmod(path, mode)) // WriteFile's mode passes through the umask
}

// writeEnviron writes NUL-terminated entries, as /proc/1/environ holds
// them, into a new file and returns its path.
func writeEnviron(t *testing.T, entries ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "environ")
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e)
		b.WriteByte(0)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// missingPath returns a path in a temporary directory where nothing is.
func missingPath(t *testing.T, name string) string {
	return filepath.Join(t.TempDir(), "nothing-here", name)
}

// logBuffer collects log output; it is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// countingProvider is a custom Provider that counts its calls. When gate
// is set, its first call reports on entered and waits for gate to close
// (or its ctx to end).
type countingProvider struct {
	calls   atomic.Int32
	tok     string
	err     error
	errOnce bool // return err on the first call only
	gate    chan struct{}
	entered chan struct{}
}

func (p *countingProvider) Token(ctx context.Context) (auth.Token, error) {
	n := p.calls.Add(1)
	if p.gate != nil && n == 1 {
		p.entered <- struct{}{}
		select {
		case <-p.gate:
		case <-ctx.Done():
			return auth.Token{}, ctx.Err()
		}
	}
	if p.err != nil && (!p.errOnce || n == 1) {
		return auth.Token{}, p.err
	}
	return auth.Token{Value: credentials.Secret(p.tok), Source: "counting", Origin: "memory"}, nil
}

// unavailableProvider is a custom Provider that is never configured.
type unavailableProvider struct{}

func (unavailableProvider) Token(context.Context) (auth.Token, error) {
	return auth.Token{}, errors.Join(auth.ErrUnavailable, errors.New("vault not configured"))
}
