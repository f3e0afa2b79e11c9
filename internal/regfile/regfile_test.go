package regfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/regfile"
	"github.com/anyscale-go/anyscale/tests/nonregular"
)

// read calls regfile.Read, and fails the test when it blocks (see
// nonregular.Promptly); a Read stuck opening the FIFO at fifo is then
// released.
func read(t *testing.T, path string, limit int64, fifo string) (data []byte, err error) {
	t.Helper()
	nonregular.Promptly(t, "Read("+path+")", fifo, func() { data, err = regfile.Read(path, limit) })
	return data, err
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
	tests := append(nonregular.Cases(), nonregular.Case{
		Name: "named pipe with a writer",
		Make: func(t testing.TB, path string) (string, string) {
			nonregular.MakeFIFO(t, path)
			nonregular.FeedFIFO(t, path, []byte("A=1\x00"))
			return path, path
		},
		Kind: "is a named pipe (FIFO)",
	})
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			path, fifo := tt.Make(t, filepath.Join(t.TempDir(), "f"))

			got, err := read(t, path, 1<<20, fifo)

			require.Error(t, err)
			assert.Nil(t, got)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, path+" "+tt.Kind+", not a regular file"), msg)
			assert.Contains(t, msg, "move it away", "says what to do")
			assert.False(t, errors.Is(err, fs.ErrNotExist))
		})
	}
}
