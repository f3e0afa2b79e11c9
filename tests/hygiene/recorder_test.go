package hygiene_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
)

// pieceLen is the length of the pieces of a secret the search looks for:
// long enough that no other text holds one by chance, short enough that a
// token cut anywhere still shows one.
const pieceLen = 12

// tokenShape matches the raw form of every token the fake server issues and
// of every canary the tests make ("aph0_" and 40 lower-case letters and
// digits), so that a secret the test never saw (one whose answer was cut,
// say) is caught too. A redacted form ("aph0_…3f9a") does not match.
var tokenShape = regexp.MustCompile(`aph0_[a-z0-9]{8,}`)

// secret is a value that must not be shown.
type secret struct {
	label string
	raw   string
	// code marks a login code: the approval URL handed to OpenURL and the
	// poll's path carry it by design, so only errors and logs must not
	// show it.
	code bool
}

// kind says what a capture is.
type kind string

const (
	kindClientLogJSON kind = "client debug log (JSON handler)"
	kindClientLogText kind = "client debug log (text handler)"
	kindChainLogJSON  kind = "auth chain log (JSON handler)"
	kindChainLogText  kind = "auth chain log (text handler)"
	kindError         kind = "returned error"
	kindValue         kind = "returned value"
	kindRecord        kind = "fake server's request record"
	kindPeer          kind = "request received by another host"
	// kindServerData is a returned value that holds what a hostile server
	// answered (a 2xx answer's fields, the *http.Response and its
	// headers): the caller asked for it, so a secret there is reported,
	// not failed.
	kindServerData kind = "returned value holding the server's answer"
	// kindDocumented is a print form the SDK documents as unsafe (such as
	// %p of a credentials.Secret, which fmt prints without calling its
	// methods): reported, not failed.
	kindDocumented kind = "print form documented as unsafe"
)

func (k kind) isLog() bool {
	switch k {
	case kindClientLogJSON, kindClientLogText, kindChainLogJSON, kindChainLogText:
		return true
	}
	return false
}

// capture is one text a caller or an operator could see.
type capture struct {
	kind kind
	op   string
	form string
	text string
}

// finding is a secret found in a capture.
type finding struct {
	capture
	secret  secret
	how     string
	excerpt string
	// ops are the operations of a scenario it was found in (see dedupe).
	ops []string
}

func (f finding) String() string {
	s := fmt.Sprintf("%s found %s\n\tscenario:   %s\n", f.secret.label, f.how, f.op)
	if len(f.ops) > 0 {
		s += fmt.Sprintf("\toperations: %s\n", strings.Join(f.ops, ", "))
	}
	return s + fmt.Sprintf("\tcapture:    %s (%s)\n\texcerpt:    …%s…", f.kind, f.form, f.excerpt)
}

// recorder collects the secrets a test sees and every capture.
type recorder struct {
	t testing.TB

	mu       sync.Mutex
	op       string
	secrets  []secret
	known    map[string]bool
	captures []capture
	ops      []string

	// clientLog goes to client.WithLogger, chainLog to auth.WithLogger and
	// (*auth.Chain).WithLogger: each writes every record to a JSON and a
	// text handler at debug level.
	clientLog, chainLog *slog.Logger

	// checkFacts makes err also hold every error's facts to the rule of
	// advice as data (no Go identifier, no other CLI): set where the
	// server is the fake, whose messages are known.
	checkFacts bool
}

func newRecorder(t testing.TB) *recorder {
	r := &recorder{t: t, known: map[string]bool{}}
	r.clientLog = r.logger(kindClientLogJSON, kindClientLogText)
	r.chainLog = r.logger(kindChainLogJSON, kindChainLogText)
	return r
}

func (r *recorder) logger(jsonKind, textKind kind) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(teeHandler{
		slog.NewJSONHandler(sink{r, jsonKind, "slog JSON record"}, opts),
		slog.NewTextHandler(sink{r, textKind, "slog text record"}, opts),
	})
}

// sink turns each record a slog handler writes into a capture of the
// operation under way.
type sink struct {
	r    *recorder
	kind kind
	form string
}

func (s sink) Write(p []byte) (int, error) {
	s.r.add(s.kind, s.form, string(p))
	return len(p), nil
}

