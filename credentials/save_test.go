package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	saveCanary = "aph0_SAVEcanary0123456789abcdefWXYZ"
	oldToken   = "aph0_OLDtoken0123456789abcdefOLD1"
)

// oldContent is what a credentials file held before the Save under test.
var oldContent = []byte(`{"cli_token": "` + oldToken + `"}` + "\n")

// setupOld writes oldContent to dir/credentials.json and returns its path.
func setupOld(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	require.NoError(t, os.WriteFile(path, oldContent, 0o600))
	return path
}

// assertOnly fails unless dir holds exactly the named entries: no temporary
// file is left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got, "entries of %s", dir)
}

// assertOld fails unless path still holds oldContent byte for byte.
func assertOld(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(oldContent), string(b))
}

func TestSaveWritesLoadableFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), FileName)

	require.NoError(t, Save(path, Secret(saveCanary)))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var onDisk map[string]any
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.Equal(t, map[string]any{"cli_token": saveCanary}, onDisk, "exactly {\"cli_token\": raw}")

	f, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, saveCanary, f.CLIToken.Reveal())
	assertOnly(t, filepath.Dir(path), FileName)
}

func TestSaveRawNotRedacted(t *testing.T) {
	t.Parallel()
	// A token the JSON encoder escapes must still round-trip to the same
	// raw value.
	tok := Secret("aph0_<&>\"\\0123456789abcdefWXYZ")
	path := filepath.Join(t.TempDir(), FileName)
	require.NoError(t, Save(path, tok))
	f, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, tok.Reveal(), f.CLIToken.Reveal())
}

// worstToken is the token of n bytes that ValidateToken accepts and that
// takes the most room in the file Save writes: json.Marshal writes '<',
// '>' and '&' as \u003c, \u003e and \u0026, six bytes each.
func worstToken(n int) string {
	return "a_" + strings.Repeat("<>&", n)[:n-2]
}

// TestMaxEscapedLen: no character that ValidateToken accepts takes more
// than maxEscapedLen bytes in the file, the premise of Load's bound.
func TestMaxEscapedLen(t *testing.T) {
	t.Parallel()
	longest := 0
	for c := byte(0x21); c < 0x7f; c++ {
		b, err := json.Marshal(string(c))
		require.NoError(t, err)
		longest = max(longest, len(b)-len(`""`))
	}
	assert.Equal(t, maxEscapedLen, longest)
}

// TestSaveLoadBoundTogether: any token ValidateToken accepts, Save writes
// and Load reads back, up to the worst case of MaxTokenLength bytes that
// all escape; one byte more is refused by Save, which leaves the old file.
func TestSaveLoadBoundTogether(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{name: "worst case at the bound", token: worstToken(MaxTokenLength), ok: true},
		{name: "plain at the bound", token: "aph0_" + strings.Repeat("z", MaxTokenLength-5), ok: true},
		{name: "worst case one byte over", token: worstToken(MaxTokenLength + 1)},
		{name: "worst case beyond Load's old bound", token: worstToken(64 << 10 / maxEscapedLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := setupOld(t)

			err := Save(path, Secret(tt.token))
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidToken)
				assert.Contains(t, err.Error(), fmt.Sprintf("more than the %d bytes", MaxTokenLength))
				assert.NotContains(t, err.Error(), "<>&")
				assertOld(t, path)
				assertOnly(t, filepath.Dir(path), FileName)
				return
			}
			require.NoError(t, err)
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.LessOrEqual(t, info.Size(), int64(maxFileSize))
			f, err := Load(path)
			require.NoError(t, err, "what Save writes, Load reads")
			assert.Equal(t, tt.token, f.CLIToken.Reveal())
		})
	}
	// The worst case fills the file Save writes to the size Load's bound
	// is derived from, but for the "a" and "_" that every such token has
	// and that are not escaped.
	// With the longest key id and an expiry, the expiry takes the bound's
	// room for a time less the length it is shorter by.
	path := filepath.Join(t.TempDir(), FileName)
	expires := time.Date(2026, 12, 6, 1, 2, 3, 123456789, time.UTC)
	require.NoError(t, SaveFile(path, File{CLIToken: Secret(worstToken(MaxTokenLength)), KeyID: strings.Repeat("k", maxKeyIDLength), ExpiresAt: expires}))
	info, err := os.Stat(path)
	require.NoError(t, err)
	room := len(time.RFC3339Nano) + len("+00:00") - len(expires.Format(time.RFC3339Nano))
	assert.Equal(t, int64(maxSavedSize-2*(maxEscapedLen-1)-room), info.Size())
	f, err := Load(path)
	require.NoError(t, err, "what SaveFile writes, Load reads")
	assert.Equal(t, strings.Repeat("k", maxKeyIDLength), f.KeyID)
	assert.True(t, expires.Equal(f.ExpiresAt))
}

