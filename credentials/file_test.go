package credentials_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// writeFile writes content to name in a fresh directory and returns the path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), credentials.FileName)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // os.UserHomeDir on Windows

	got, err := credentials.DefaultPath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, ".anyscale", "credentials.json"), got)
}

func TestDefaultPathNoHome(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "android", "ios":
		t.Skip("os.UserHomeDir does not read $HOME alone here")
	}
	t.Setenv("HOME", "")

	got, err := credentials.DefaultPath()
	require.Error(t, err)
	assert.Empty(t, got)
	assert.Contains(t, err.Error(), "home directory")
}

func TestLoadValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"plain", `{"cli_token": "` + canary + `"}`, canary},
		{"compact with newline", `{"cli_token":"` + canary + `"}` + "\n", canary},
		{"extra fields ignored", `{"other": {"nested": [1, 2]}, "cli_token": "` + canary + `", "n": 5}`, canary},
		{"escaped", `{"cli_token": "aph0_\u0041BC"}`, "aph0_ABC"},
		{"last duplicate wins", `{"cli_token": "aph0_first", "cli_token": "aph0_second"}`, "aph0_second"},
		// Load does not validate the token's form.
		{"not validated", `{"cli_token": "not a token"}`, "not a token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := credentials.Load(writeFile(t, tt.content))
			require.NoError(t, err)
			require.NotNil(t, f)
			assert.Equal(t, tt.want, f.CLIToken.Reveal())
		})
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope", credentials.FileName)

	f, err := credentials.Load(path)
	require.Error(t, err)
	assert.Nil(t, f)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "errors.Is(%v, fs.ErrNotExist)", err)
	var fe *credentials.FormatError
	assert.False(t, errors.As(err, &fe), "a missing file is not a *FormatError")
	assert.Contains(t, err.Error(), path)
}

func TestLoadFormatErrors(t *testing.T) {
	t.Parallel()
	// Every bad file carries the canary, so the test sees any echo of the
	// content in the error.
	tests := []struct {
		name    string
		content string
		want    error
		detail  string
	}{
		{"not JSON", canary, credentials.ErrCorrupt, "syntax error at byte"},
		{"truncated", `{"cli_token": "` + canary, credentials.ErrCorrupt, "syntax error"},
		{"trailing garbage", `{"cli_token": "aph0_x"} ` + canary, credentials.ErrCorrupt, "syntax error"},
		{"single quotes", `{'cli_token': '` + canary + `'}`, credentials.ErrCorrupt, "syntax error"},
		{"empty file", "", credentials.ErrCorrupt, "syntax error at byte 0"},
		{"top-level array", `["` + canary + `"]`, credentials.ErrCorrupt, "not a JSON object"},
		{"top-level string", `"` + canary + `"`, credentials.ErrCorrupt, "not a JSON object"},
		{"top-level number", `5`, credentials.ErrCorrupt, "not a JSON object"},
		{"top-level null", `null`, credentials.ErrCorrupt, "not a JSON object"},
		{"token is a number", `{"cli_token": 5, "x": "` + canary + `"}`, credentials.ErrCorrupt, "not a string"},
		{"token is an object", `{"cli_token": {"v": "` + canary + `"}}`, credentials.ErrCorrupt, "not a string"},
		{"token is an array", `{"cli_token": ["` + canary + `"]}`, credentials.ErrCorrupt, "not a string"},
		{"empty object", `{}`, credentials.ErrNoToken, "missing"},
		{"other keys only", `{"token": "` + canary + `"}`, credentials.ErrNoToken, "missing"},
		{"key case differs", `{"CLI_TOKEN": "` + canary + `"}`, credentials.ErrNoToken, "missing"},
		{"empty token", `{"cli_token": "", "x": "` + canary + `"}`, credentials.ErrNoToken, "empty"},
		{"null token", `{"cli_token": null}`, credentials.ErrNoToken, "empty"},
		{"nesting deeper than encoding/json goes", `{"x": "` + canary + `", "cli_token": ` + strings.Repeat("[", 10001) + `"aph0_x"` + strings.Repeat("]", 10001) + `}`, credentials.ErrCorrupt, "syntax error at byte"},
		{"oversized", `{"cli_token": "` + canary + strings.Repeat("A", credentials.MaxFileSize) + `"}`, credentials.ErrCorrupt, fmt.Sprintf("larger than %d bytes", credentials.MaxFileSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.content)

			f, err := credentials.Load(path)
			require.Error(t, err)
			assert.Nil(t, f)

			var fe *credentials.FormatError
			require.True(t, errors.As(err, &fe), "want *FormatError, got %T: %v", err, err)
			assert.Equal(t, path, fe.Path)
			assert.Equal(t, tt.want, fe.Err)
			assert.True(t, errors.Is(err, tt.want), "errors.Is(%v, %v)", err, tt.want)
			other := credentials.ErrNoToken
			if tt.want == credentials.ErrNoToken {
				other = credentials.ErrCorrupt
			}
			assert.False(t, errors.Is(err, other), "errors.Is(%v, %v)", err, other)
			assert.False(t, errors.Is(err, fs.ErrNotExist))

			msg := err.Error()
			assertNoCanary(t, msg)
			assert.Contains(t, msg, path)
			assert.Contains(t, msg, tt.detail)
			assert.Contains(t, msg, "anyscale login")
		})
	}
}

