package credentials

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CheckSave says, writing nothing, what Save would say of the place: each
// place it accepts, Save then writes to; each it refuses, Save refuses too.
func TestCheckSaveAgreesWithSave(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes and links")
	}
	for _, tc := range []struct {
		name  string
		place func(t *testing.T, root string) string // returns the path
		ok    bool
		says  string
	}{
		{"a new file", func(t *testing.T, root string) string { return filepath.Join(root, FileName) }, true, ""},
		{"a new file in missing directories", func(t *testing.T, root string) string {
			return filepath.Join(root, "a", "b", FileName)
		}, true, ""},
		{"a file others may read", func(t *testing.T, root string) string {
			p := filepath.Join(root, FileName)
			require.NoError(t, os.WriteFile(p, []byte("{}"), 0o644))
			return p
		}, true, ""},
		{"a directory others may write", func(t *testing.T, root string) string {
			dir := filepath.Join(root, "open")
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, 0o777))
			return filepath.Join(dir, FileName)
		}, false, "chmod go-w"},
		{"a symbolic link", func(t *testing.T, root string) string {
			target := filepath.Join(root, "target.json")
			require.NoError(t, os.WriteFile(target, []byte("{}"), 0o600))
			p := filepath.Join(root, FileName)
			require.NoError(t, os.Symlink(target, p))
			return p
		}, false, "symbolic link"},
		{"a directory", func(t *testing.T, root string) string {
			p := filepath.Join(root, FileName)
			require.NoError(t, os.Mkdir(p, 0o700))
			return p
		}, false, "is a directory"},
		{"a file where a directory goes", func(t *testing.T, root string) string {
			f := filepath.Join(root, "file")
			require.NoError(t, os.WriteFile(f, nil, 0o600))
			return filepath.Join(f, "sub", FileName)
		}, false, "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			path := tc.place(t, root)
			before := listAll(t, root)
			err := CheckSave(path)
			assert.Equal(t, before, listAll(t, root), "CheckSave leaves nothing behind")
			saveErr := Save(path, Secret(saveCanary))
			if tc.ok {
				require.NoError(t, err)
				require.NoError(t, saveErr, "Save writes where CheckSave accepted")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.says)
			require.Error(t, saveErr, "Save refuses where CheckSave refused")
			assert.NotContains(t, err.Error(), saveCanary)
		})
	}
}

// listAll returns every path under root, with its mode.
func listAll(t *testing.T, root string) map[string]os.FileMode {
	t.Helper()
	out := map[string]os.FileMode{}
	require.NoError(t, filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out[p] = info.Mode()
		return nil
	}))
	return out
}