func TestSaveModes(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	root := t.TempDir()
	outer := filepath.Join(root, "a")
	inner := filepath.Join(outer, DirName)
	path := filepath.Join(inner, FileName)

	require.NoError(t, Save(path, Secret(saveCanary)))

	for _, dir := range []string{outer, inner} {
		info, err := os.Stat(dir)
		require.NoError(t, err)
		assert.True(t, info.IsDir())
		assert.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), "mode of %s", dir)
	}
	info, err := os.Lstat(path)
	require.NoError(t, err)
	assert.True(t, info.Mode().IsRegular())
	assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	assert.NoError(t, CheckPermissions(path))
}

// TestSaveThenCheckPermissions: what Save writes, CheckPermissions accepts,
// whether Save made the directory or found it, and whatever the mode of
// the file it replaces.
func TestSaveThenCheckPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	tests := []struct {
		name    string
		dirMode fs.FileMode // 0: Save creates the directory
		oldMode fs.FileMode // 0: no old file
	}{
		{name: "new directory"},
		{name: "existing 0700 directory", dirMode: 0o700},
		{name: "existing 0711 directory", dirMode: 0o711},
		{name: "existing 0750 directory", dirMode: 0o750},
		{name: "existing 0755 directory", dirMode: 0o755},
		{name: "0644 file in a 0755 directory", dirMode: 0o755, oldMode: 0o644},
		{name: "0666 file in a 0700 directory", dirMode: 0o700, oldMode: 0o666},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), DirName)
			path := filepath.Join(dir, FileName)
			if tt.dirMode != 0 {
				require.NoError(t, os.Mkdir(dir, 0o700))
				require.NoError(t, os.Chmod(dir, tt.dirMode)) // Mkdir's mode passes through the umask
			}
			if tt.oldMode != 0 {
				require.NoError(t, os.WriteFile(path, oldContent, 0o600))
				require.NoError(t, os.Chmod(path, tt.oldMode))
			}

			require.NoError(t, Save(path, Secret(saveCanary)))

			assert.NoError(t, CheckPermissions(path))
			info, err := os.Stat(dir)
			require.NoError(t, err)
			wantDir := tt.dirMode
			if wantDir == 0 {
				wantDir = 0o700
			}
			assert.Equal(t, wantDir, info.Mode().Perm(), "Save leaves an existing directory's mode alone")
			f, err := Load(path)
			require.NoError(t, err)
			assert.Equal(t, saveCanary, f.CLIToken.Reveal())
		})
	}
}

func TestSaveRefusesDirectoryOthersMayWrite(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	tests := []struct {
		name    string
		mode    fs.FileMode
		octal   string
		oldFile bool
	}{
		{name: "0775", mode: 0o775, octal: "0775", oldFile: true},
		{name: "0770", mode: 0o770, octal: "0770"},
		{name: "0757", mode: 0o757, octal: "0757", oldFile: true},
		{name: "0777", mode: 0o777, octal: "0777"},
		{name: "sticky 1777, like /tmp", mode: fs.ModeSticky | 0o777, octal: "01777"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), DirName)
			require.NoError(t, os.Mkdir(dir, 0o700))
			path := filepath.Join(dir, FileName)
			if tt.oldFile {
				require.NoError(t, os.WriteFile(path, oldContent, 0o600))
			}
			require.NoError(t, os.Chmod(dir, tt.mode))

			err := Save(path, Secret(saveCanary))
			var pe *InsecurePermissionsError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, dir, pe.Path)
			assert.True(t, pe.Mode.IsDir())
			msg := err.Error()
			assert.Contains(t, msg, "not saving to "+path)
			assert.Contains(t, msg, "has mode "+tt.octal+",")
			assert.Contains(t, msg, "run `chmod go-w "+dir+"`")
			assert.NotContains(t, msg, saveCanary)

			// Nothing was written: no temporary file, no new file, and
			// the old one as it was.
			if tt.oldFile {
				assertOld(t, path)
				assertOnly(t, dir, FileName)
			} else {
				assertOnly(t, dir)
			}
			// CheckPermissions, as a check before Save, refuses the same
			// directory.
			require.ErrorAs(t, CheckPermissions(path), &pe)
			assert.Equal(t, dir, pe.Path)
		})
	}
}

