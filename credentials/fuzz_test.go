package credentials_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

// The fuzz tests below run their seeds (f.Add and testdata/fuzz) as part
// of go test; go test -fuzz explores further, one fuzz test at a time:
//
//	go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 60s -fuzzminimizetime 10s ./credentials/
//
// Each checks its function against a property stated independently of the
// code under test. An input that fails is written to testdata/fuzz: commit
// it, and it stays a regression test.

// fuzzCanary is written into every credentials file FuzzLoad reads, so an
// echo of the content in an error shows.
const fuzzCanary = "aph0_FUZZcanary0123456789wxyz"

// loadMessage is every message a *FormatError from Load can have, the
// path aside: a closed set, so no error can carry the file's content.
var loadMessage = regexp.MustCompile(`^credentials: (.+): credentials file (?:is not valid JSON|has no cli_token) \((?:` +
	`syntax error at byte \d+|unexpected end of input|the top level is not a JSON object|` +
	`cli_token is not a string|the key is missing|cli_token is empty|larger than \d+ bytes` +
	`)\); run ` + "`anyscale login`" + ` to write it again, or delete it$`)

// maxFuzzText bounds the free-form part of FuzzLoad's input. Each run
// writes a file, and go test -fuzz minimizes an input in time quadratic
// in its length: a long one would hold a worker for minutes. The padding
// argument reaches files of any size up to 64 KiB, and so Load's bound,
// at no such cost.
const maxFuzzText = 1 << 10

// FuzzLoad writes prefix, fuzzCanary, suffix and pad spaces to a
// credentials file and loads it. Load must agree with encoding/json
// decoding the file into a generic value: the token is cli_token when
// that is a non-empty string of a JSON object; otherwise the error is a
// *FormatError, ErrNoToken for a missing, null or empty cli_token, else
// ErrCorrupt, and a file over Load's bound is ErrCorrupt whatever it
// holds. The error's message is one of a closed set, so it holds nothing
// of the content.
func FuzzLoad(f *testing.F) {
	for _, seed := range []struct {
		prefix, suffix string
		pad            uint16
	}{
		{`{"cli_token": "`, `"}`, 0},
		{`{"cli_token":"`, `"}` + "\n", 0},
		{`{"other": "`, `"}`, 0},
		{`{"cli_token": 5, "x": "`, `"}`, 0},
		{`{"cli_token": "", "x": "`, `"}`, 0},
		{`{"cli_token": null, "x": "`, `"}`, 0},
		{`["`, `"]`, 0},
		{`"`, `"`, 0},
		{`{"cli_token": "`, ``, 0},
		{`{'cli_token': '`, `'}`, 0},
		{`{"cli_token": "aph0_x"} `, ``, 0},
		{`{"cli_token": "\u00`, `"}`, 0},
		{`{"cli_token": "aph0_\ud800`, `"}`, 0},
		{"\xef\xbb\xbf{\"cli_token\": \"", `"}`, 0},
		{`{"a":{"b":[1,2,{"c":"`, `"}]}, "cli_token": "aph0_last"}`, 0},
		{`{"cli_token": "aph0_first", "cli_token": "`, `"}`, 0},
		{`{"CLI_TOKEN": "`, `"}`, 0},
		{``, ``, 0},
		// Around Load's bound: white space after the object, and inside
		// the token when its string is left open.
		{`{"cli_token": "`, `"}`, uint16(credentials.MaxFileSize - len(`{"cli_token": "`+fuzzCanary+`"}`))},
		{`{"cli_token": "`, `"}`, uint16(credentials.MaxFileSize - len(`{"cli_token": "`+fuzzCanary+`"}`) + 1)},
		{`{"cli_token": "`, ``, uint16(credentials.MaxFileSize - len(`{"cli_token": "`+fuzzCanary+`"}`))},
	} {
		f.Add([]byte(seed.prefix), []byte(seed.suffix), seed.pad)
	}
	// One file, rewritten by each run: a fuzzing process runs one input
	// at a time.
	path := filepath.Join(f.TempDir(), credentials.FileName)
	f.Fuzz(func(t *testing.T, prefix, suffix []byte, pad uint16) {
		if len(prefix)+len(suffix) > maxFuzzText {
			t.Skip("too long to minimize; pad reaches large files")
		}
		var content []byte
		content = append(content, prefix...)
		content = append(content, fuzzCanary...)
		content = append(content, suffix...)
		content = append(content, bytes.Repeat([]byte{' '}, int(pad))...)
		require.NoError(t, os.WriteFile(path, content, 0o600))

		got, err := credentials.Load(path)

		want, wantErr := referenceLoad(content)
		if err == nil {
			require.NotNil(t, got)
			require.NoError(t, wantErr, "Load took a file that encoding/json does not")
			assert.Equal(t, want, got.CLIToken.Reveal())
			assert.LessOrEqual(t, len(content), credentials.MaxFileSize)
			return
		}
		assert.Nil(t, got)
		var fe *credentials.FormatError
		require.True(t, errors.As(err, &fe), "want *FormatError, got %T: %v", err, err)
		assert.Equal(t, path, fe.Path)
		msg := err.Error()
		m := loadMessage.FindStringSubmatch(msg)
		require.NotNil(t, m, "a message outside the closed set: %q", msg)
		assert.Equal(t, path, m[1])
		assert.NotContains(t, msg, "FUZZcanary")
		if len(content) > credentials.MaxFileSize {
			assert.ErrorIs(t, err, credentials.ErrCorrupt)
			assert.Contains(t, msg, fmt.Sprintf("larger than %d bytes", credentials.MaxFileSize))
			return
		}
		require.Error(t, wantErr, "Load refused a file that encoding/json takes: %v", err)
		assert.ErrorIs(t, err, wantErr)
	})
}

