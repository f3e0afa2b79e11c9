package callopt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/internal/callopt"
)

func TestWithoutAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	assert.True(t, callopt.Authenticated(ctx))
	assert.False(t, callopt.Authenticated(callopt.WithoutAuth(ctx)))
}

func TestWithPathLabel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	assert.Empty(t, callopt.PathLabel(ctx))
	assert.Equal(t, "/login/{otp}", callopt.PathLabel(callopt.WithPathLabel(ctx, "/login/{otp}")))
}

// Nested hooks all run, the outer one first; a context without any runs
// nothing.
func TestOnThrottleRunsEveryHook(t *testing.T) {
	t.Parallel()
	var order []string
	callopt.Throttled(context.Background())
	ctx := callopt.OnThrottle(context.Background(), func() { order = append(order, "outer") })
	ctx = callopt.OnThrottle(ctx, func() { order = append(order, "inner") })
	callopt.Throttled(ctx)
	assert.Equal(t, []string{"outer", "inner"}, order)
}
