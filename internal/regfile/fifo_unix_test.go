//go:build unix

package regfile_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// mkfifo makes a named pipe at path.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

// feedFIFO opens the named pipe at path at both ends, without blocking,
// and writes data into it, so that a reader would find data waiting. Both
// ends stay open until the test ends.
func feedFIFO(t *testing.T, path string, data []byte) {
	t.Helper()
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close(); _ = r.Close() })
	_, err = w.Write(data)
	require.NoError(t, err)
}

// releaseFIFO opens the named pipe at path for writing and closes it
// again, so that a reader stuck in opening it goes on (and reads nothing).
func releaseFIFO(path string) {
	if path == "" {
		return
	}
	if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		_ = w.Close()
	}
}
