//go:build unix

package auth_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// makeFIFO makes a named pipe at path; nothing ever writes to it.
func makeFIFO(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

// releaseFIFO opens the named pipe at path for writing and closes it
// again, so that a reader stuck in opening it goes on.
func releaseFIFO(path string) {
	if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		_ = w.Close()
	}
}
