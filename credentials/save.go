package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Save writes token to the credentials file at path atomically: it creates
// the directory with mode 0700 if needed, writes a temporary file with mode
// 0600 in the same directory, syncs it and renames it over the old file.
// When any step fails the old file is left as it was and the temporary file
// is removed. Save refuses to replace a symbolic link at path, and refuses a
// token that ValidateToken rejects, so a bad token never replaces a good one;
// a token that Save accepts, Load reads back (see MaxTokenLength).
//
// Save also refuses, before writing anything, to write into an existing
// directory that group or others may write, where they could replace the
// file: the error wraps an *InsecurePermissionsError that names the
// directory and says to run `chmod go-w` on it. An existing directory that
// others may only read, such as one with mode 0755, is used as it is. So
// after Save(path, token) succeeds, CheckPermissions(path) returns nil.
// On Windows no mode is checked.
func Save(path string, token Secret) error {
	return save(osFS{}, path, File{CLIToken: token})
}

// SaveFile writes f to the credentials file at path as Save writes a
// token, with the same checks and the same atomicity, keeping f.KeyID and
// f.ExpiresAt beside the token when they are set. A key id of anything but
// letters, digits, '_' and '-' is refused.
func SaveFile(path string, f File) error {
	return save(osFS{}, path, f)
}

// CheckSave reports, without saving, whether Save could write a
// credentials file at path: it returns the error Save would return for
// the place (a directory that group or others may write, a symbolic link
// or anything but a regular file at path, a directory that cannot take a
// new file), so that a caller can refuse before it makes a key that nobody
// could then hold. A missing directory is no obstacle when the nearest one
// that exists can take a new entry, since Save creates it. CheckSave
// leaves nothing behind.
func CheckSave(path string) error {
	return checkSave(osFS{}, path)
}

func checkSave(fsys fileSystem, path string) error {
	dir := filepath.Dir(path)
	existing := dir // the nearest directory that exists
	for {
		info, err := fsys.Stat(existing)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("credentials: not saving to %s: %s is not a directory", path, existing)
			}
			break
		}
		parent := filepath.Dir(existing)
		if !errors.Is(err, fs.ErrNotExist) || parent == existing {
			return fmt.Errorf("credentials: not saving to %s: %w", path, err)
		}
		existing = parent
	}
	if existing == dir {
		if err := checkPlace(fsys, dir, path); err != nil {
			return err
		}
	}
	probe, err := fsys.CreateTemp(existing, "."+filepath.Base(path)+".probe-*")
	if err != nil {
		return fmt.Errorf("credentials: not saving to %s: %s cannot take a new file: %w", path, existing, err)
	}
	name := probe.Name()
	_ = probe.Close()
	_ = fsys.Remove(name)
	return nil
}

// checkPlace refuses to save at path, in its existing directory dir, where
// others could replace the file or where no regular file can go.
func checkPlace(fsys fileSystem, dir, path string) error {
	if runtime.GOOS != "windows" {
		info, err := fsys.Stat(dir)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		if pe := looseDir(dir, info); pe != nil {
			return &refusedError{msg: "credentials: not saving to " + path + ": " + pe.problem() + "; " + pe.AdviceText(), err: pe}
		}
	}
	info, err := fsys.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("credentials: %w", err)
	case info.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("credentials: %s is a symbolic link; refusing to write through it: save to the link's target, or remove the link first", path)
	case info.IsDir():
		return fmt.Errorf("credentials: %s is a directory, not a regular file; give the path of the credentials file itself, or move the directory away", path)
	case !info.Mode().IsRegular():
		return fmt.Errorf("credentials: %s is not a regular file; move it away and save again", path)
	}
	return nil
}

// refusedError is an error with a message of its own that still unwraps
// to its cause, so errors.As finds the cause without the message
// repeating it.
type refusedError struct {
	msg string
	err error
}

func (e *refusedError) Error() string { return e.msg }
func (e *refusedError) Unwrap() error { return e.err }

// fileSystem is the part of the os package Save uses; tests substitute one
// that fails at a chosen step.
type fileSystem interface {
	MkdirAll(path string, perm fs.FileMode) error
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	CreateTemp(dir, pattern string) (tempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	SyncDir(dir string) error
}

type tempFile interface {
	Name() string
	Write(p []byte) (int, error)
	Chmod(mode fs.FileMode) error
	Sync() error
	Close() error
}

func save(fsys fileSystem, path string, f File) (err error) {
	if err := ValidateToken(f.CLIToken.Reveal()); err != nil {
		return fmt.Errorf("credentials: not saving to %s: %w", path, err)
	}
	if err := checkKeyID(f.KeyID); err != nil {
		return fmt.Errorf("credentials: not saving to %s: %w", path, err)
	}
	var expires *time.Time
	if !f.ExpiresAt.IsZero() {
		t := f.ExpiresAt.UTC()
		expires = &t
	}
	data, err := json.Marshal(struct {
		CLIToken  string     `json:"cli_token"`
		KeyID     string     `json:"key_id,omitempty"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}{f.CLIToken.Reveal(), f.KeyID, expires})
	if err != nil {
		return fmt.Errorf("credentials: encoding: %w", err)
	}
	dir := filepath.Dir(path)
	// MkdirAll leaves an existing directory as it is: nothing is written
	// before the place is checked.
	if err := fsys.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("credentials: creating %s: %w", dir, err)
	}
	if err := checkPlace(fsys, dir, path); err != nil {
		return err
	}

	tmp, err := fsys.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("credentials: creating a temporary file in %s: %w", dir, err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if err == nil {
			return
		}
		if !closed {
			_ = tmp.Close()
		}
		_ = fsys.Remove(tmpName)
	}()
	if runtime.GOOS != "windows" {
		if err := tmp.Chmod(0o600); err != nil {
			return fmt.Errorf("credentials: setting mode 0600 on %s: %w", tmpName, err)
		}
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("credentials: writing %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("credentials: syncing %s: %w", tmpName, err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("credentials: closing %s: %w", tmpName, err)
	}
	if err := fsys.Rename(tmpName, path); err != nil {
		return fmt.Errorf("credentials: replacing %s: %w", path, err)
	}
	// The new file is in place; a failed directory sync only weakens
	// durability across a power cut, so it is not reported as a failure.
	_ = fsys.SyncDir(dir)
	return nil
}

type osFS struct{}

func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }

func (osFS) CreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

func (osFS) SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
