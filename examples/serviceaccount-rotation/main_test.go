package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

func TestRotationEmbedded(t *testing.T) {
	t.Parallel()
	sink := filepath.Join(t.TempDir(), "secrets", "ci.json")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, false, false, config{name: "ci-deployer", sink: sink, lifetime: 24 * time.Hour}))
	text := out.String()
	assert.Contains(t, text, "created service account ci-deployer@")
	assert.Contains(t, text, "verified: the new key signs in as ci-deployer@")
	assert.Contains(t, text, "verified: the old key")
	assert.Empty(t, regexp.MustCompile(`aph0_[a-z0-9]{8,}`).FindAllString(text, -1), "no raw token in the output")

	info, err := os.Stat(sink)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	f, err := credentials.Load(sink)
	require.NoError(t, err)
	assert.NoError(t, credentials.ValidateToken(f.CLIToken.Reveal()))
}

func TestRotationLiveNeedsYes(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), &bytes.Buffer{}, true, false, config{name: "x", sink: filepath.Join(t.TempDir(), "s.json")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-yes")
}

func TestRotationLiveNeedsSink(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), &bytes.Buffer{}, true, true, config{name: "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-sink")
}
