package credentials_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/tests/nonregular"
)

// TestLoadRefusesNonRegularFile: Load refuses a path that is no regular
// file at once, without blocking on a named pipe, and says what it is.
func TestLoadRefusesNonRegularFile(t *testing.T) {
	t.Parallel()
	for _, tt := range nonregular.Cases() {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			path, fifo := tt.Make(t, filepath.Join(t.TempDir(), credentials.FileName))

			var (
				f   *credentials.File
				err error
			)
			nonregular.Promptly(t, "Load", fifo, func() { f, err = credentials.Load(path) })

			require.Error(t, err)
			assert.Nil(t, f)
			msg := err.Error()
			assert.Contains(t, msg, "credentials: ")
			assert.Contains(t, msg, path)
			assert.Contains(t, msg, tt.Kind)
			assert.Contains(t, msg, "not a regular file")
			assert.Contains(t, msg, "move it away", "says what to do")
			assert.False(t, errors.Is(err, fs.ErrNotExist), "something is there: not missing")
			var fe *credentials.FormatError
			assert.False(t, errors.As(err, &fe), "not a bad file's content: no file to read")
		})
	}
}