// referenceLoad is what a credentials file means by encoding/json alone:
// the cli_token string of a JSON object, or the sentinel error Load should
// match.
func referenceLoad(content []byte) (string, error) {
	var v any
	if err := json.Unmarshal(content, &v); err != nil {
		return "", credentials.ErrCorrupt
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", credentials.ErrCorrupt
	}
	switch tok := obj["cli_token"].(type) {
	case nil:
		return "", credentials.ErrNoToken
	case string:
		if tok == "" {
			return "", credentials.ErrNoToken
		}
		return tok, nil
	default:
		return "", credentials.ErrCorrupt
	}
}

// tokenMessage is every message ValidateToken can give: a closed set, so
// no error can echo the token. The groups capture the byte positions.
var tokenMessage = regexp.MustCompile(`^invalid Anyscale token: (?:` +
	`the token is empty|` +
	`the token is (\d+) bytes long, more than the 4096 bytes a token may have; an API key is far shorter: check that only the key was copied|` +
	`the token is not valid UTF-8|` +
	`the token has white space at byte (\d+) of (\d+); copy it again without spaces or line breaks|` +
	`the token has a control character at byte (\d+) of (\d+); copy it again|` +
	`the token has an invisible character at byte (\d+) of (\d+); copy it again|` +
	`the token contains "…": this is a redacted token as logs print it, not the key; use the full key|` +
	`the token has a non-ASCII character at byte (\d+) of (\d+); an API key is plain ASCII, copy it again|` +
	`an Anyscale API key starts with "a" and contains "_" \(or starts with "sss_"\); check that the whole key was copied` +
	`)$`)

