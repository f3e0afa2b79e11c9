package credentials_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// canary is a well-formed token whose middle must never show up in output.
const (
	canary         = "aph0_CANARYcanary0123456789abcdefXYZ9"
	canaryMiddle   = "CANARYcanary"
	canaryRedacted = "aph0_…XYZ9"
)

// holder is a caller's struct with a Secret in an exported field.
type holder struct {
	Name  string
	Token credentials.Secret
}

// assertNoCanary fails when out carries the canary token, its distinctive
// middle, or its hex encoding.
func assertNoCanary(t *testing.T, out string) {
	t.Helper()
	assert.NotContains(t, out, canary)
	assert.NotContains(t, out, canaryMiddle)
	assert.NotContains(t, strings.ToLower(out), hex.EncodeToString([]byte(canaryMiddle)))
}

func TestSecretFmtNeverLeaks(t *testing.T) {
	t.Parallel()
	s := credentials.Secret(canary)
	h := holder{Name: "n", Token: s}
	tests := []struct {
		name   string
		format string
		arg    any
		want   string // the exact output; "" means only check for leaks and the redacted form
	}{
		{"v", "%v", s, canaryRedacted},
		{"+v", "%+v", s, canaryRedacted},
		{"#v", "%#v", s, `credentials.Secret("aph0_…XYZ9")`},
		{"s", "%s", s, canaryRedacted},
		{"q", "%q", s, `"aph0_…XYZ9"`},
		{"x", "%x", s, ""},
		{"X", "%X", s, ""},
		{"d", "%d", s, ""},
		{"width", "%40s", s, ""},
		{"pointer v", "%v", &s, canaryRedacted},
		{"pointer s", "%s", &s, canaryRedacted},
		{"struct v", "%v", h, "{n aph0_…XYZ9}"},
		{"struct +v", "%+v", h, "{Name:n Token:aph0_…XYZ9}"},
		{"struct #v", "%#v", h, `credentials_test.holder{Name:"n", Token:credentials.Secret("aph0_…XYZ9")}`},
		{"struct s", "%s", h, ""},
		{"struct q", "%q", h, ""},
		{"struct x", "%x", h, ""},
		{"struct pointer v", "%v", &h, "&{n aph0_…XYZ9}"},
		{"struct pointer +v", "%+v", &h, "&{Name:n Token:aph0_…XYZ9}"},
		{"struct pointer #v", "%#v", &h, `&credentials_test.holder{Name:"n", Token:credentials.Secret("aph0_…XYZ9")}`},
		{"file v", "%v", credentials.File{CLIToken: s, KeyID: "k1"}, "{aph0_…XYZ9 k1 0001-01-01 00:00:00 +0000 UTC}"},
		{"file pointer +v", "%+v", &credentials.File{CLIToken: s}, "&{CLIToken:aph0_…XYZ9 KeyID: ExpiresAt:0001-01-01 00:00:00 +0000 UTC}"},
		{"slice", "%v", []credentials.Secret{s, s}, "[aph0_…XYZ9 aph0_…XYZ9]"},
		{"map value", "%v", map[string]credentials.Secret{"k": s}, "map[k:aph0_…XYZ9]"},
		{"map key", "%v", map[credentials.Secret]int{s: 1}, "map[aph0_…XYZ9:1]"},
		{"any slice", "%v", []any{s}, "[aph0_…XYZ9]"},
		{"extra arg", "no verbs", s, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := fmt.Sprintf(tt.format, tt.arg)
			assertNoCanary(t, out)
			if tt.want != "" {
				assert.Equal(t, tt.want, out)
			} else {
				assert.NotEmpty(t, out)
			}
		})
	}
}

func TestSecretPrintFamiliesNeverLeak(t *testing.T) {
	t.Parallel()
	s := credentials.Secret(canary)
	for name, out := range map[string]string{
		"Sprint":   fmt.Sprint(s),
		"Sprintln": fmt.Sprintln("token", s),
		"String":   s.String(),
		"GoString": s.GoString(),
		"Errorf":   fmt.Errorf("login with %v failed", s).Error(),
	} {
		assertNoCanary(t, out)
		assert.Contains(t, out, canaryRedacted, name)
	}
}

func TestSecretSlogNeverLeaks(t *testing.T) {
	t.Parallel()
	s := credentials.Secret(canary)
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	}
	records := map[string][]any{
		"attr value":     {"token", s},
		"slog.Any":       {slog.Any("token", s)},
		"pointer":        {"token", &s},
		"struct":         {slog.Any("holder", holder{Name: "n", Token: s})},
		"struct pointer": {slog.Any("holder", &holder{Name: "n", Token: s})},
		"file":           {slog.Any("file", credentials.File{CLIToken: s})},
		"group":          {slog.Group("auth", slog.Any("token", s))},
	}
	for hname, newHandler := range handlers {
		for rname, args := range records {
			t.Run(hname+"/"+rname, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				slog.New(newHandler(&buf)).Info("login", args...)
				out := buf.String()
				assertNoCanary(t, out)
				assert.Contains(t, out, canaryRedacted)
			})
		}
	}
	t.Run("With", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).With("token", s).Info("login")
		assertNoCanary(t, buf.String())
		assert.Contains(t, buf.String(), `"token":"aph0_…XYZ9"`)
	})
}

