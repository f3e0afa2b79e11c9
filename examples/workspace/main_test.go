package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkspaceSimulation(t *testing.T) {
	t.Setenv("ANYSCALE_CLI_TOKEN", "aph0_realtokenfromtheshell0123456789abcd") // must be ignored
	t.Setenv("ANYSCALE_HOST", "https://real.anyscale.example")                 // must be ignored
	var out bytes.Buffer
	require.NoError(t, simulate(context.Background(), &out))
	text := out.String()
	assert.Regexp(t, `workspace\s+used`, text)
	assert.Contains(t, text, "Signed in as notebook-user@example.com")
	assert.Contains(t, text, "ignoring ANYSCALE_CLI_TOKEN")
	assert.Contains(t, text, "ignoring ANYSCALE_HOST")
	assert.Regexp(t, `host: http://127\.0\.0\.1:\d+ \(from .*workspace injected environment\)`, text, "the client talks to the host the workspace injected")
	assert.Empty(t, regexp.MustCompile(`aph0_[a-z0-9]{8,}`).FindAllString(text, -1), "no raw token in the output")
}
