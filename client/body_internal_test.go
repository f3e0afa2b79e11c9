package client

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadBody(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 200<<10)
	for _, tc := range []struct {
		name    string
		body    string
		length  int64
		wantErr error
	}{
		{"small, whole", "hello", 5, nil},
		{"small, cut", "hel", 5, io.ErrUnexpectedEOF},
		{"large, whole", big, int64(len(big)), nil},
		{"large, cut", big[:100<<10], int64(len(big)), io.ErrUnexpectedEOF},
		{"unannounced", big, -1, nil},
		{"announced over the bound", "", MaxResponseBytes + 1, errBodyTooLarge},
		{"unannounced over the bound", strings.Repeat("y", MaxResponseBytes+1), -1, errBodyTooLarge},
	} {
		got, err := readBody(strings.NewReader(tc.body), tc.length)
		if tc.wantErr != nil {
			require.Error(t, err, tc.name)
			assert.True(t, errors.Is(err, tc.wantErr), "%s: %v", tc.name, err)
			continue
		}
		require.NoError(t, err, tc.name)
		assert.True(t, bytes.Equal([]byte(tc.body), got), tc.name)
	}
}
