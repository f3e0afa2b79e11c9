package ctxguard_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

func TestCheck(t *testing.T) {
	assert.NoError(t, ctxguard.Check(context.Background(), "keys.Service.List"))
	var nilCtx context.Context
	err := ctxguard.Check(nilCtx, "keys.Service.List")
	assert.ErrorIs(t, err, ctxguard.ErrNil)
	assert.EqualError(t, err, "keys.Service.List: nil Context")
}

func TestSeq(t *testing.T) {
	n := 0
	for v, err := range ctxguard.Seq[int](ctxguard.ErrNil) {
		n++
		assert.Zero(t, v)
		assert.ErrorIs(t, err, ctxguard.ErrNil)
	}
	assert.Equal(t, 1, n, "the error, once")
}
