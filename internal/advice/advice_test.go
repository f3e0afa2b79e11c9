package advice_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/internal/advice"
)

// fieldError holds its advice in a field named Advice, as client.APIError
// does, and ends its text with the advice's sentence.
type fieldError struct {
	Advice advice.Advice
	Hint   string
}

func (e *fieldError) Error() string                   { return "GET /x: 401 Unauthorized; " + e.Hint }
func (e *fieldError) AdviceOf() (advice.Advice, bool) { return e.Advice, e.Advice.Action != "" }
func (e *fieldError) AdviceText() string              { return e.Hint }

func TestOfAndFacts(t *testing.T) {
	t.Parallel()
	renew := advice.Advice{Action: advice.RenewToken, Source: "env", Origin: "ANYSCALE_CLI_TOKEN"}
	inner := &fieldError{Advice: renew, Hint: "set ANYSCALE_CLI_TOKEN to a new key"}
	err := advice.Wrap(fmt.Errorf("keys: listing: %w", inner), advice.Advice{Action: advice.CheckFirst, Subject: "k1"}, "look with keys.Get first")

	assert.Equal(t, []advice.Advice{{Action: advice.CheckFirst, Subject: "k1"}, renew}, advice.Of(err), "outermost first")
	assert.Equal(t, "keys: listing: GET /x: 401 Unauthorized", advice.Facts(err))
	assert.True(t, advice.Is(err, advice.RenewToken))
	assert.False(t, advice.Is(err, advice.Wait))

	// Through errors.Join, and without repeats.
	joined := errors.Join(err, fmt.Errorf("again: %w", inner))
	assert.Equal(t, []advice.Advice{{Action: advice.CheckFirst, Subject: "k1"}, renew}, advice.Of(joined))
}

// A zero Advice attaches a sentence for Go programs alone: Of skips it,
// Facts leaves it out.
func TestWrapZeroAdvice(t *testing.T) {
	t.Parallel()
	err := advice.Wrap(errors.New("each attempt may take at most 30s"), advice.Advice{}, "client.WithAttemptTimeout sets the bound")
	assert.Equal(t, "each attempt may take at most 30s; client.WithAttemptTimeout sets the bound", err.Error())
	assert.Empty(t, advice.Of(err))
	assert.Equal(t, "each attempt may take at most 30s", advice.Facts(err))
	assert.NoError(t, advice.Wrap(nil, advice.Advice{Action: advice.Wait}, "wait"))
	assert.Empty(t, advice.Facts(nil))
}

// A type whose advice method is named Advice is read too.
