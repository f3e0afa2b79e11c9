package advice_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/internal/advice"
)

var errBase = errors.New("POST /api/v2/users/create_api_key: 500 Internal Server Error")

func TestWrapKeepsTheChainAndEndsWithTheSentence(t *testing.T) {
	a := advice.Advice{Action: advice.CheckFirst, Subject: "ci@org"}
	err := advice.Wrap(fmt.Errorf("serviceaccounts: creating %q: %w", "ci", errBase), a, "check with Get(ctx, ByName(\"ci\"))")
	err = fmt.Errorf("outer: %w", err)

	require.ErrorIs(t, err, errBase)
	assert.Equal(t, `outer: serviceaccounts: creating "ci": POST /api/v2/users/create_api_key: 500 Internal Server Error; check with Get(ctx, ByName("ci"))`, err.Error())
	assert.Equal(t, []advice.Advice{a}, advice.Of(err))
	assert.Equal(t, `outer: serviceaccounts: creating "ci": POST /api/v2/users/create_api_key: 500 Internal Server Error`, advice.Facts(err))
	assert.True(t, advice.Is(err, advice.CheckFirst))
	assert.False(t, advice.Is(err, advice.Wait))
}

func TestWrapNil(t *testing.T) {
	assert.NoError(t, advice.Wrap(nil, advice.Advice{Action: advice.Wait}, "wait"))
	assert.Empty(t, advice.Of(nil))
	assert.Empty(t, advice.Facts(nil))
}

func TestOfListsOutermostFirstWithoutRepeats(t *testing.T) {
	inner := advice.Advice{Action: advice.RenewToken, Source: "env", Origin: "ANYSCALE_CLI_TOKEN"}
	outer := advice.Advice{Action: advice.NeedOwner}
	err := advice.Wrap(advice.Wrap(errBase, inner, "renew it"), outer, "ask an owner")
	joined := errors.Join(err, advice.Wrap(errors.New("other"), inner, "renew it"))

	assert.Equal(t, []advice.Advice{outer, inner}, advice.Of(joined))
	assert.Equal(t, errBase.Error()+"\nother", advice.Facts(joined))
}

// texter is an error type whose text ends with advice of its own, on a
// line of its own, as auth.ChainError's does.
type texter struct{}

func (texter) Error() string {
	return "no token found; tried:\n  env  not set\nTo configure one, log in."
}
func (texter) AdviceText() string { return "To configure one, log in." }
func (texter) AdviceOf() (advice.Advice, bool) {
	return advice.Advice{Action: advice.ConfigureToken}, true
}

func TestTextersAndAdvisers(t *testing.T) {
	err := fmt.Errorf("GET /api/v2/userinfo/: %w", texter{})
	assert.Equal(t, "GET /api/v2/userinfo/: no token found; tried:\n  env  not set", advice.Facts(err))
	assert.Equal(t, []advice.Advice{{Action: advice.ConfigureToken}}, advice.Of(err))
}

func TestAnErrorWithoutAdvice(t *testing.T) {
	err := fmt.Errorf("listing: %w", errBase)
	assert.Empty(t, advice.Of(err))
	assert.Equal(t, err.Error(), advice.Facts(err))
	// An advice with no action is no advice.
	assert.Empty(t, advice.Of(advice.Wrap(errBase, advice.Advice{}, "")))
	assert.Equal(t, errBase.Error(), advice.Wrap(errBase, advice.Advice{}, "").Error())
}
