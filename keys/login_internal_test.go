package keys

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoginOptionsDefaultsFollowTheCLI(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	o, err := LoginOptions{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, o.PollInterval)
	assert.Equal(t, 60, o.MaxPolls)
	assert.Equal(t, 7*24*time.Hour, o.ExpiresIn)
	assert.Equal(t, filepath.Join(home, ".anyscale", "credentials.json"), o.CredentialsPath)
	assert.NotNil(t, o.OpenURL)
}
