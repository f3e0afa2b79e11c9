package email_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/internal/email"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "lower stays", in: "kate@example.com", want: "kate@example.com"},
		{name: "ASCII upper folds", in: "Kate@EXAMPLE.Com", want: "kate@example.com"},
		{name: "white space trimmed", in: " \tKate@example.com\n", want: "kate@example.com"},
		{name: "empty", in: "", want: ""},
		{name: "only space", in: "  ", want: ""},
		{name: "kelvin sign kept", in: "\u212Aate@example.com", want: "\u212Aate@example.com"},
		{name: "kelvin sign kept, ASCII around it folds", in: "\u212AATE@Example.com", want: "\u212Aate@example.com"},
		{name: "dotted capital I kept", in: "\u0130DA@example.com", want: "\u0130da@example.com"},
		{name: "dotless i kept", in: "k\u0131m@example.com", want: "k\u0131m@example.com"},
		{name: "long s kept", in: "\u017Fam@example.com", want: "\u017Fam@example.com"},
		{name: "fullwidth letters kept", in: "\uFF2B\uFF41te@example.com", want: "\uFF2B\uFF41te@example.com"},
		{name: "non-ASCII upper kept", in: "\u00C9LODIE@example.com", want: "\u00C9lodie@example.com"},
		{name: "zero width space kept", in: "kate\u200B@example.com", want: "kate\u200B@example.com"},
		{name: "invalid UTF-8 kept", in: "K\xffate@example.com", want: "k\xffate@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, email.Normalize(tt.in))
		})
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{name: "same", a: "kate@example.com", b: "kate@example.com", want: true},
		{name: "ASCII case", a: "KATE@Example.COM", b: "kate@example.com", want: true},
		{name: "ASCII case on both sides", a: "Kate@example.com", b: "kATE@example.com", want: true},
		{name: "surrounding space", a: "  kate@example.com\t", b: "kate@example.com", want: true},
		{name: "kelvin sign", a: "\u212Aate@example.com", b: "kate@example.com"},
		{name: "kelvin sign against upper K", a: "\u212Aate@example.com", b: "Kate@example.com"},
		{name: "dotted capital I", a: "\u0130da@example.com", b: "ida@example.com"},
		{name: "dotted capital I against I", a: "\u0130da@example.com", b: "Ida@example.com"},
		{name: "dotless i", a: "k\u0131m@example.com", b: "kim@example.com"},
		{name: "dotless i against I", a: "k\u0131m@example.com", b: "kIm@example.com"},
		{name: "long s", a: "\u017Fam@example.com", b: "sam@example.com"},
		{name: "long s against S", a: "\u017Fam@example.com", b: "Sam@example.com"},
		{name: "fullwidth letters", a: "\uFF2B\uFF41te@example.com", b: "kate@example.com"},
		{name: "fullwidth lower", a: "\uFF4Bate@example.com", b: "kate@example.com"},
		{name: "non-ASCII case", a: "\u00C9lodie@example.com", b: "\u00E9lodie@example.com"},
		{name: "zero width space", a: "kate\u200B@example.com", b: "kate@example.com"},
		{name: "inner space", a: "ka te@example.com", b: "kate@example.com"},
		{name: "prefix", a: "ate@example.com", b: "kate@example.com"},
		{name: "both empty", a: "", b: " ", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, email.Equal(tt.a, tt.b))
			assert.Equal(t, tt.want, email.Equal(tt.b, tt.a), "symmetric")
		})
	}
}

// TestEqualIsNotUnicodeFolding pins the cases where Unicode folding, which
// the comparison must not use, would say equal.
func TestEqualIsNotUnicodeFolding(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{
		{"\u212Aate@example.com", "kate@example.com"},
		{"\u017Fam@example.com", "sam@example.com"},
	} {
		assert.True(t, strings.EqualFold(pair[0], pair[1]), "Unicode folding matches %q", pair[0])
		assert.False(t, email.Equal(pair[0], pair[1]), "the server's rule does not match %q", pair[0])
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "ASCII", in: "Kate@example.com", want: ""},
		{name: "kelvin sign", in: "\u212Aate@example.com", want: "U+212A '\u212A'"},
		{name: "first of several", in: "k\u0131m\u017F@example.com", want: "U+0131 '\u0131'"},
		{name: "fullwidth", in: "\uFF2Bate@example.com", want: "U+FF2B '\uFF2B'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := email.Hint(tt.in)
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.want)
			assert.Contains(t, got, "ASCII letters A-Z")
		})
	}
}

func TestIsServiceAccount(t *testing.T) {
	t.Parallel()
	for address, want := range map[string]bool{
		"ci@org-abc123.serviceaccount.com":   true,
		"CI@ORG-abc.ServiceAccount.com":      true,
		"ci@abc.serviceaccount.com":          false,
		"ci@org-abc.serviceaccount.com.evil": false,
		"kate@example.com":                   false,
		"org-abc.serviceaccount.com":         false,
		"":                                   false,
	} {
		assert.Equal(t, want, email.IsServiceAccount(address), address)
	}
}