func TestSaveOverwrites(t *testing.T) {
	t.Parallel()
	path := setupOld(t)
	if runtime.GOOS != "windows" {
		// A file left too open is tightened by the replacement.
		require.NoError(t, os.Chmod(path, 0o644))
	}

	require.NoError(t, Save(path, Secret(saveCanary)))

	f, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, saveCanary, f.CLIToken.Reveal())
	if runtime.GOOS != "windows" {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	}
	assertOnly(t, filepath.Dir(path), FileName)
}

func TestSaveRefusesSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.json")
	require.NoError(t, os.WriteFile(target, oldContent, 0o600))
	link := filepath.Join(dir, FileName)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}

	err := Save(link, Secret(saveCanary))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "symbolic link")
	assert.NotContains(t, err.Error(), saveCanary)

	info, err := os.Lstat(link)
	require.NoError(t, err)
	assert.True(t, info.Mode()&fs.ModeSymlink != 0, "the link is still a link")
	dest, err := os.Readlink(link)
	require.NoError(t, err)
	assert.Equal(t, target, dest)
	assertOld(t, target)
	assertOnly(t, dir, FileName, "target.json")
}

func TestSaveRefusesDanglingSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "missing.json")
	link := filepath.Join(dir, FileName)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}

	require.Error(t, Save(link, Secret(saveCanary)))
	_, err := os.Lstat(target)
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing written through the link")
	assertOnly(t, dir, FileName)
}

func TestSaveRefusesDirectory(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	path := filepath.Join(parent, FileName)
	require.NoError(t, os.Mkdir(path, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(path, "keep"), []byte("x"), 0o600))

	err := Save(path, Secret(saveCanary))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
	assert.DirExists(t, path)
	assertOnly(t, path, "keep")
	assertOnly(t, parent, FileName)
}

func TestSaveRefusesInvalidToken(t *testing.T) {
	t.Parallel()
	for i, tok := range []string{
		"",
		"CANARYsave0123456789",
		"aph0_CANARYsave0123456789\n",
		" aph0_CANARYsave0123456789",
		"aph0_CANARY\x00save",
	} {
		// Not named after the token: t.TempDir puts the name in the path.
		t.Run(fmt.Sprint("token", i), func(t *testing.T) {
			t.Parallel()
			path := setupOld(t)

			err := Save(path, Secret(tok))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidToken)
			assert.NotContains(t, err.Error(), "CANARY")
			assertOld(t, path)
			assertOnly(t, filepath.Dir(path), FileName)
		})
	}
	t.Run("no directory created", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), DirName)
		require.Error(t, Save(filepath.Join(dir, FileName), Secret("bad")))
		assert.NoDirExists(t, dir)
	})
}

// faultFS wraps osFS and fails the named step with errInjected. It records
// every call, so a test can check the order of the steps and that the
// temporary file was closed. When watch is set, it is called before every
// step, with the step's name: what it sees is what a crash at that point
// would leave.
type faultFS struct {
	osFS
	fail  string
	calls *[]string
	watch func(step string)
}

var errInjected = errors.New("injected failure")

func (f faultFS) step(name string) error {
	if f.watch != nil {
		f.watch(name)
	}
	*f.calls = append(*f.calls, name)
	if f.fail == name {
		return errInjected
	}
	return nil
}

func (f faultFS) MkdirAll(path string, perm fs.FileMode) error {
	if err := f.step("MkdirAll"); err != nil {
		return err
	}
	return f.osFS.MkdirAll(path, perm)
}

func (f faultFS) Stat(name string) (fs.FileInfo, error) {
	if err := f.step("Stat"); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return f.osFS.Stat(name)
}

func (f faultFS) Lstat(name string) (fs.FileInfo, error) {
	if err := f.step("Lstat"); err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return f.osFS.Lstat(name)
}

