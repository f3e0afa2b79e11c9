package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	require.NoError(t, run(context.Background(), &out, false, false, "", config{name: "ci-deployer", sink: sink, lifetime: 24 * time.Hour}))
	text := out.String()
	assert.Contains(t, text, "created service account ci-deployer@")
	assert.Equal(t, 2, strings.Count(text, "verified: the new key signs in as ci-deployer@"), "both ways rotate")
	assert.Equal(t, 2, strings.Count(text, "verified: the old key"))
	assert.Contains(t, text, "keys.New(c).Rotate", "the forbidden RotateKeys says what works")
	assert.Contains(t, text, "and advises, as data: rotate-own-key")
	assert.Contains(t, text, "rotated with keys.New(c).Rotate")
	assert.Empty(t, regexp.MustCompile(`aph0_[a-z0-9]{8,}`).FindAllString(text, -1), "no raw token in the output")

	info, err := os.Stat(sink)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	f, err := credentials.Load(sink)
	require.NoError(t, err)
	assert.NoError(t, credentials.ValidateToken(f.CLIToken.Reveal()))
}

// A sink others may write could not hold the new key safely: nothing is
// rotated.
func TestRotationRefusesAnUnsafeSinkFirst(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o777))
	var out bytes.Buffer
	err := run(context.Background(), &out, false, false, "", config{name: "ci-deployer", sink: filepath.Join(dir, "ci.json"), lifetime: time.Hour})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nothing was rotated")
	assert.NotContains(t, out.String(), "created service account")
}

func TestRotationLiveNeedsYes(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), &bytes.Buffer{}, true, false, "owner", config{name: "x", sink: filepath.Join(t.TempDir(), "s.json")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-yes")
}

func TestRotationLiveNeedsSink(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), &bytes.Buffer{}, true, true, "owner", config{name: "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-sink")
}
