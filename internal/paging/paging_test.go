package paging_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/paging"
)

func TestCount(t *testing.T) {
	t.Parallel()
	for in, want := range map[int]int{0: 50, 1: 1, 50: 50} {
		got, err := paging.Count(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, in := range []int{-1, 51, 1000} {
		_, err := paging.Count(in)
		assert.ErrorIs(t, err, client.ErrInvalid)
	}
}
