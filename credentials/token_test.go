package credentials_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/credentials"
)

func TestValidateTokenAccepts(t *testing.T) {
	t.Parallel()
	for _, token := range []string{
		canary,
		"sss_CANARYcanary0123456789",
		"sss_",
		"aph0_x",
		"a_",
		"aXXX_CANARYcanary",
		"abc_def_ghi",
		"a-b.c~d_e+f/g=",
	} {
		t.Run(token, func(t *testing.T) {
			t.Parallel()
			assert.NoError(t, credentials.ValidateToken(token))
		})
	}
}

func TestValidateTokenRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		// wantMsg is a part of the error text that says what is wrong.
		wantMsg string
	}{
		{"empty", "", "empty"},
		{"missing underscore", "aCANARYcanary0123456789", `contains "_"`},
		{"not starting with a", "bph0_CANARYcanary0123456789", `starts with "a"`},
		{"upper-case A", "Aph0_CANARYcanary0123456789", `starts with "a"`},
		{"sss without underscore", "sssCANARYcanary0123456789", `starts with "a"`},
		{"underscore only", "_CANARYcanary0123456789", `starts with "a"`},
		{"leading space", " aph0_CANARYcanary0123456789", "white space at byte 0"},
		{"trailing space", "aph0_CANARYcanary0123456789 ", "white space at byte 27"},
		{"inner space", "aph0_CANARY canary0123456789", "white space at byte 11"},
		{"leading tab", "\taph0_CANARYcanary0123456789", "white space"},
		{"trailing newline", "aph0_CANARYcanary0123456789\n", "white space"},
		{"trailing CRLF", "aph0_CANARYcanary0123456789\r\n", "white space"},
		{"inner newline", "aph0_CANARY\ncanary0123456789", "white space"},
		{"no-break space", "aph0_CANARYcanary0123456789\u00a0", "white space"},
		{"NUL", "aph0_CANARYcanary0123456789\x00", "control character at byte 27"},
		{"DEL", "aph0_CANARY\x7fcanary0123456789", "control character at byte 11"},
		{"escape", "aph0_CANARY\x1bcanary0123456789", "control character"},
		{"C1 control", "aph0_CANARY\u0085canary0123456789", "white space"},
		{"invalid UTF-8", "aph0_CANARY\xffcanary0123456789", "UTF-8"},
		{"truncated UTF-8", "aph0_CANARYcanary0123456789\xe2\x80", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := credentials.ValidateToken(tt.token)
			if !assert.Error(t, err) {
				return
			}
			assert.True(t, errors.Is(err, credentials.ErrInvalidToken), "errors.Is(%v, ErrInvalidToken)", err)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), "CANARY")
			assert.NotContains(t, err.Error(), "canary")
			if tt.token != "" {
				assert.NotContains(t, err.Error(), tt.token)
			}
		})
	}
}

func TestValidateTokenLength(t *testing.T) {
	t.Parallel()
	// Each token is a well-formed key but for its length; the middle
	// carries the canary, so an echo of it shows.
	token := func(n int) string {
		return "aph0_CANARY" + strings.Repeat("x", n-len("aph0_CANARY"))
	}
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"short", 40, true},
		{"one under the bound", credentials.MaxTokenLength - 1, true},
		{"at the bound", credentials.MaxTokenLength, true},
		{"one over the bound", credentials.MaxTokenLength + 1, false},
		{"far over the bound", 100 * credentials.MaxTokenLength, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := token(tt.n)
			require.Len(t, tok, tt.n)
			err := credentials.ValidateToken(tok)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, credentials.ErrInvalidToken)
			assert.Contains(t, err.Error(), fmt.Sprintf("the token is %d bytes long, more than the %d bytes", tt.n, credentials.MaxTokenLength))
			assert.Contains(t, err.Error(), "check that only the key was copied")
			assert.NotContains(t, err.Error(), "CANARY")
			assert.NotContains(t, err.Error(), "xxxx")
		})
	}
	assert.Equal(t, 4096, credentials.MaxTokenLength)
}

func TestValidateTokenRejectsRedactedForm(t *testing.T) {
	t.Parallel()
	s := credentials.Secret("aph0_CANARYcanary0123456789abcdefXYZ9")
	redacted := s.String()
	err := credentials.ValidateToken(redacted)
	require.ErrorIs(t, err, credentials.ErrInvalidToken)
	assert.Contains(t, err.Error(), "redacted")
	assert.ErrorIs(t, credentials.ValidateToken("aph0_abcdéf0123456789"), credentials.ErrInvalidToken)
}
