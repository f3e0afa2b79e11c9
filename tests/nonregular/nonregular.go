package nonregular

import (
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// HangGuard is how long a call that must not block may take before
// Promptly calls it blocked. It is a guard against a hang, not a timing
// assertion: the calls it guards return in microseconds.
const HangGuard = 10 * time.Second

// Promptly runs f in a goroutine and fails the test when it has not
// returned within HangGuard, saying that what blocks. A call stuck opening
// the named pipe at fifo ("" when there is none) is then released by
// opening the pipe's other end, so that it does not outlive the test.
func Promptly(t testing.TB, what, fifo string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(HangGuard)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		ReleaseFIFO(fifo)
		t.Fatalf("%s did not return within %v: it blocks", what, HangGuard)
	}
}

// MakeSocket makes a Unix domain socket at path, listening until the test
// ends. It skips the test where sockets in the file system cannot be made
// or are not checked (Windows).
func MakeSocket(t testing.TB, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Unix sockets in the file system are not checked on Windows")
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make a Unix socket here: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
}

// Case is a thing that is not a regular file, and the words an error
// refusing it uses for it.
type Case struct {
	Name string
	// Make puts the thing at path, in a directory of the test's own, and
	// returns the path to open (path, or a device elsewhere) and the named
	// pipe to release should the call block ("" when there is none).
	Make func(t testing.TB, path string) (open, fifo string)
	// Kind is how the refusal names it: "is a named pipe (FIFO)".
	Kind string
}

// Cases are the things a path may name that are not regular files: a
// named pipe (FIFO), a symbolic link to one, a directory, a socket and a
// character device. Each skips the test where the system has no such
// thing.
func Cases() []Case {
	return []Case{
		{
			Name: "named pipe",
			Make: func(t testing.TB, path string) (string, string) { MakeFIFO(t, path); return path, path },
			Kind: "is a named pipe (FIFO)",
		},
		{
			Name: "symbolic link to a named pipe",
			Make: func(t testing.TB, path string) (string, string) {
				fifo := path + ".fifo"
				MakeFIFO(t, fifo)
				require.NoError(t, os.Symlink(fifo, path))
				return path, fifo
			},
			Kind: "is a named pipe (FIFO)",
		},
		{
			Name: "directory",
			Make: func(t testing.TB, path string) (string, string) {
				require.NoError(t, os.Mkdir(path, 0o700))
				return path, ""
			},
			Kind: "is a directory",
		},
		{
			Name: "socket",
			Make: func(t testing.TB, path string) (string, string) { MakeSocket(t, path); return path, "" },
			Kind: "is a socket",
		},
		{
			Name: "character device",
			Make: func(t testing.TB, _ string) (string, string) {
				if runtime.GOOS == "windows" {
					t.Skip("no /dev/null on Windows")
				}
				return os.DevNull, ""
			},
			Kind: "is a character device",
		},
	}
}
