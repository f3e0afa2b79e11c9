package regfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/regfile"
)

// hangGuard is how long Read may take before the test calls it blocked:
// a guard against a hang, not a timing assertion.
const hangGuard = 10 * time.Second

// read calls regfile.Read in a goroutine and fails the test when it has
// not returned within hangGuard; a Read stuck opening the FIFO at fifo is
// then released by opening the other end.
func read(t *testing.T, path string, limit int64, fifo string) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := regfile.Read(path, limit)
		done <- result{data, err}
	}()
	timer := time.NewTimer(hangGuard)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.data, r.err
	case <-timer.C:
		releaseFIFO(fifo)
		t.Fatalf("Read(%s) did not return within %v: it blocks", path, hangGuard)
		return nil, nil
	}
}

func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	return path
}

func TestReadRegularFile(t *testing.T) {
	t.Parallel()
	const limit = 16
	tests := []struct {
		name    string
		content []byte
		limit   int64
		want    []byte
	}{
		{name: "empty", content: nil, limit: limit, want: []byte{}},
		{name: "under the limit", content: []byte("hello"), limit: limit, want: []byte("hello")},
		{name: "at the limit", content: bytes.Repeat([]byte("a"), limit), limit: limit, want: bytes.Repeat([]byte("a"), limit)},
		{name: "one byte over: limit+1 bytes", content: bytes.Repeat([]byte("a"), limit+1), limit: limit, want: bytes.Repeat([]byte("a"), limit+1)},
		{name: "far over: limit+1 bytes", content: bytes.Repeat([]byte("b"), 10*limit), limit: limit, want: bytes.Repeat([]byte("b"), limit+1)},
		{name: "NUL bytes kept", content: []byte("A=1\x00B=2\x00"), limit: limit, want: []byte("A=1\x00B=2\x00")},
		{name: "zero limit", content: []byte("xy"), limit: 0, want: []byte("x")},
		{name: "negative limit is 0", content: []byte("xy"), limit: -5, want: []byte("x")},
		{name: "largest limit", content: []byte("xy"), limit: math.MaxInt64, want: []byte("xy")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := read(t, writeFile(t, tt.content), tt.limit, "")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestReadProcFile: a file of /proc reports size 0 but has content, and
// is a regular file: Read reads it to its end.
func TestReadProcFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	const path = "/proc/self/environ"
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.True(t, info.Mode().IsRegular())
	require.Zero(t, info.Size(), "the premise: /proc reports size 0")
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, want, "the premise: the test runs with an environment")

	got, err := read(t, path, 1<<20, "")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing")
	_, err := read(t, path, 10, "")
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), path)
}

func TestReadRefusesNonRegularFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// make puts the thing under dir and returns the path to read and
		// the FIFO to release if Read blocks.
		make func(t *testing.T, dir string) (path, fifo string)
		kind string
	}{
		{
			name: "named pipe",
			make: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "fifo")
				mkfifo(t, p)
				return p, p
			},
			kind: "is a named pipe (FIFO)",
		},
		{
			name: "named pipe with a writer",
			make: func(t *testing.T, dir string) (string, string) {
				p := filepath.Join(dir, "fifo")
				mkfifo(t, p)
				feedFIFO(t, p, []byte("A=1\x00"))
				return p, p
			},
			kind: "is a named pipe (FIFO)",
		},
		{
			name: "symbolic link to a named pipe",
			make: func(t *testing.T, dir string) (string, string) {
				fifo := filepath.Join(dir, "fifo")
				mkfifo(t, fifo)
				link := filepath.Join(dir, "link")
				require.NoError(t, os.Symlink(fifo, link))
				return link, fifo
			},
			kind: "is a named pipe (FIFO)",
		},
		{
			name: "directory",
			make: func(t *testing.T, dir string) (string, string) { return dir, "" },
			kind: "is a directory",
		},
		{
			name: "socket",
			make: func(t *testing.T, dir string) (string, string) {
				if runtime.GOOS == "windows" {
					t.Skip("Unix sockets in the file system are not checked on Windows")
				}
				p := filepath.Join(dir, "sock")
				l, err := net.Listen("unix", p)
				if err != nil {
					t.Skipf("cannot make a Unix socket here: %v", err)
				}
				t.Cleanup(func() { _ = l.Close() })
				return p, ""
			},
			kind: "is a socket",
		},
		{
			name: "character device",
			make: func(t *testing.T, dir string) (string, string) {
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
			path, fifo := tt.make(t, t.TempDir())

			got, err := read(t, path, 1<<20, fifo)

			require.Error(t, err)
			assert.Nil(t, got)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, path+" "+tt.kind+", not a regular file"), msg)
			assert.Contains(t, msg, "move it away", "says what to do")
			assert.False(t, errors.Is(err, fs.ErrNotExist))
		})
	}
}