func TestLoadSizeBoundary(t *testing.T) {
	t.Parallel()
	// Pad a valid file with white space to exactly the limit: it loads.
	body := `{"cli_token": "` + canary + `"}`
	const limit = credentials.MaxFileSize
	path := writeFile(t, body+strings.Repeat(" ", limit-len(body)))
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, canary, f.CLIToken.Reveal())

	// One byte more is refused.
	path = writeFile(t, body+strings.Repeat(" ", limit-len(body)+1))
	_, err = credentials.Load(path)
	assert.ErrorIs(t, err, credentials.ErrCorrupt)
}

func TestFormatErrorMessage(t *testing.T) {
	t.Parallel()
	e := &credentials.FormatError{Path: "/p/c.json", Err: credentials.ErrNoToken}
	assert.Equal(t, "credentials: /p/c.json: credentials file has no cli_token; run `anyscale login` to write it again, or delete it", e.Error())
	e.Detail = "cli_token is empty"
	assert.Equal(t, "credentials: /p/c.json: credentials file has no cli_token (cli_token is empty); run `anyscale login` to write it again, or delete it", e.Error())
	assert.Equal(t, credentials.ErrNoToken, errors.Unwrap(e))
}

func TestRemove(t *testing.T) {
	t.Parallel()
	t.Run("existing", func(t *testing.T) {
		t.Parallel()
		path := writeFile(t, `{"cli_token": "aph0_x"}`)
		require.NoError(t, credentials.Remove(path))
		_, err := os.Lstat(path)
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, credentials.Remove(filepath.Join(t.TempDir(), credentials.FileName)))
	})
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, credentials.Remove(filepath.Join(t.TempDir(), "no", "such", credentials.FileName)))
	})
	t.Run("non-empty directory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), credentials.FileName)
		require.NoError(t, os.Mkdir(dir, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "x"), nil, 0o600))
		err := credentials.Remove(dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "credentials:")
		assert.DirExists(t, dir)
	})
}

// permFixture makes dir/credentials.json with the given modes, set with
// chmod so the umask does not interfere.
func permFixture(t *testing.T, dirMode, fileMode fs.FileMode) (dir, path string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), credentials.DirName)
	require.NoError(t, os.Mkdir(dir, 0o700))
	path = filepath.Join(dir, credentials.FileName)
	require.NoError(t, os.WriteFile(path, []byte(`{"cli_token": "aph0_x"}`), 0o600))
	require.NoError(t, os.Chmod(path, fileMode))
	require.NoError(t, os.Chmod(dir, dirMode))
	// A directory without write permission could not be emptied by the
	// removal of t.TempDir.
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	return dir, path
}

func TestCheckPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("CheckPermissions is a no-op on Windows")
	}
	// OpenSSH's rule: the file must not be readable or writable by group
	// or others; its directory must not be writable by them.
	tests := []struct {
		name     string
		dirMode  fs.FileMode
		fileMode fs.FileMode
		wantDir  bool // the error names the directory rather than the file
		wantMode string
		wantFix  string
	}{
		{name: "0600 in 0700", dirMode: 0o700, fileMode: 0o600},
		{name: "0400 in 0700", dirMode: 0o700, fileMode: 0o400},
		{name: "0600 in 0711", dirMode: 0o711, fileMode: 0o600},
		{name: "0600 in 0750", dirMode: 0o750, fileMode: 0o600},
		{name: "0600 in 0755", dirMode: 0o755, fileMode: 0o600},
		{name: "0600 in 0555", dirMode: 0o555, fileMode: 0o600},
		{name: "0700 file", dirMode: 0o700, fileMode: 0o700},
		{name: "0611 file", dirMode: 0o700, fileMode: 0o611},
		{name: "0644 file", dirMode: 0o700, fileMode: 0o644, wantMode: "0644", wantFix: "chmod 600 "},
		{name: "0644 file in 0755", dirMode: 0o755, fileMode: 0o644, wantMode: "0644", wantFix: "chmod 600 "},
		{name: "0640 file", dirMode: 0o700, fileMode: 0o640, wantMode: "0640", wantFix: "chmod 600 "},
		{name: "0620 file", dirMode: 0o700, fileMode: 0o620, wantMode: "0620", wantFix: "chmod 600 "},
		{name: "0604 file", dirMode: 0o700, fileMode: 0o604, wantMode: "0604", wantFix: "chmod 600 "},
		{name: "0602 file", dirMode: 0o700, fileMode: 0o602, wantMode: "0602", wantFix: "chmod 600 "},
		{name: "0770 directory", dirMode: 0o770, fileMode: 0o600, wantDir: true, wantMode: "0770", wantFix: "chmod go-w "},
		{name: "0775 directory", dirMode: 0o775, fileMode: 0o600, wantDir: true, wantMode: "0775", wantFix: "chmod go-w "},
		{name: "0757 directory", dirMode: 0o757, fileMode: 0o600, wantDir: true, wantMode: "0757", wantFix: "chmod go-w "},
		{name: "0777 directory", dirMode: 0o777, fileMode: 0o600, wantDir: true, wantMode: "0777", wantFix: "chmod go-w "},
		{name: "sticky 1777 directory", dirMode: fs.ModeSticky | 0o777, fileMode: 0o600, wantDir: true, wantMode: "01777", wantFix: "chmod go-w "},
		{name: "both open, directory first", dirMode: 0o777, fileMode: 0o666, wantDir: true, wantMode: "0777", wantFix: "chmod go-w "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, path := permFixture(t, tt.dirMode, tt.fileMode)

			err := credentials.CheckPermissions(path)
			if tt.wantFix == "" {
				assert.NoError(t, err)
				return
			}
			var pe *credentials.InsecurePermissionsError
			require.True(t, errors.As(err, &pe), "want *InsecurePermissionsError, got %T: %v", err, err)
			wantPath := path
			if tt.wantDir {
				wantPath = dir
			}
			assert.Equal(t, wantPath, pe.Path)
			assert.Equal(t, tt.wantDir, pe.Mode.IsDir())
			assert.Contains(t, err.Error(), "`"+tt.wantFix+wantPath+"`")
			assert.Contains(t, err.Error(), "has mode "+tt.wantMode+",")
			assert.False(t, errors.Is(err, fs.ErrNotExist))
		})
	}
}

func TestCheckPermissionsMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *credentials.InsecurePermissionsError
		want string
	}{
		{
			&credentials.InsecurePermissionsError{Path: "/h/.anyscale/credentials.json", Mode: 0o644},
			"credentials: /h/.anyscale/credentials.json has mode 0644, open to group or others; run `chmod 600 /h/.anyscale/credentials.json`",
		},
		{
			&credentials.InsecurePermissionsError{Path: "/h/.anyscale", Mode: fs.ModeDir | 0o775},
			"credentials: directory /h/.anyscale has mode 0775, writable by group or others, who could replace the credentials file in it; run `chmod go-w /h/.anyscale`",
		},
		{
			&credentials.InsecurePermissionsError{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
			"credentials: directory /tmp has mode 01777, writable by group or others, who could replace the credentials file in it; run `chmod go-w /tmp`",
		},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestCheckPermissionsMissing(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("CheckPermissions is a no-op on Windows")
	}
	tests := []struct {
		name     string
		dirMode  fs.FileMode // 0: the directory is missing too
		insecure bool        // the directory is refused before the file is looked for
	}{
		{name: "file missing in a 0700 directory", dirMode: 0o700},
		{name: "file missing in a 0755 directory", dirMode: 0o755},
		{name: "directory missing"},
		{name: "file missing in a 0777 directory", dirMode: 0o777, insecure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), credentials.DirName)
			if tt.dirMode != 0 {
				require.NoError(t, os.Mkdir(dir, 0o700))
				require.NoError(t, os.Chmod(dir, tt.dirMode))
			}
			path := filepath.Join(dir, credentials.FileName)

			err := credentials.CheckPermissions(path)
			require.Error(t, err)
			var pe *credentials.InsecurePermissionsError
			if tt.insecure {
				require.True(t, errors.As(err, &pe), "want *InsecurePermissionsError, got %T: %v", err, err)
				assert.Equal(t, dir, pe.Path)
				assert.False(t, errors.Is(err, fs.ErrNotExist))
				return
			}
			assert.ErrorIs(t, err, fs.ErrNotExist)
			assert.False(t, errors.As(err, &pe))
		})
	}
}