// teeHandler hands every record to each of its handlers.
type teeHandler []slog.Handler

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, x := range h {
		if x.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h teeHandler) Handle(ctx context.Context, rec slog.Record) error {
	var errs []error
	for _, x := range h {
		if x.Enabled(ctx, rec.Level) {
			errs = append(errs, x.Handle(ctx, rec.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithAttrs(as)
	}
	return out
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(h))
	for i, x := range h {
		out[i] = x.WithGroup(name)
	}
	return out
}

func (r *recorder) add(k kind, form, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	op := r.op
	if op == "" {
		op = "(between operations)"
	}
	r.captures = append(r.captures, capture{kind: k, op: op, form: form, text: text})
}

// step runs one operation: everything captured meanwhile is its.
func (r *recorder) step(op string, f func()) {
	r.t.Helper()
	r.mu.Lock()
	r.op = op
	r.ops = append(r.ops, op)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.op = ""
		r.mu.Unlock()
	}()
	f()
}

// secret adds a secret to search for.
func (r *recorder) secret(label, raw string) {
	r.t.Helper()
	require.NotEmpty(r.t, raw, "the secret %q", label)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known[raw] {
		return
	}
	r.known[raw] = true
	r.secrets = append(r.secrets, secret{label: label, raw: raw})
}

// code adds a login code, which only errors and logs must not show.
func (r *recorder) code(label, raw string) {
	r.t.Helper()
	require.NotEmpty(r.t, raw, "the code %q", label)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.known[raw] {
		r.known[raw] = true
		r.secrets = append(r.secrets, secret{label: label, raw: raw, code: true})
	}
}

// canary makes a fresh token of the fake's form that no server issued.
func (r *recorder) canary(label string) string {
	r.t.Helper()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	_, err := rand.Read(b)
	require.NoError(r.t, err)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	tok := "aph0_" + string(b)
	r.secret(label, tok)
	return tok
}

// ok asserts that an operation succeeded; a failure is captured too.
func (r *recorder) ok(err error) bool {
	r.t.Helper()
	if !assert.NoError(r.t, err, r.op) {
		r.err(err)
		return false
	}
	return true
}

// fails asserts that an operation failed (matching target when it is not
// nil) and captures the error.
func (r *recorder) fails(err error, target error) {
	r.t.Helper()
	if !assert.Error(r.t, err, r.op) {
		return
	}
	if target != nil {
		assert.ErrorIs(r.t, err, target, r.op)
	}
	r.err(err)
}

// err captures an error in every print form, every error it wraps,
// its JSON encoding and a slog record of it.
func (r *recorder) err(err error) {
	r.t.Helper()
	if err == nil {
		return
	}
	if r.checkFacts {
		if m := advicetest.GoWord.FindString(client.Facts(err)); m != "" {
			r.t.Errorf("%s: the error's facts name %q, which belongs in its advice: %s", r.op, m, client.Facts(err))
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		r.add(kindError, verb, fmt.Sprintf(verb, err))
	}
	seen := map[error]bool{}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		if c := comparable(e); c {
			if seen[e] {
				return
			}
			seen[e] = true
		}
		r.add(kindError, fmt.Sprintf("wrapped %T, %%#v", e), fmt.Sprintf("%#v", e))
		r.add(kindError, fmt.Sprintf("wrapped %T, %%+v", e), fmt.Sprintf("%+v", e))
		if b, jerr := json.Marshal(e); jerr == nil {
			r.add(kindError, fmt.Sprintf("wrapped %T, json.Marshal", e), string(b))
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
	r.slogged(kindError, err)
}

// comparable reports whether e may be a map key.
func comparable(e error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = map[error]bool{e: true}
	return true
}

// value captures a returned value: %v, %+v, %#v, %s, its JSON encoding,
// and slog records of it.
func (r *recorder) value(v any) { r.t.Helper(); r.valueAs(kindValue, v) }

// serverData captures a returned value that holds a hostile server's 2xx
// answer: reported, not failed.
func (r *recorder) serverData(v any) { r.t.Helper(); r.valueAs(kindServerData, v) }

func (r *recorder) valueAs(k kind, v any) {
	r.t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		r.add(k, fmt.Sprintf("%s of %T", verb, v), fmt.Sprintf(verb, v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		r.add(k, fmt.Sprintf("json.Marshal error of %T", v), err.Error())
	} else {
		r.add(k, fmt.Sprintf("json.Marshal of %T", v), string(b))
	}
	r.slogged(k, v)
}

// text captures what a String method returned.
func (r *recorder) text(form, s string) {
	r.t.Helper()
	assert.NotEmpty(r.t, s, "%s: %s", r.op, form)
	r.add(kindValue, form, s)
}

// slogged logs v with a JSON and a text handler, as a caller's own log
// would.
func (r *recorder) slogged(k kind, v any) {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	slog.New(slog.NewJSONHandler(sink{r, k, fmt.Sprintf("slog JSON of %T", v)}, opts)).Info("value", "v", v)
	slog.New(slog.NewTextHandler(sink{r, k, fmt.Sprintf("slog text of %T", v)}, opts)).Info("value", "v", v)
}

// records captures every request the fake server recorded: method, path,
// query, headers and body.
func (r *recorder) records(srv *anyscaletest.Server) int {
	r.t.Helper()
	reqs := srv.Requests()
	for _, q := range reqs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s?%s\n", q.Method, q.Path, q.Query.Encode())
		keys := make([]string, 0, len(q.Header))
		for k := range q.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(q.Header[k], ", "))
		}
		fmt.Fprintf(&b, "\n%s\ntrace %s status %d user %s", q.Body, q.TraceID, q.Status, q.UserEmail)
		r.add(kindRecord, "method, path, query, headers, body", b.String())
	}
	return len(reqs)
}

// check searches every capture for every secret. It fails on a secret in
// any capture but kindServerData, whose findings it returns. need lists
// the kinds that must have been captured, so that an empty capture cannot
// pass for a clean one.
func (r *recorder) check(need ...kind) (observed []finding) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	count := map[kind]int{}
	size := 0
	for _, c := range r.captures {
		if strings.TrimSpace(c.text) != "" {
			count[c.kind]++
		}
		size += len(c.text)
	}
	for _, k := range need {
		require.NotZero(r.t, count[k], "nothing was captured of kind %q", k)
	}
	require.NotEmpty(r.t, r.secrets)
	d := newDetector(r.secrets)
	var leaks, documented []finding
	for _, c := range r.captures {
		scope := func(s secret) bool { return !s.code || c.kind == kindError || c.kind.isLog() }
		for _, f := range d.find(c, scope) {
			switch c.kind {
			case kindServerData:
				observed = append(observed, f)
			case kindDocumented:
				documented = append(documented, f)
			default:
				leaks = append(leaks, f)
			}
		}
	}
	r.t.Logf("searched %d captures (%d KiB) of %d operations for %d secrets, whole, in %d-character pieces and escaped",
		len(r.captures), size>>10, len(r.ops), len(r.secrets), pieceLen)
	kinds := make([]string, 0, len(count))
	for k, n := range count {
		kinds = append(kinds, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(kinds)
	r.t.Logf("captures by kind: %s", strings.Join(kinds, "; "))
	for _, f := range dedupe(documented) {
		r.t.Logf("DOCUMENTED LIMITATION (not failed) %s", f)
	}
	for _, f := range dedupe(observed) {
		r.t.Logf("OBSERVED (the server's own answer in a returned value, not failed) %s", f)
	}
	groups := dedupe(leaks)
	assert.Zero(r.t, len(groups), "%d secrets shown, in %d places: see the LEAK lines", len(leaks), len(groups))
	for _, f := range groups {
		r.t.Errorf("LEAK %s", f)
	}
	return observed
}

// dedupe keeps one finding per scenario, kind, secret and form found in,
// with every operation and print form it was found in. An operation named
// "scenario | operation" belongs to its scenario; any other is its own.
func dedupe(fs []finding) []finding {
	at := map[string]int{}
	var out []finding
	for _, f := range fs {
		scenario, op, ok := strings.Cut(f.op, " | ")
		if !ok {
			scenario, op = f.op, ""
		}
		key := scenario + "|" + string(f.kind) + "|" + f.secret.raw + "|" + f.how
		i, seen := at[key]
		if !seen {
			i = len(out)
			at[key] = i
			g := f
			g.op, g.form, g.ops = scenario, "", nil
			out = append(out, g)
		}
		g := &out[i]
		if op != "" && !slices.Contains(g.ops, op) {
			g.ops = append(g.ops, op)
		}
		if !slices.Contains(strings.Split(g.form, ", "), f.form) {
			if g.form != "" {
				g.form += ", "
			}
			g.form += f.form
		}
	}
	return out
}

// detector finds secrets in a text: whole, in pieces, in escaped and
// encoded forms, and after decoding escapes.
type detector struct {
	secrets []secret
	forms   [][]form
	pieces  map[string]int
	masker  *strings.Replacer
}

type form struct{ name, text string }

func newDetector(secrets []secret) *detector {
	d := &detector{secrets: secrets, pieces: map[string]int{}}
	var masks []string
	for i, s := range secrets {
		d.forms = append(d.forms, []form{
			{"whole", s.raw},
			{"JSON-\\u-escaped (lower-case hex)", escapeEach(s.raw, `\u%04x`)},
			{"JSON-\\u-escaped (upper-case hex)", escapeEach(s.raw, `\u%04X`)},
			{"percent-encoded (upper-case hex)", escapeEach(s.raw, `%%%02X`)},
			{"percent-encoded (lower-case hex)", escapeEach(s.raw, `%%%02x`)},
			{"hex-encoded", hex.EncodeToString([]byte(s.raw))},
			{"base64-encoded", base64.StdEncoding.EncodeToString([]byte(s.raw))},
		})
		for at := 0; at+pieceLen <= len(s.raw); at++ {
			d.pieces[s.raw[at:at+pieceLen]] = i
		}
		masks = append(masks, s.raw, "⟨"+s.label+"⟩")
	}
	d.masker = strings.NewReplacer(masks...)
	return d
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// escapeEach formats every byte of s with format.
func escapeEach(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// find returns the secrets in scope that c's text shows, one finding per
// secret, in its plainest form: whole or in an encoded form, whole once
// escapes are decoded, in pieces, in pieces once escapes are decoded.
func (d *detector) find(c capture, scope func(secret) bool) []finding {
	var out []finding
	found := map[int]bool{}
	add := func(i int, how, text string, at int) {
		found[i] = true
		out = append(out, finding{capture: c, secret: d.secrets[i], how: how, excerpt: d.excerpt(text, at)})
	}
	for i, s := range d.secrets {
		if !scope(s) {
			continue
		}
		for _, f := range d.forms[i] {
			if at := strings.Index(c.text, f.text); at >= 0 {
				add(i, f.name, c.text, at)
				break
			}
		}
	}
	dec := decode(c.text)
	if dec != c.text {
		for i, s := range d.secrets {
			if at := strings.Index(dec, s.raw); at >= 0 && !found[i] && scope(s) {
				add(i, "whole once escapes are decoded", dec, at)
			}
		}
	}
	d.findPieces(c.text, "a piece", scope, found, add)
	texts := []string{c.text}
	if dec != c.text {
		d.findPieces(dec, "a piece once escapes are decoded", scope, found, add)
		texts = append(texts, dec)
	}
	for _, text := range texts {
		for _, loc := range tokenShape.FindAllStringIndex(text, -1) {
			m := text[loc[0]:loc[1]]
			if d.isKnown(m) {
				continue
			}
			out = append(out, finding{capture: c, secret: secret{label: "a token the test never saw", raw: m},
				how: "whole or in part", excerpt: d.excerpt(strings.ReplaceAll(text, m, "⟨unknown token⟩"), loc[0])})
			break
		}
	}
	return out
}

func (d *detector) findPieces(text, how string, scope func(secret) bool, found map[int]bool, add func(int, string, string, int)) {
	for at := 0; at+pieceLen <= len(text); at++ {
		if i, ok := d.pieces[text[at:at+pieceLen]]; ok && !found[i] && scope(d.secrets[i]) {
			add(i, fmt.Sprintf("%s (%q…)", how, text[at:at+4]), text, at)
		}
	}
}

// isKnown reports whether a token-shaped text is (a piece of) a secret
// the detector knows, which the other searches report.
func (d *detector) isKnown(m string) bool {
	for _, s := range d.secrets {
		if strings.Contains(s.raw, m) || strings.Contains(m, s.raw) {
			return true
		}
	}
	return false
}

// excerpt shows the text around at, with every known secret masked.
func (d *detector) excerpt(text string, at int) string {
	from, to := max(0, at-60), min(len(text), at+80)
	return strings.ReplaceAll(d.masker.Replace(text[from:to]), "\n", `\n`)
}

// decode undoes, until nothing changes, the escapes a server or an
// encoder could hide a secret behind: JSON's \uXXXX, \\ and \/, Go's
// \xHH, URL percent-encoding and HTML's numeric character references.
func decode(s string) string {
	for range 4 {
		next := decodeOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

var htmlRef = regexp.MustCompile(`&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});`)

func decodeOnce(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' && isHex(s[i+2:i+6]):
			v, _ := hex.DecodeString(s[i+2 : i+6])
			b.WriteRune(rune(v[0])<<8 | rune(v[1]))
			i += 6
		case s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' && isHex(s[i+2:i+4]):
			v, _ := hex.DecodeString(s[i+2 : i+4])
			b.WriteByte(v[0])
			i += 4
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '/'):
			b.WriteByte(s[i+1])
			i += 2
		case s[i] == '%' && i+3 <= len(s) && isHex(s[i+1:i+3]):
			v, _ := hex.DecodeString(s[i+1 : i+3])
			b.WriteByte(v[0])
			i += 3
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return htmlRef.ReplaceAllStringFunc(b.String(), func(ref string) string {
		num := strings.TrimSuffix(strings.TrimPrefix(ref, "&#"), ";")
		var v int
		var err error
		if num[0] == 'x' || num[0] == 'X' {
			_, err = fmt.Sscanf(num[1:], "%x", &v)
		} else {
			_, err = fmt.Sscanf(num, "%d", &v)
		}
		if err != nil {
			return ref
		}
		return string(rune(v))
	})
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// The search finds a planted secret in every form it looks for, and
// nothing in the forms the SDK prints instead.
func TestDetectorFindsEveryForm(t *testing.T) {
	r := newRecorder(t)
	tok := r.canary("planted token")
	r.code("planted login code", "abcdefghijklmnopqrstuvwx")
	d := newDetector(r.secrets)
	all := func(secret) bool { return true }
	find := func(text string) []finding { return d.find(capture{kind: kindError, text: text}, all) }

	partly := strings.Replace(tok, "_", `\u005f`, 1)
	jsonOfEscaped, err := json.Marshal(map[string]string{"detail": escapeEach(tok, `\u%04x`)})
	require.NoError(t, err)
	for name, tc := range map[string]struct{ text, how string }{
		"whole":                {"bearer " + tok + " rejected", "whole"},
		"first half":           {"cut: " + tok[:len(tok)/2], "a piece"},
		"second half":          {tok[len(tok)/2:] + " cut", "a piece"},
		"middle slice":         {"x" + tok[14:30] + "x", "a piece"},
		"every char \\u":       {escapeEach(tok, `\u%04x`), "JSON-\\u-escaped (lower-case hex)"},
		"every char \\U":       {escapeEach(tok, `\u%04X`), "JSON-\\u-escaped (upper-case hex)"},
		"one char \\u":         {partly, "whole once escapes are decoded"},
		"escaped twice":        {string(jsonOfEscaped), "whole once escapes are decoded"},
		"Go-quoted \\u":        {fmt.Sprintf("%q", escapeEach(tok, `\u%04x`)), "whole once escapes are decoded"},
		"JSON of JSON":         {jsonString(jsonString(escapeEach(tok, `\u%04x`))), "whole once escapes are decoded"},
		"percent":              {escapeEach(tok, `%%%02X`), "percent-encoded (upper-case hex)"},
		"query-escaped":        {url.QueryEscape("t=" + tok[:6] + "&" + tok[6:]), "a piece"},
		"percent, one char":    {strings.Replace(tok, "_", "%5f", 1), "whole once escapes are decoded"},
		"HTML references":      {escapeEach(tok, "&#%d;"), "whole once escapes are decoded"},
		"hex":                  {hex.EncodeToString([]byte(tok)), "hex-encoded"},
		"base64":               {base64.StdEncoding.EncodeToString([]byte(tok)), "base64-encoded"},
		"the login code, half": {"code mnopqrstuvwx", "a piece"},
	} {
		got := find(tc.text)
		if assert.NotEmpty(t, got, name) {
			assert.True(t, strings.HasPrefix(got[0].how, tc.how), "%s: found %s", name, got[0].how)
			assert.NotContains(t, got[0].excerpt, tok, "%s: the report masks the secret", name)
		}
	}
	unknown := find("a token from a cut answer: aph0_0123456789abcdef")
	if assert.Len(t, unknown, 1) {
		assert.Equal(t, "a token the test never saw", unknown[0].secret.label)
	}
	for _, shown := range []string{"aph0_…" + tok[len(tok)-4:], "sha256:0123456789ab", tok[5 : 5+pieceLen-1], ""} {
		assert.Empty(t, find(shown), "%q shows no secret", shown)
	}
	code := d.find(capture{kind: kindValue, text: "https://x/otp/abcdefghijklmnopqrstuvwx"},
		func(s secret) bool { return !s.code })
	assert.Empty(t, code, "a login code is searched for in errors and logs only")
}

// probeT is a testing.TB that records failures instead of failing, so
// that a test can show that the recorder's checks fail.
type probeT struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	logs   []string
}

// errFailNow stops a probed check where testing.T.FailNow would.
var errFailNow = errors.New("FailNow")

func (p *probeT) Helper() {}
func (p *probeT) Errorf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed = true
	p.logs = append(p.logs, fmt.Sprintf(format, args...))
}
func (p *probeT) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs = append(p.logs, fmt.Sprintf(format, args...))
}
func (p *probeT) FailNow() { panic(errFailNow) }

// probe runs f with a recorder on a probeT, then its check, and returns
// whether the check failed and what it logged.
func probe(t *testing.T, f func(r *recorder), need ...kind) (failed bool, log string) {
	t.Helper()
	p := &probeT{TB: t}
	r := newRecorder(p)
	func() {
		defer func() {
			if v := recover(); v != nil && v != errFailNow {
				panic(v)
			}
		}()
		f(r)
		r.check(need...)
	}()
	return p.failed, strings.Join(p.logs, "\n")
}

// The check fails on a secret in every kind of capture that must not
// show one, reports without failing a secret in a server's own answer or
// a print form documented as unsafe, and fails when a kind it needs was
// never captured.
func TestCheckFailsOnEveryLeak(t *testing.T) {
	leaks := map[string]func(r *recorder, tok string){
		"client debug log": func(r *recorder, tok string) { r.clientLog.Debug("request", "path", "/x/"+tok) },
		"auth chain log":   func(r *recorder, tok string) { r.chainLog.Warn("file", "origin", tok) },
		"an error": func(r *recorder, tok string) {
			r.step("an operation", func() { r.fails(fmt.Errorf("wrapped: %w", errors.New("bad "+tok)), nil) })
		},
		"an error's unwrapped field": func(r *recorder, tok string) {
			r.err(fmt.Errorf("shown: %w", &url.Error{Op: "Get", URL: "http://h/?t=" + tok, Err: errors.New("x")}))
		},
		"a value":               func(r *recorder, tok string) { r.value(struct{ Name string }{tok}) },
		"a value, JSON-escaped": func(r *recorder, tok string) { r.value(escapeEach(tok, `\u%04x`)) },
		"a value, a piece":      func(r *recorder, tok string) { r.text("String", tok[10:30]) },
		"a request record": func(r *recorder, tok string) {
			srv := anyscaletest.Start(t)
			resp, err := srv.HTTPClient().Get(srv.URL + "/api/v2/users/api_keys?name=" + tok)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, 1, r.records(srv))
		},
		"another host's request": func(r *recorder, tok string) { r.add(kindPeer, "headers", "Authorization: Bearer "+tok) },
		"a login code in a log": func(r *recorder, _ string) {
			r.code("code", "logincode0123456789")
			r.clientLog.Debug("poll logincode0123456789")
		},
		"a token nobody saw":      func(r *recorder, _ string) { r.err(errors.New("cut: aph0_0123456789")) },
		"an iteration's failure":  func(r *recorder, tok string) { r.step("op", func() { r.ok(errors.New(tok)) }) },
		"a secret in a map value": func(r *recorder, tok string) { r.value(map[string]string{"k": tok}) },
	}
	for name, leak := range leaks {
		failed, log := probe(t, func(r *recorder) { leak(r, r.canary("probe token")) })
		assert.True(t, failed, "%s: the check fails", name)
		assert.Contains(t, log, "LEAK", name)
	}

	failed, log := probe(t, func(r *recorder) {
		tok := r.canary("probe token")
		r.code("code", "logincode0123456789")
		r.step("scenario | op", func() {
			r.serverData(struct{ Name string }{tok})
			r.add(kindDocumented, "%p", tok)
			r.value("https://x/otp/logincode0123456789")
			r.clientLog.Debug("request", "token", redacted(tok))
		})
	}, kindClientLogJSON, kindClientLogText, kindServerData)
	assert.False(t, failed, log)
	assert.Contains(t, log, "OBSERVED")
	assert.Contains(t, log, "DOCUMENTED LIMITATION")

	failed, _ = probe(t, func(r *recorder) { r.canary("probe token") }, kindError)
	assert.True(t, failed, "nothing captured of a kind the check needs fails it")
}

// redacted is a stand-in for a value that logs itself redacted.
type redacted string

func (c redacted) LogValue() slog.Value {
	return slog.StringValue("aph0_…" + string(c)[len(c)-4:])
}
