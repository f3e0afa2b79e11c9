package ascii

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEqualFold(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{a: "console.anyscale.com", b: "console.anyscale.com", want: true},
		{a: "CONSOLE.Anyscale.com", b: "console.anyscale.com", want: true},
		{a: "con\u017Fole.anyscale.com", b: "console.anyscale.com"},
		{a: "\u212Aey.example", b: "key.example"},
		{a: "console.anyscale.co", b: "console.anyscale.com"},
		{a: "", b: "", want: true},
	} {
		assert.Equal(t, tt.want, EqualFold(tt.a, tt.b), "%+q %+q", tt.a, tt.b)
		assert.Equal(t, tt.want, EqualFold(tt.b, tt.a), "symmetric: %+q %+q", tt.b, tt.a)
		if tt.want != strings.EqualFold(tt.a, tt.b) {
			assert.False(t, tt.want, "only Unicode folding may say equal where ASCII folding does not")
		}
	}
}

func TestLower(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                 "",
		"kate":             "kate",
		"KaTe@EXAMPLE.com": "kate@example.com",
		"\u212AATE":        "\u212Aate",
		"\u00C9LODIE":      "\u00C9lodie",
		"K\xffA":           "k\xffa",
	} {
		assert.Equal(t, want, Lower(in), "%+q", in)
	}
}
