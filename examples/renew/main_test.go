package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenewExample(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	text := out.String()
	counts := regexp.MustCompile(`(\d+) key\(s\) of the lineage active`).FindAllStringSubmatch(text, -1)
	var got []string
	for _, m := range counts {
		got = append(got, m[1])
	}
	assert.Equal(t, []string{"1", "2", "3", "2", "1"}, got, "the lineage grows under faults and converges to one")
	assert.Equal(t, 5, strings.Count(text, "invariant: the store holds key"), "every step keeps a working key in the store")
	assert.Contains(t, text, "revoked 2 older")
	assert.Empty(t, regexp.MustCompile(`aph0_[A-Za-z0-9]{8,}`).FindAllString(text, -1), "no secret in the output")
}