// FuzzValidateToken checks ValidateToken against the rule it states: a
// token passes exactly when it is 1 to MaxTokenLength bytes of printable
// ASCII other than the space, and starts with "sss_", or with "a" and
// contains "_". An error matches ErrInvalidToken and is one of a closed
// set of messages, whose byte positions fall inside the token. The token
// is head followed by pad copies of fill, so that tokens around
// MaxTokenLength come from short inputs (see maxFuzzText).
func FuzzValidateToken(f *testing.F) {
	for _, seed := range []struct {
		head string
		fill byte
		pad  uint16
	}{
		{"aph0_CANARYcanary0123456789abcdefXYZ9", 0, 0},
		{"sss_CANARYcanary0123456789", 0, 0},
		{"sss_", 0, 0},
		{"a_", 0, 0},
		{"aph0_…XYZ9", 0, 0},
		{"aph0_CANARY canary", 0, 0},
		{"aph0_CANARY\ncanary", 0, 0},
		{"aph0_CANARY\x00canary", 0, 0},
		{"aph0_CANARY\x7fcanary", 0, 0},
		{"aph0_CANARY\u00a0canary", 0, 0},
		{"aph0_CANARY\u0085canary", 0, 0},
		{"aph0_CANARY\u200bcanary", 0, 0},
		{"aph0_CANARY\xffcanary", 0, 0},
		{"aph0_CANARYé", 0, 0},
		{"bph0_CANARY", 0, 0},
		{"aCANARY", 0, 0},
		{"Aph0_CANARY", 0, 0},
		{"", 0, 0},
		{"a_", '<', credentials.MaxTokenLength - 2},
		{"a_", '<', credentials.MaxTokenLength - 1},
		{"a", '_', credentials.MaxTokenLength},
		{"a_", ' ', credentials.MaxTokenLength},
	} {
		f.Add(seed.head, seed.fill, seed.pad)
	}
	f.Fuzz(func(t *testing.T, head string, fill byte, pad uint16) {
		if len(head) > maxFuzzText {
			t.Skip("too long to minimize; pad reaches long tokens")
		}
		token := head + strings.Repeat(string([]byte{fill}), int(pad))

		err := credentials.ValidateToken(token)

		want := len(token) >= 1 && len(token) <= credentials.MaxTokenLength &&
			printableNoSpace(token) &&
			(strings.HasPrefix(token, "sss_") || (strings.HasPrefix(token, "a") && strings.Contains(token, "_")))
		if want {
			assert.NoError(t, err)
			return
		}
		require.Error(t, err)
		assert.ErrorIs(t, err, credentials.ErrInvalidToken)
		m := tokenMessage.FindStringSubmatch(err.Error())
		require.NotNil(t, m, "a message outside the closed set: %q", err.Error())
		if m[1] != "" {
			assert.Equal(t, strconv.Itoa(len(token)), m[1])
		}
		for i := 2; i+1 < len(m); i += 2 {
			if m[i] == "" {
				continue
			}
			at, _ := strconv.Atoi(m[i])
			assert.Less(t, at, len(token), "the position is inside the token")
			assert.Equal(t, strconv.Itoa(len(token)), m[i+1], "the length is the token's")
		}
	})
}