func (f faultFS) CreateTemp(dir, pattern string) (tempFile, error) {
	if err := f.step("CreateTemp"); err != nil {
		return nil, err
	}
	t, err := f.osFS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return faultFile{tempFile: t, fs: f}, nil
}

func (f faultFS) Rename(oldpath, newpath string) error {
	if err := f.step("Rename"); err != nil {
		return err
	}
	return f.osFS.Rename(oldpath, newpath)
}

func (f faultFS) Remove(name string) error {
	if f.watch != nil {
		f.watch("Remove")
	}
	*f.calls = append(*f.calls, "Remove")
	return f.osFS.Remove(name)
}

func (f faultFS) SyncDir(dir string) error {
	if err := f.step("SyncDir"); err != nil {
		return err
	}
	return f.osFS.SyncDir(dir)
}

type faultFile struct {
	tempFile
	fs faultFS
}

func (f faultFile) Chmod(mode fs.FileMode) error {
	if err := f.fs.step("Chmod"); err != nil {
		return err
	}
	return f.tempFile.Chmod(mode)
}

func (f faultFile) Write(p []byte) (int, error) {
	if err := f.fs.step("Write"); err != nil {
		// A disk that fills up mid-write: half the bytes land.
		n, _ := f.tempFile.Write(p[:len(p)/2])
		return n, err
	}
	return f.tempFile.Write(p)
}

func (f faultFile) Sync() error {
	if err := f.fs.step("Sync"); err != nil {
		return err
	}
	return f.tempFile.Sync()
}

func (f faultFile) Close() error {
	if err := f.fs.step("Close"); err != nil {
		// As with a real file, the descriptor is gone even when Close
		// reports an error.
		_ = f.tempFile.Close()
		return err
	}
	return f.tempFile.Close()
}

func TestSaveStepOrder(t *testing.T) {
	t.Parallel()
	path := setupOld(t)
	var calls []string

	require.NoError(t, save(faultFS{calls: &calls}, path, File{CLIToken: Secret(saveCanary)}))

	want := []string{"MkdirAll", "Stat", "Lstat", "CreateTemp", "Chmod", "Write", "Sync", "Close", "Rename", "SyncDir"}
	if runtime.GOOS == "windows" {
		want = []string{"MkdirAll", "Lstat", "CreateTemp", "Write", "Sync", "Close", "Rename", "SyncDir"}
	}
	assert.Equal(t, want, calls)
	f, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, saveCanary, f.CLIToken.Reveal())
}

func TestSaveFailingStepKeepsOldFile(t *testing.T) {
	t.Parallel()
	steps := []struct {
		step string
		// opened: the temporary file existed when the step failed, so it
		// must be closed and removed.
		opened bool
	}{
		{"MkdirAll", false},
		{"Stat", false},
		{"Lstat", false},
		{"CreateTemp", false},
		{"Chmod", true},
		{"Write", true},
		{"Sync", true},
		{"Close", true},
		{"Rename", true},
	}
	for _, tt := range steps {
		t.Run(tt.step, func(t *testing.T) {
			t.Parallel()
			if (tt.step == "Chmod" || tt.step == "Stat") && runtime.GOOS == "windows" {
				t.Skip("Save checks no directory mode and does not chmod on Windows")
			}
			path := setupOld(t)
			var calls []string

			err := save(faultFS{fail: tt.step, calls: &calls}, path, File{CLIToken: Secret(saveCanary)})
			require.Error(t, err)
			assert.ErrorIs(t, err, errInjected)
			assert.Contains(t, err.Error(), "credentials:")
			assert.NotContains(t, err.Error(), saveCanary)

			assertOld(t, path)
			assertOnly(t, filepath.Dir(path), FileName)
			assert.NotContains(t, calls, "SyncDir")
			if tt.opened {
				assert.Contains(t, calls, "Close", "the temporary file is closed")
				assert.Contains(t, calls, "Remove", "the temporary file is removed")
				assert.Equal(t, "Remove", calls[len(calls)-1], "removed after it is closed")
				n := 0
				for _, c := range calls {
					if c == "Close" {
						n++
					}
				}
				assert.Equal(t, 1, n, "closed exactly once: %v", calls)
			} else {
				assert.NotContains(t, calls, "Remove")
			}
		})
	}
}

func TestSaveFailingStepNoOldFile(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"Write", "Sync", "Close", "Rename"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			var calls []string

			require.ErrorIs(t, save(faultFS{fail: step, calls: &calls}, path, File{CLIToken: Secret(saveCanary)}), errInjected)
			assertOnly(t, dir)
		})
	}
}

