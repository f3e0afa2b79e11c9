package keys

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Stored is a key's secret as a Store keeps it, with the key's id and
// expiry when they are known (empty and zero when not: a secret saved by
// another tool).
type Stored struct {
	Secret    credentials.Secret
	KeyID     string
	ExpiresAt time.Time
}

// Store keeps the one secret a process authenticates with, for Renew and
// Renewing. Load of an empty store returns an error matching
// client.ErrNotFound. Save is atomic and durable: once it returns nil,
// Load returns what it saved, in this process and the next; a failed Save
// leaves the store holding what it held. Implementations are safe for
// concurrent use.
type Store interface {
	Load(ctx context.Context) (Stored, error)
	Save(ctx context.Context, s Stored) error
}

// FileStore returns a Store kept in the credentials file at path, as
// credentials.SaveFile writes it: mode 0600, replaced atomically, with the
// place checked as credentials.CheckSave does. The file keeps cli_token
// where the official CLI reads it, and key_id and expires_at beside it; a
// file without them loads with those empty. A corrupt file is a
// *credentials.FormatError.
func FileStore(path string) Store { return fileStore{path: path} }

type fileStore struct{ path string }

func (f fileStore) Load(ctx context.Context) (Stored, error) {
	if err := ctxguard.Check(ctx, "keys.FileStore.Load"); err != nil {
		return Stored{}, err
	}
	if err := ctx.Err(); err != nil {
		return Stored{}, err
	}
	file, err := credentials.Load(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Stored{}, fmt.Errorf("keys: %w: no key stored in %s: %w", client.ErrNotFound, f.path, err)
	}
	if err != nil {
		return Stored{}, err
	}
	return Stored{Secret: file.CLIToken, KeyID: file.KeyID, ExpiresAt: file.ExpiresAt}, nil
}

func (f fileStore) Save(ctx context.Context, s Stored) error {
	if err := ctxguard.Check(ctx, "keys.FileStore.Save"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return credentials.SaveFile(f.path, credentials.File{CLIToken: s.Secret, KeyID: s.KeyID, ExpiresAt: s.ExpiresAt})
}

// String names the file, for logs.
func (f fileStore) String() string { return "file " + f.path }
