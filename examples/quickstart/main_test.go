package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawToken matches an unredacted token as the fake API issues them.
var rawToken = regexp.MustCompile(`aph0_[a-z0-9]{8,}`)

func TestQuickstartEmbedded(t *testing.T) {
	t.Setenv("ANYSCALE_CLI_TOKEN", "aph0_realtokenfromtheshell0123456789abcd") // must be ignored
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, options{}))
	text := out.String()
	for _, want := range []string{
		"no Anyscale credentials found",
		"approved; a 7-day key",
		"result: the token from file",
		"owner@example.com",
		"is a conflict: true",
		"refused before any request: true",
		"gets forbidden: true",
		"ada@example.com: laptop",
		"revoked 6, not revoked 1",
		"looking it up again finds nothing: true",
		"legacy-no-expiry",
		"Done.",
	} {
		assert.Contains(t, text, want)
	}
	assert.Empty(t, rawToken.FindAllString(text, -1), "no raw token in the output")
}
