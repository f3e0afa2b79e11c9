//go:build unix

package credentials_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// otherUID is an account that is neither the test's nor root.
const otherUID = 4242

// giveAway makes path belong to otherUID; only root can.
func giveAway(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another account")
	}
	require.NoError(t, os.Chown(path, otherUID, otherUID))
}

// OpenSSH's rule covers the owner as well as the mode: a file or directory
// that another account owns could have its token swapped by that account,
// whatever its mode.
func TestAnotherAccountsFileOrDirectoryIsRefused(t *testing.T) {
	t.Run("the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), credentials.FileName)
		require.NoError(t, credentials.Save(path, credentials.Secret("aph0_abcdefghijklmnop")))
		require.NoError(t, credentials.CheckPermissions(path))
		giveAway(t, path)

		err := credentials.CheckPermissions(path)
		var pe *credentials.InsecurePermissionsError
		require.ErrorAs(t, err, &pe)
		assert.True(t, pe.ForeignOwner)
		assert.Equal(t, otherUID, pe.UID)
		assert.Equal(t, path, pe.Path)
		assert.False(t, pe.Mode.IsDir())
		assert.Contains(t, err.Error(), "belongs to user id 4242")
	})

	t.Run("the directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), credentials.DirName)
		path := filepath.Join(dir, credentials.FileName)
		require.NoError(t, credentials.Save(path, credentials.Secret("aph0_abcdefghijklmnop")))
		giveAway(t, dir)

		err := credentials.CheckPermissions(path)
		var pe *credentials.InsecurePermissionsError
		require.ErrorAs(t, err, &pe)
		assert.True(t, pe.ForeignOwner)
		assert.True(t, pe.Mode.IsDir())
		assert.Equal(t, dir, pe.Path)

		// Save and CheckSave refuse it before writing anything.
		before, err := os.ReadFile(path)
		require.NoError(t, err)
		for name, check := range map[string]func() error{
			"Save":      func() error { return credentials.Save(path, credentials.Secret("aph0_zyxwvutsrqponmlk")) },
			"CheckSave": func() error { return credentials.CheckSave(path) },
		} {
			err := check()
			require.ErrorAs(t, err, &pe, name)
			assert.True(t, pe.ForeignOwner, name)
			assert.Contains(t, err.Error(), "not saving to "+path, name)
		}
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, before, after, "a refused Save leaves the file as it was")
	})

	t.Run("root's and your own pass", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), credentials.FileName)
		require.NoError(t, credentials.Save(path, credentials.Secret("aph0_abcdefghijklmnop")))
		err := credentials.CheckPermissions(path)
		assert.False(t, errors.As(err, new(*credentials.InsecurePermissionsError)), "%v", err)
	})
}
