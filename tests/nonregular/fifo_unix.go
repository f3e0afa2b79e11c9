//go:build unix

package nonregular

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// MakeFIFO makes a named pipe at path; nothing writes to it unless the
// test feeds it. Where there are no named pipes it skips the test.
func MakeFIFO(t testing.TB, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

// FeedFIFO opens the named pipe at path at both ends, without blocking,
// and writes data into it, so that a reader would find data waiting. Both
// ends stay open until the test ends.
func FeedFIFO(t testing.TB, path string, data []byte) {
	t.Helper()
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close(); _ = r.Close() })
	_, err = w.Write(data)
	require.NoError(t, err)
}

// ReleaseFIFO opens the named pipe at path for writing and closes it
// again, so that a reader stuck in opening it goes on (and reads nothing).
// An empty path does nothing.
func ReleaseFIFO(path string) {
	if path == "" {
		return
	}
	if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		_ = w.Close()
	}
}
