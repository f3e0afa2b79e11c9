package keys_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/keys"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
	store := keys.FileStore(path)

	_, err := store.Load(ctx)
	require.ErrorIs(t, err, client.ErrNotFound, "an empty store")
	assert.ErrorIs(t, err, os.ErrNotExist)

	want := keys.Stored{Secret: "aph0_STORE0123456789abcdefgh", KeyID: "key0123", ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	require.NoError(t, store.Save(ctx, want))
	got, err := keys.FileStore(path).Load(ctx)
	require.NoError(t, err, "a new store on the same file: the next process")
	assert.Equal(t, want.Secret, got.Secret)
	assert.Equal(t, want.KeyID, got.KeyID)
	assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt))
	require.NoError(t, credentials.CheckPermissions(path))

	// The official CLI's file loads with an unknown key.
	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, want.Secret, f.CLIToken, "cli_token stays where the official CLI reads it")
	require.NoError(t, credentials.Save(path, "aph0_OTHER0123456789abcdefgh"))
	got, err = store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, keys.Stored{Secret: "aph0_OTHER0123456789abcdefgh"}, got)

	// A refused save leaves what was stored.
	require.Error(t, store.Save(ctx, keys.Stored{Secret: "not a token"}))
	got, err = store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, credentials.Secret("aph0_OTHER0123456789abcdefgh"), got.Secret)

	// A corrupt file is a FormatError.
	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	_, err = store.Load(ctx)
	var fe *credentials.FormatError
	assert.ErrorAs(t, err, &fe)

	// A context already done does nothing.
	done, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, store.Save(done, want), context.Canceled)
	_, err = store.Load(done)
	assert.ErrorIs(t, err, context.Canceled)
}