func TestSecretJSONNeverLeaks(t *testing.T) {
	t.Parallel()
	s := credentials.Secret(canary)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"value", s, `"aph0_…XYZ9"`},
		{"pointer", &s, `"aph0_…XYZ9"`},
		{"struct", holder{Name: "n", Token: s}, `{"Name":"n","Token":"aph0_…XYZ9"}`},
		{"struct pointer", &holder{Name: "n", Token: s}, `{"Name":"n","Token":"aph0_…XYZ9"}`},
		{"file", credentials.File{CLIToken: s}, `{"cli_token":"aph0_…XYZ9"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assertNoCanary(t, string(b))
			assert.Equal(t, tt.want, string(b))
		})
	}
	t.Run("MarshalText", func(t *testing.T) {
		t.Parallel()
		b, err := s.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, canaryRedacted, string(b))
	})
}

func TestSecretRedactedForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"empty", "", ""},
		{"one char", "a", "…"},
		{"short", "aph0_abc", "…"},
		{"eleven hidden", "aph0_0123456789aWXYZ", "…"},
		{"twelve hidden", "aph0_0123456789abWXYZ", "aph0_…WXYZ"},
		{"canary", canary, canaryRedacted},
		{"old style", "sss_0123456789abcdefWXYZ", "sss_…WXYZ"},
		{"no underscore", "abcdefghijklmnopqrstuvwxyz", "…wxyz"},
		{"underscore too late", "abcdefgh_ijklmnopqrstuvwxyz", "…wxyz"},
		{"non-ASCII tail", "aph0_0123456789abcdef\u00e9\u00e9", "…"},
		{"control in tail", "aph0_0123456789abcdefgh\nxyz", "…"},
		{"space in prefix", "a b_0123456789abcdefWXYZ", "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := credentials.Secret(tt.raw)
			assert.Equal(t, tt.want, s.String())
			assert.Equal(t, tt.want, fmt.Sprint(s))
			assert.Equal(t, tt.raw, s.Reveal())
			assert.Equal(t, tt.raw == "", s.IsZero())
			if len(tt.raw) > 8 {
				// Never more than the prefix and the last four characters.
				assert.NotContains(t, s.String(), tt.raw[len(tt.raw)-9:len(tt.raw)-4])
			}
		})
	}
}

func TestSecretReveal(t *testing.T) {
	t.Parallel()
	assert.Equal(t, canary, credentials.Secret(canary).Reveal())
	assert.Equal(t, "", credentials.Secret("").Reveal())
}

func TestSecretFingerprint(t *testing.T) {
	t.Parallel()
	a := credentials.Secret(canary)
	same := credentials.Secret(strings.Clone(canary))
	other := credentials.Secret(canary[:len(canary)-1] + "8")

	fp := a.Fingerprint()
	assert.Regexp(t, regexp.MustCompile(`^sha256:[0-9a-f]{12}$`), fp)
	assert.Equal(t, fp, a.Fingerprint(), "stable across calls")
	assert.Equal(t, fp, same.Fingerprint(), "equal for equal secrets")
	assert.NotEqual(t, fp, other.Fingerprint(), "different for different secrets")
	assertNoCanary(t, fp)
	assert.NotContains(t, fp, "XYZ9")
	assert.Equal(t, "", credentials.Secret("").Fingerprint())
	// Pin the algorithm so fingerprints logged by one version compare
	// with another's.
	assert.Equal(t, "sha256:2cf24dba5fb0", credentials.Secret("hello").Fingerprint())
}

func TestSecretUnmarshal(t *testing.T) {
	t.Parallel()
	t.Run("File", func(t *testing.T) {
		t.Parallel()
		var f credentials.File
		require.NoError(t, json.Unmarshal([]byte(`{"cli_token":"x"}`), &f))
		assert.Equal(t, "x", f.CLIToken.Reveal())
	})
	t.Run("canary", func(t *testing.T) {
		t.Parallel()
		var f credentials.File
		require.NoError(t, json.Unmarshal([]byte(`{"cli_token":"`+canary+`"}`), &f))
		assert.Equal(t, canary, f.CLIToken.Reveal())
	})
	t.Run("UnmarshalText copies", func(t *testing.T) {
		t.Parallel()
		b := []byte("aph0_original")
		var s credentials.Secret
		require.NoError(t, s.UnmarshalText(b))
		copy(b, "XXXXXXXXXXXXX")
		assert.Equal(t, "aph0_original", s.Reveal())
	})
	t.Run("not a string", func(t *testing.T) {
		t.Parallel()
		var f credentials.File
		assert.Error(t, json.Unmarshal([]byte(`{"cli_token":5}`), &f))
	})
}
