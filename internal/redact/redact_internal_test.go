package redact

import (
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// Each escaped form of the token, made by an encoder of its own, is
// withheld: the scrubber's decoding is checked against independent ones.
func TestScrubEscapedForms(t *testing.T) {
	t.Parallel()
	each := func(format string) string {
		var b strings.Builder
		for _, c := range []byte(fuzzToken) {
			fmt.Fprintf(&b, format, c)
		}
		return b.String()
	}
	forms := map[string]struct {
		text   string
		decode func(string) (string, error)
	}{
		"HTML decimal": {each("&#%d;"), func(s string) (string, error) { return html.UnescapeString(s), nil }},
		"HTML hex":     {each("&#x%x;"), func(s string) (string, error) { return html.UnescapeString(s), nil }},
		`\x escapes`:   {each(`\x%02x`), func(s string) (string, error) { return strconv.Unquote(`"` + s + `"`) }},
		`\u escapes`:   {each(`\u%04x`), func(s string) (string, error) { return strconv.Unquote(`"` + s + `"`) }},
		"percent":      {each("%%%02X"), url.PathUnescape},
		"escaped twice": {each(`\\u%04x`), func(s string) (string, error) {
			once, err := strconv.Unquote(`"` + s + `"`)
			if err != nil {
				return "", err
			}
			return strconv.Unquote(`"` + once + `"`)
		}},
	}
	m := New(credentials.Secret(fuzzToken))
	for name, f := range forms {
		text := "token " + f.text + " refused"
		decoded, err := f.decode(text)
		require.NoError(t, err, name)
		require.Contains(t, decoded, fuzzToken, "%s: the form holds the token", name)
		assert.Equal(t, Withheld, m.Scrub(text), name)
	}
}

// An echoed token becomes its redacted form, and the rest of the text
// stays: a text is withheld whole only when the token is escaped in it.
func TestScrubKeepsTheText(t *testing.T) {
	t.Parallel()
	secret := credentials.Secret(fuzzToken)
	m := New(secret)
	assert.Equal(t, "token "+secret.String()+" refused", m.Scrub("token "+fuzzToken+" refused"))
	assert.Equal(t, "piece […] refused", m.Scrub("piece "+fuzzToken[5:25]+" refused"))
	assert.Equal(t, "no token here", m.Scrub("no token here"))
}

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string   { return e.msg }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// An error whose text holds the token is replaced by one that does not,
// which still matches what the original matched and says it timed out;
// any other error, and a nil Scrubber, leave it as it is.
func TestErrorScrubsTheText(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("refused")
	m := New(credentials.Secret(fuzzToken))
	inner := &timeoutError{msg: "proxy echoed " + fuzzToken}
	err := m.Error(fmt.Errorf("%w: %w", sentinel, inner))
	assert.NotContains(t, err.Error(), fuzzToken)
	assert.Contains(t, err.Error(), credentials.Secret(fuzzToken).String())
	assert.ErrorIs(t, err, sentinel)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
	assert.False(t, errors.As(err, new(*timeoutError)), "it does not unwrap to the text that held the token")

	clean := errors.New("no token here")
	assert.Same(t, clean, m.Error(clean))
	var none *Scrubber
	assert.Same(t, inner, none.Error(inner).(*timeoutError))
	assert.Equal(t, "x "+fuzzToken, none.Scrub("x "+fuzzToken))
	assert.Same(t, m, m.And(nil))
	assert.Same(t, m, none.And(m))
}
