package credentials_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

const keyToken = "aph0_KEYFIELDS0123456789abcdef"

// SaveFile keeps which key the token is beside it, in fields the official
// CLI ignores: it reads cli_token where it always was.
func TestSaveFileKeepsTheKeyBesideTheToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), credentials.DirName, credentials.FileName)
	expires := time.Date(2026, 12, 6, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	require.NoError(t, credentials.SaveFile(path, credentials.File{CLIToken: keyToken, KeyID: "0123abcd", ExpiresAt: expires}))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	assert.Equal(t, map[string]any{"cli_token": keyToken, "key_id": "0123abcd", "expires_at": "2026-12-06T11:00:00Z"}, raw)

	f, err := credentials.Load(path)
	require.NoError(t, err)
	assert.Equal(t, keyToken, f.CLIToken.Reveal())
	assert.Equal(t, "0123abcd", f.KeyID)
	assert.True(t, expires.Equal(f.ExpiresAt))
	require.NoError(t, credentials.CheckPermissions(path))

	// Save of a bare token drops them: the new token is another key.
	require.NoError(t, credentials.Save(path, keyToken))
	f, err = credentials.Load(path)
	require.NoError(t, err)
	assert.Empty(t, f.KeyID)
	assert.True(t, f.ExpiresAt.IsZero())
}

func TestLoadKeyFields(t *testing.T) {
	for name, tt := range map[string]struct {
		content string
		id      string
		expires time.Time
		detail  string
	}{
		"absent":          {content: `{"cli_token": "` + keyToken + `"}`},
		"null":            {content: `{"cli_token": "` + keyToken + `", "key_id": null, "expires_at": null}`},
		"both":            {content: `{"cli_token": "` + keyToken + `", "key_id": "k_1", "expires_at": "2027-01-01T00:00:00Z"}`, id: "k_1", expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		"id not a string": {content: `{"cli_token": "` + keyToken + `", "key_id": 7}`, detail: "key_id is not a key id"},
		"id with a slash": {content: `{"cli_token": "` + keyToken + `", "key_id": "a/b"}`, detail: "key_id is not a key id"},
		"bad time":        {content: `{"cli_token": "` + keyToken + `", "expires_at": "tomorrow"}`, detail: "expires_at is not an RFC 3339 time"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), credentials.FileName)
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			f, err := credentials.Load(path)
			if tt.detail != "" {
				var fe *credentials.FormatError
				require.ErrorAs(t, err, &fe)
				assert.ErrorIs(t, err, credentials.ErrCorrupt)
				assert.Equal(t, tt.detail, fe.Detail)
				assert.NotContains(t, err.Error(), keyToken)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.id, f.KeyID)
			assert.True(t, tt.expires.Equal(f.ExpiresAt))
		})
	}
}

func TestSaveFileRefusesABadKeyID(t *testing.T) {
	path := filepath.Join(t.TempDir(), credentials.FileName)
	for _, id := range []string{"a/b", "a b", "a\"b", string(make([]byte, 300))} {
		err := credentials.SaveFile(path, credentials.File{CLIToken: keyToken, KeyID: id})
		require.Error(t, err, "%q", id)
		assert.NotContains(t, err.Error(), keyToken)
		_, statErr := os.Stat(path)
		assert.ErrorIs(t, statErr, os.ErrNotExist, "nothing is written")
	}
}
