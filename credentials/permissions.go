package credentials

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/anyscale-go/anyscale/internal/advice"
)

// Permission bits that make a credentials file or its directory too open,
// as OpenSSH judges them: others may not read or write the file, and may
// not write the directory, where they could replace the file. A directory
// that others may read and search, such as a home directory with mode
// 0755, is fine.
const (
	fileLooseBits fs.FileMode = 0o066
	dirLooseBits  fs.FileMode = 0o022
)

// InsecurePermissionsError reports a credentials file that group or others
// may read or write, or a directory holding it that group or others may
// write, or either one owned by another account than the current user or
// root (ForeignOwner), who could replace the token. Mode.IsDir tells a
// file and a directory apart.
type InsecurePermissionsError struct {
	Path string
	Mode fs.FileMode
	// ForeignOwner is set when Path belongs to another account than the
	// current user or root; UID is that account's user id.
	ForeignOwner bool
	UID          int
}

// Error says which path is too open, then the fix (AdviceText):
// `chmod 600 <file>` for the file, `chmod go-w <dir>` for the directory.
func (e *InsecurePermissionsError) Error() string {
	return "credentials: " + e.problem() + "; " + e.AdviceText()
}

// AdviceOf says what to do next as data: tighten the permissions of Path
// (Source is "directory" or "file"), or replace a path another account
// owns (Source "owner").
func (e *InsecurePermissionsError) AdviceOf() (advice.Advice, bool) {
	kind := "file"
	if e.Mode.IsDir() {
		kind = "directory"
	}
	if e.ForeignOwner {
		kind = "owner"
	}
	return advice.Advice{Action: advice.FixPermissions, Source: kind, Origin: e.Path}, true
}

// AdviceText is the fix that ends Error, as a shell command.
func (e *InsecurePermissionsError) AdviceText() string {
	switch {
	case e.ForeignOwner:
		return "remove it, or use a path of your own"
	case e.Mode.IsDir():
		return fmt.Sprintf("run `chmod go-w %s`", e.Path)
	}
	return fmt.Sprintf("run `chmod 600 %s`", e.Path)
}

// problem is what is wrong, without the package prefix or the fix.
func (e *InsecurePermissionsError) problem() string {
	if e.ForeignOwner {
		what := "credentials file " + e.Path
		if e.Mode.IsDir() {
			what = "directory " + e.Path
		}
		return fmt.Sprintf("%s belongs to user id %d, not to you (user id %d) or root, and that account could replace the token",
			what, e.UID, os.Getuid())
	}
	if e.Mode.IsDir() {
		return fmt.Sprintf("directory %s has mode %s, writable by group or others, who could replace the credentials file in it",
			e.Path, octal(e.Mode))
	}
	return fmt.Sprintf("%s has mode %s, open to group or others", e.Path, octal(e.Mode))
}

// octal prints a mode as chmod(1) takes it, such as 0644 or 01777.
func octal(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%#o", n)
}

// CheckPermissions applies OpenSSH's rule to the credentials file at path:
// it returns an *InsecurePermissionsError when the file's directory is
// writable by group or others (mode & 0o022, even with the sticky bit, as
// on /tmp), or when the file is readable or writable by group or others
// (mode & 0o066), or when either belongs to another account than the
// current user or root (ForeignOwner), as OpenSSH also requires. A
// directory with mode 0755 and a file with mode 0600, both yours, pass.
//
// The directory is checked first, then the file. So when the directory is
// fine but the file does not exist yet, or the directory does not exist
// either, the error wraps fs.ErrNotExist, and CheckPermissions serves as a
// check before Save, which creates a missing directory with mode 0700:
//
//	if err := credentials.CheckPermissions(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
//		return err // the directory is open to others: Save would refuse it too
//	}
//
// A file that Save wrote passes. CheckPermissions is a no-op on Windows,
// whose permissions fs.FileMode does not describe.
func CheckPermissions(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	if pe := looseDir(dir, info); pe != nil {
		return pe
	}
	if info, err = os.Stat(path); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	if pe := foreign(path, info); pe != nil {
		return pe
	}
	if info.Mode().Perm()&fileLooseBits != 0 {
		return &InsecurePermissionsError{Path: path, Mode: info.Mode()}
	}
	return nil
}

// looseDir returns an *InsecurePermissionsError when info, the result of
// a stat of dir, shows a directory that group or others may write, else
// nil. What is not a directory is left to the lookup of the file in it to
// report.
func looseDir(dir string, info fs.FileInfo) *InsecurePermissionsError {
	if !info.IsDir() {
		return nil
	}
	if pe := foreign(dir, info); pe != nil {
		return pe
	}
	if info.Mode().Perm()&dirLooseBits != 0 {
		return &InsecurePermissionsError{Path: dir, Mode: info.Mode()}
	}
	return nil
}

// foreign returns an *InsecurePermissionsError when info, the result of a
// stat of path, shows an owner other than the current user and root
// (OpenSSH's rule), else nil. Where the platform does not say who owns a
// file, nothing is foreign.
func foreign(path string, info fs.FileInfo) *InsecurePermissionsError {
	uid, ok := ownerOf(info)
	if !ok || uid == 0 || uid == os.Getuid() {
		return nil
	}
	return &InsecurePermissionsError{Path: path, Mode: info.Mode(), ForeignOwner: true, UID: uid}
}
