package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/regfile"
)

// DirName and FileName make up the default credentials path under the
// user's home directory, as the official CLI uses it.
const (
	DirName  = ".anyscale"
	FileName = "credentials.json"
)

// maxEscapedLen is the most bytes json.Marshal writes for one character
// that ValidateToken accepts: '<', '>' and '&' become \u003c, \u003e and
// \u0026.
const maxEscapedLen = len(`\u003c`)

// maxSavedSize is the size of the largest file Save writes: the longest
// token ValidateToken accepts, every character escaped, in
// {"cli_token":""} and a newline.
const maxSavedSize = len(`{"cli_token":""}`+"\n") + maxEscapedLen*MaxTokenLength +
	len(`,"key_id":""`) + maxKeyIDLength + len(`,"expires_at":""`) + len(time.RFC3339Nano) + len("+00:00")

// maxKeyIDLength bounds File.KeyID: an API key's id is 64 hex digits.
const maxKeyIDLength = 256

// maxFileSize bounds how much of a credentials file Load reads. It is
// derived from MaxTokenLength, so that any token that Save accepts, Load
// reads back: it holds the largest file Save writes, and as much again
// for what another writer, such as the official CLI, may add (indentation,
// other fields).
const maxFileSize = 2 * maxSavedSize

// File is the content of a credentials file: {"cli_token": "<token>"},
// and, when the writer knew them, which key the token is and when it
// expires (fields the official CLI ignores).
type File struct {
	CLIToken Secret `json:"cli_token"`
	// KeyID is the id of the key CLIToken is, or empty when unknown.
	KeyID string `json:"key_id,omitempty"`
	// ExpiresAt is when that key expires, or zero when unknown.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
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

// Error describes the problem, then how to fix it (AdviceText).
func (e *FormatError) Error() string {
	msg := fmt.Sprintf("credentials: %s: %v", e.Path, e.Err)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg + "; " + e.AdviceText()
}

// AdviceOf says what to do next as data: write the file again (log in) or
// delete it. The client package's AdviceOf finds it.
func (e *FormatError) AdviceOf() (advice.Advice, bool) {
	return advice.Advice{Action: advice.ConfigureToken, Source: "file", Origin: e.Path}, true
}

// AdviceText is the sentence that ends Error, in the official CLI's terms.
func (e *FormatError) AdviceText() string {
	return "run `anyscale login` to write it again, or delete it"
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
// wraps fs.ErrNotExist; a file that is not valid JSON, has a missing or
// empty cli_token, or is too large to hold one, is a *FormatError. Load
// reads only a regular file, and never blocks on one that is not: a named
// pipe, a socket, a device or a directory at path (or at the end of a
// symbolic link there) is an error at once, naming what is there. Load
// does not validate the token's form: see ValidateToken.
func Load(path string) (*File, error) {
	data, err := regfile.Read(path, int64(maxFileSize))
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
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
	f := &File{CLIToken: Secret(s)}
	if raw, ok := raw["key_id"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &f.KeyID) != nil || checkKeyID(f.KeyID) != nil {
			return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: "key_id is not a key id"}
		}
	}
	if raw, ok := raw["expires_at"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &f.ExpiresAt) != nil {
			return nil, &FormatError{Path: path, Err: ErrCorrupt, Detail: "expires_at is not an RFC 3339 time"}
		}
	}
	return f, nil
}

// checkKeyID accepts an empty id or one of letters, digits, '_' and '-',
// at most maxKeyIDLength long.
func checkKeyID(id string) error {
	if len(id) > maxKeyIDLength {
		return fmt.Errorf("a key id is at most %d characters", maxKeyIDLength)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return errors.New("a key id holds only letters, digits, '_' and '-'")
		}
	}
	return nil
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
