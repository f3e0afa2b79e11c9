package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// DirName and FileName make up the default credentials path under the
// user's home directory, as the official CLI uses it.
const (
	DirName  = ".anyscale"
	FileName = "credentials.json"
)

// maxFileSize bounds how much of a credentials file Load reads; the real
// file holds one short token.
const maxFileSize = 64 << 10

// File is the content of a credentials file: {"cli_token": "<token>"}.
type File struct {
	CLIToken Secret `json:"cli_token"`
}

// Sentinels carried by *FormatError, so errors.Is tells the two problems
// apart.
var (
	// ErrCorrupt: the file is not a JSON object of the expected shape.
	ErrCorrupt = errors.New("credentials file is not valid JSON")
	// ErrNoToken: the file is valid JSON but cli_token is missing or empty.
	ErrNoToken = errors.New("credentials file has no cli_token")
)

// FormatError reports a credentials file that exists but cannot be used.
// It never contains the file's content.
type FormatError struct {
	Path string
	// Err is ErrCorrupt or ErrNoToken.
	Err error
	// Detail says where or why, without quoting the content.
	Detail string
}

// Error describes the problem and how to fix it.
func (e *FormatError) Error() string {
	msg := fmt.Sprintf("credentials: %s: %v", e.Path, e.Err)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg + "; run `anyscale login` to write it again, or delete it"
}

// Unwrap returns ErrCorrupt or ErrNoToken.
func (e *FormatError) Unwrap() error { return e.Err }

// DefaultPath returns $HOME/.anyscale/credentials.json.
func DefaultPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("credentials: cannot find the home directory for the default credentials path: %w", err)
	}
	return filepath.Join(home, DirName, FileName), nil
}

// Load reads the credentials file at path. A missing file is an error that
// wraps fs.ErrNotExist; a file that is not valid JSON, or has a missing or
// empty cli_token, is a *FormatError. Load does not validate the token's
// form: see ValidateToken.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("credentials: reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: fmt.Sprintf("larger than %d bytes", maxFileSize)}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: jsonProblem(err)}
	}
	if raw == nil {
		// A top-level null decodes into a nil map without error; it is no
		// more an object than an array is.
		return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: "the top level is not a JSON object"}
	}
	tok, ok := raw["cli_token"]
	if !ok {
		return nil, &FormatError{Path: path, Err: ErrNoToken, Detail: "the key is missing"}
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: "cli_token is not a string"}
	}
	if s == "" {
		return nil, &FormatError{Path: path, Err: ErrNoToken, Detail: "cli_token is empty"}
	}
	return &File{CLIToken: Secret(s)}, nil
}

// jsonProblem describes a JSON error by position only: the json package's
// own messages may quote a character of the content.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "the top level is not a JSON object"
	}
	return "unexpected end of input"
}

// Remove deletes the credentials file at path. A missing file is not an
// error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("credentials: %w", err)
	}
	return nil
}

// InsecurePermissionsError reports a credentials file, or its directory,
// that group or others may read or write.
type InsecurePermissionsError struct {
	Path string
	Mode fs.FileMode
}

// Error says which path is too open and the chmod that fixes it.
func (e *InsecurePermissionsError) Error() string {
	want := "600"
	if e.Mode.IsDir() {
		want = "700"
	}
	return fmt.Sprintf("credentials: %s has mode %#o, open to group or others; run `chmod %s %s`",
		e.Path, e.Mode.Perm(), want, e.Path)
}

// CheckPermissions returns an *InsecurePermissionsError when the file at
// path or its directory is readable or writable by group or others. It is
// a no-op on Windows, whose permissions fs.FileMode does not describe.
func CheckPermissions(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		info, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		if info.Mode().Perm()&0o066 != 0 {
			return &InsecurePermissionsError{Path: p, Mode: info.Mode()}
		}
	}
	return nil
}