// printableNoSpace reports whether s is all printable ASCII other than the
// space: bytes 0x21 to 0x7e.
func printableNoSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// FuzzSecretRedaction checks every way a Secret prints. The redacted form
// is empty only for the empty Secret; otherwise it is "…" alone, or the
// Secret's prefix through its first '_' (at most 8 bytes), "…", and its
// last four bytes, with at least 12 bytes hidden between them, the shown
// bytes all printable ASCII. So it never holds control bytes, never more
// than the prefix and the last four characters, and never the raw value
// itself, unless the raw value is a piece of "…". Every printing path
// (fmt verbs, GoString, MarshalJSON, MarshalText, LogValue, slog handlers)
// shows exactly that form; Reveal alone gives the raw value.
func FuzzSecretRedaction(f *testing.F) {
	for _, seed := range []string{
		"",
		"a",
		"…",
		"\xe2",
		"aph0_abc",
		"aph0_0123456789aWXYZ",
		"aph0_0123456789abWXYZ",
		"aph0_CANARYcanary0123456789abcdefXYZ9",
		"sss_0123456789abcdefWXYZ",
		"abcdefghijklmnopqrstuvwxyz",
		"abcdefgh_ijklmnopqrstuvwxyz",
		"aph0_0123456789abcdef\u00e9\u00e9",
		"aph0_0123456789abcdefgh\nxyz",
		"a b_0123456789abcdefWXYZ",
		"a\x00_0123456789abcdefWXY\x00",
		"aph0_0123456789abcdefW\u2026",
		"\"<&>\\_0123456789abcdef\"<&>",
		"aph0_0123456789abcdef\x1b[0m",
		"aph0_0123456789abcdef\u0085xyz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := credentials.Secret(raw)
		r := s.String()

		// The redacted form.
		assert.Equal(t, raw == "", r == "", "empty only for the empty Secret: %q", r)
		assertShowable(t, r)
		if r != "" && r != "…" {
			head, tail, ok := strings.Cut(r, "…")
			require.True(t, ok, "%q has no ellipsis", r)
			assert.Len(t, tail, 4)
			assert.True(t, strings.HasSuffix(raw, tail), "the tail is the raw value's last four bytes")
			assert.True(t, strings.HasPrefix(raw, head), "the head is the raw value's prefix")
			if head != "" {
				assert.LessOrEqual(t, len(head), 8)
				assert.Equal(t, len(head)-1, strings.IndexByte(raw, '_'), "the head runs through the first '_'")
			}
			assert.GreaterOrEqual(t, len(raw)-len(head)-len(tail), 12, "at least 12 bytes hidden")
		}
		if raw != "" && !strings.Contains("…", raw) {
			assert.NotContains(t, r, raw)
		}

		// Every printing path shows that form.
		for _, verb := range []string{"%v", "%+v", "%s", "%d", "%x", "%X", "%10s", "%-12v", "%.3s"} {
			assert.Equal(t, r, fmt.Sprintf(verb, s), verb)
			assert.Equal(t, r, fmt.Sprintf(verb, &s), "pointer "+verb)
		}
		assert.Equal(t, strconv.Quote(r), fmt.Sprintf("%q", s))
		goString := "credentials.Secret(" + strconv.Quote(r) + ")"
		assert.Equal(t, goString, s.GoString())
		assert.Equal(t, goString, fmt.Sprintf("%#v", s))
		assert.Equal(t, "{n "+r+"}", fmt.Sprintf("%v", holder{Name: "n", Token: s}))

		b, err := s.MarshalJSON()
		require.NoError(t, err)
		assertJSONString(t, r, b)
		b, err = json.Marshal(credentials.File{CLIToken: s})
		require.NoError(t, err)
		var file map[string]string
		require.NoError(t, json.Unmarshal(b, &file))
		assert.Equal(t, map[string]string{"cli_token": r}, file)
		b, err = s.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, r, string(b))

		lv := s.LogValue()
		assert.Equal(t, slog.KindString, lv.Kind())
		assert.Equal(t, r, lv.String())
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "token", s)
		var rec map[string]any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &rec))
		assert.Equal(t, r, rec["token"])
		buf.Reset()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "token", s)
		_, value, ok := strings.Cut(strings.TrimSuffix(buf.String(), "\n"), " token=")
		require.True(t, ok, buf.String())
		if value != r {
			assert.Equal(t, strconv.Quote(r), value, "the text handler shows r, quoted if need be")
		}

		assert.Equal(t, raw, s.Reveal())
		if raw == "" {
			assert.Empty(t, s.Fingerprint())
		} else {
			assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, s.Fingerprint())
		}
	})
}

// assertShowable fails unless s is valid UTF-8 made only of printable
// ASCII other than the space, and "…".
func assertShowable(t *testing.T, s string) {
	t.Helper()
	require.True(t, utf8.ValidString(s), "%q is not valid UTF-8", s)
	for _, c := range s {
		if c != '…' && (c < 0x21 || c > 0x7e) {
			t.Fatalf("%q holds %U", s, c)
		}
	}
}

// assertJSONString fails unless b is a JSON string holding want, with no
// control byte in its encoding.
func assertJSONString(t *testing.T, want string, b []byte) {
	t.Helper()
	for _, c := range b {
		require.False(t, c < 0x20 || c == 0x7f, "control byte %#x in %q", c, b)
	}
	var got string
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, want, got)
}
