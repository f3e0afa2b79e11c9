package client

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/redact"
	"github.com/anyscale-go/anyscale/tests/leak"
)

// fuzzToken is the token the fuzzers' texts must never show.
const fuzzToken = "aph0_FUZZcanary0123456789abcdefghijklmnop"

// FuzzErrorBody: any error body decodes without panicking into a message
// and details that show no token, no control character, and no more than
// maxMessageLen bytes of the server's text.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"error":{"detail":"no such key"}}`,
		`{"detail":[{"loc":["body","duration"],"msg":"field required","type":"value_error.missing"}]}`,
		`{"detail":"plain"}`,
		`{"error":{"detail":["a",1,{"x":null}]}}`,
		`<html>bad gateway</html>`,
		`{"error":{"detail":"token ` + fuzzToken + `"}}`,
		`{"error":{"detail":"token \u0061ph0_FUZZcanary0123456789abcdefghijklmnop"}}`,
		"\x1b[31mred\x1b[0m",
		``,
		"e23456789abcdfghijklmnop", // left and right of a redacted piece made a new one
	} {
		f.Add([]byte(seed))
	}
	m := redact.New(credentials.Secret(fuzzToken))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, details := decodeErrorBody(body)
		check := func(what, s string) {
			s = shown(s, m)
			// The scrubber's own verdict, and a rule written apart from it.
			if m.Holds(s) || leak.ShowsPiece(s, fuzzToken, redact.MinPiece) {
				t.Fatalf("%s shows the token: %q", what, s)
			}
			if strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("%s holds a control character: %q", what, s)
			}
			if len(s) > maxMessageLen+len("…") {
				t.Fatalf("%s is %d bytes long", what, len(s))
			}
		}
		check("message", msg)
		for _, d := range details {
			check("detail msg", d.Msg)
			check("detail type", d.Type)
			for _, l := range d.Loc {
				check("detail loc", l)
			}
		}
	})
}

// FuzzRetryAfter: any Retry-After value parses without panicking to a
// wait between zero and a day, or to none.
func FuzzRetryAfter(f *testing.F) {
	for _, seed := range []string{"0", "1", "120", "-1", "99999999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT", " 5 ", "1.5", "", "+3", "0x10"} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if !ok && d != 0 {
			t.Fatalf("no Retry-After, yet a wait of %s", d)
		}
		if d < 0 || d > 24*time.Hour {
			t.Fatalf("Retry-After %q: a wait of %s", v, d)
		}
	})
}

// FuzzListEnvelope: any 2xx list answer decodes without panicking into a
// page, or into an error matching ErrMalformedResponse; never into a page
// from an answer without "results" and "metadata".
func FuzzListEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"results":[{"id":"a"}],"metadata":{"total":1,"next_paging_token":null}}`,
		`{"results":[],"metadata":{"next_paging_token":"abc"}}`,
		`{}`, `{"result":{"results":[]}}`, `{"results":null,"metadata":{}}`, `{"results":[]}`,
		`[]`, `null`, ``, `{"results":[{"id":7}],"metadata":{}}`, `{"results":[],"metadata":{"total":"x"}}`,
	} {
		f.Add([]byte(seed))
	}
	type item struct {
		ID string `json:"id"`
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var env ListEnvelope[item]
		err := decodeAnswer(data, &env)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("an undecodable answer is not ErrMalformedResponse: %v", err)
			}
			if !utf8.ValidString(err.Error()) || strings.Contains(err.Error(), string(data)) && len(data) > 16 {
				t.Fatalf("the error quotes the answer: %v", err)
			}
			return
		}
		// encoding/json matches object keys without regard to case.
		var fields map[string]json.RawMessage
		has := func(key string) bool {
			for k, v := range fields {
				if strings.EqualFold(k, key) && v != nil {
					return true
				}
			}
			return false
		}
		if json.Unmarshal(data, &fields) != nil || !has("results") || !has("metadata") {
			t.Fatalf("decoded a page from an answer without results and metadata: %q", data)
		}
		if env.Results == nil {
			t.Fatalf("decoded a nil list from %q", data)
		}
	})
}