// assertWhole fails unless path holds a whole credentials file with one
// of tokens, or, when missing is true, nothing at all. at says when the
// test looked.
func assertWhole(t *testing.T, path string, missing bool, at string, tokens ...string) {
	t.Helper()
	f, err := Load(path)
	if missing && errors.Is(err, fs.ErrNotExist) {
		return
	}
	if !assert.NoError(t, err, "%s: %s is not a whole credentials file", at, path) {
		return
	}
	assert.Contains(t, tokens, f.CLIToken.Reveal(), "%s: %s holds another token", at, path)
}

// TestSaveCrashAtEveryStep: whichever step of Save fails, and whenever a
// crash cuts it short, before any step and before the clean-up, the path
// holds the old file or the new one, whole; with no old file, it holds the
// new one or nothing. A crash leaves no clean-up behind, so the path is
// what counts, and it is looked at from within Save, at every step.
func TestSaveCrashAtEveryStep(t *testing.T) {
	t.Parallel()
	steps := []string{"", "MkdirAll", "Stat", "Lstat", "CreateTemp", "Chmod", "Write", "Sync", "Close", "Rename", "SyncDir"}
	for _, old := range []bool{true, false} {
		for _, fail := range steps {
			name := fmt.Sprintf("old file %v, %s fails", old, fail)
			if fail == "" {
				name = fmt.Sprintf("old file %v, no step fails", old)
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if (fail == "Chmod" || fail == "Stat") && runtime.GOOS == "windows" {
					t.Skip("Save checks no directory mode and does not chmod on Windows")
				}
				path := filepath.Join(t.TempDir(), FileName)
				if old {
					path = setupOld(t)
				}
				var calls, seen []string
				watch := func(step string) {
					seen = append(seen, step)
					assertWhole(t, path, !old, "before "+step, oldToken, saveCanary)
				}

				err := save(faultFS{fail: fail, calls: &calls, watch: watch}, path, File{CLIToken: Secret(saveCanary)})

				switch fail {
				case "", "SyncDir":
					require.NoError(t, err)
					assertWhole(t, path, false, "after Save", saveCanary)
				default:
					require.ErrorIs(t, err, errInjected)
					if old {
						assertOld(t, path)
					} else {
						_, err := os.Lstat(path)
						assert.ErrorIs(t, err, fs.ErrNotExist, "a failed Save writes no file")
					}
				}
				assertOnly(t, filepath.Dir(path), namesIf(old || fail == "" || fail == "SyncDir", FileName)...)
				assert.Equal(t, calls, seen, "every step was watched")
				assert.Contains(t, seen, "MkdirAll", "the watch ran")
			})
		}
	}
}

// namesIf returns names when cond holds, else none.
func namesIf(cond bool, names ...string) []string {
	if cond {
		return names
	}
	return nil
}

func TestSaveSyncDirFailureIsNotAnError(t *testing.T) {
	t.Parallel()
	path := setupOld(t)
	var calls []string

	require.NoError(t, save(faultFS{fail: "SyncDir", calls: &calls}, path, File{CLIToken: Secret(saveCanary)}))

	assert.Contains(t, calls, "SyncDir")
	f, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, saveCanary, f.CLIToken.Reveal())
	assertOnly(t, filepath.Dir(path), FileName)
}

func TestSaveConcurrent(t *testing.T) {
	t.Parallel()
	path := setupOld(t)
	const n = 8
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("aph0_concurrent%02d_0123456789abcdef", i)
	}

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = Save(path, Secret(tokens[i]))
		}(i)
	}
	wg.Wait()

	for i, err := range errs {
		assert.NoError(t, err, "Save %d", i)
	}
	f, err := Load(path)
	require.NoError(t, err)
	assert.Contains(t, tokens, f.CLIToken.Reveal())
	assertOnly(t, filepath.Dir(path), FileName)
}

func TestOSFSSyncDir(t *testing.T) {
	t.Parallel()
	assert.NoError(t, osFS{}.SyncDir(t.TempDir()))
	if runtime.GOOS != "windows" {
		assert.ErrorIs(t, osFS{}.SyncDir(filepath.Join(t.TempDir(), "missing")), fs.ErrNotExist)
	}
}
