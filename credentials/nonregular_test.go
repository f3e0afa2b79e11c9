package credentials_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// hangGuard is how long a call that must not block may take before the
// test calls it blocked. It is a guard against a hang, not a timing
// assertion: the calls it guards return in microseconds.
const hangGuard = 10 * time.Second

// returnsPromptly runs f in a goroutine and fails the test when it has
// not returned within hangGuard. A call stuck opening the FIFO at fifo is
// then released by opening the FIFO's other end, so that it does not
// outlive the test.
func returnsPromptly(t *testing.T, what, fifo string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(hangGuard)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		releaseFIFO(fifo)
		t.Fatalf("%s did not return within %v: it blocks", what, hangGuard)
	}
}

// makeSocket makes a Unix domain socket at path, listening until the test
// ends.
func makeSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make a Unix socket here: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
}

func TestLoadRefusesNonRegularFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// make puts the thing at path and returns the path to load, and
		// the FIFO to release if the load blocks.
		make func(t *testing.T, path string) (load, fifo string)
		kind string
	}{
		{
			name: "named pipe",
			make: func(t *testing.T, path string) (string, string) { makeFIFO(t, path); return path, path },
			kind: "is a named pipe (FIFO)",
		},
		{
			name: "symbolic link to a named pipe",
			make: func(t *testing.T, path string) (string, string) {
				fifo := path + ".fifo"
				makeFIFO(t, fifo)
				require.NoError(t, os.Symlink(fifo, path))
				return path, fifo
			},
			kind: "is a named pipe (FIFO)",
		},
		{
			name: "directory",
			make: func(t *testing.T, path string) (string, string) {
				require.NoError(t, os.Mkdir(path, 0o700))
				return path, ""
			},
			kind: "is a directory",
		},
		{
			name: "socket",
			make: func(t *testing.T, path string) (string, string) {
				if runtime.GOOS == "windows" {
					t.Skip("Unix sockets in the file system are not checked on Windows")
				}
				makeSocket(t, path)
				return path, ""
			},
			kind: "is a socket",
		},
		{
			name: "character device",
			make: func(t *testing.T, path string) (string, string) {
				if runtime.GOOS == "windows" {
					t.Skip("no /dev/null on Windows")
				}
				return os.DevNull, ""
			},
			kind: "is a character device",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, fifo := tt.make(t, filepath.Join(t.TempDir(), credentials.FileName))

			var (
				f   *credentials.File
				err error
			)
			returnsPromptly(t, "Load", fifo, func() { f, err = credentials.Load(path) })

			require.Error(t, err)
			assert.Nil(t, f)
			msg := err.Error()
			assert.Contains(t, msg, "credentials: ")
			assert.Contains(t, msg, path)
			assert.Contains(t, msg, tt.kind)
			assert.Contains(t, msg, "not a regular file")
			assert.Contains(t, msg, "move it away", "says what to do")
			assert.False(t, errors.Is(err, fs.ErrNotExist), "something is there: not missing")
			var fe *credentials.FormatError
			assert.False(t, errors.As(err, &fe), "not a bad file's content: no file to read")
		})
	}
}
