package client

import (
	"fmt"
	"html"
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
	m := newScrubber(credentials.Secret(fuzzToken))
	for name, f := range forms {
		text := "token " + f.text + " refused"
		decoded, err := f.decode(text)
		require.NoError(t, err, name)
		require.Contains(t, decoded, fuzzToken, "%s: the form holds the token", name)
		assert.Equal(t, withheld, m.scrub(text), name)
	}
}

// An echoed token becomes its redacted form, and the rest of the text
// stays: a text is withheld whole only when the token is escaped in it.
func TestScrubKeepsTheText(t *testing.T) {
	t.Parallel()
	secret := credentials.Secret(fuzzToken)
	m := newScrubber(secret)
	assert.Equal(t, "token "+secret.String()+" refused", m.scrub("token "+fuzzToken+" refused"))
	assert.Equal(t, "piece […] refused", m.scrub("piece "+fuzzToken[5:25]+" refused"))
	assert.Equal(t, "no token here", m.scrub("no token here"))
}
