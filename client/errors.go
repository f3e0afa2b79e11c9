package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/redact"
)

// Sentinels matched by errors.Is against an *APIError (by status code) and
// against the SDK's client-side validation errors (ErrInvalid).
var (
	// ErrUnauthorized: 401, the API did not accept the token.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: 403, the token may not make the call.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: 404, and the SDK's own "no such" answers.
	ErrNotFound = errors.New("not found")
	// ErrConflict: 409, and a reference that matches several objects.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: 400 or 422, and every check the SDK makes before
	// sending anything.
	ErrInvalid = errors.New("invalid request")
	// ErrRateLimited: 429.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: any 5xx.
	ErrServer = errors.New("server error")
)

// maxMessageLen bounds an error message taken from a raw response body.
const maxMessageLen = 512

// FieldError is one entry of a validation error: where (such as
// ["body", "duration"]) and what.
type FieldError struct {
	Loc  []string
	Msg  string
	Type string
}

// APIError is a non-2xx answer from the API. Match it with errors.Is
// against the sentinels, or errors.As with an *APIError target. It carries
// its advice in Advice (found by AdviceOf too), and its text ends with the
// advice's sentence, which Facts leaves out. Its text never holds the
// call's token.
type APIError struct {
	StatusCode int
	// Message is the server's detail, or a bounded part of the raw body.
	Message string
	// Details lists the fields a 422 validation error names.
	Details []FieldError
	TraceID string
	Method  string
	Path    string
	// RetryAfter is how long the server asked the client to wait, if it did.
	RetryAfter time.Duration
	// Advice is what the caller can do next, when the SDK knows: renew the
	// token (a 401: Advice.Source and Advice.Origin say where it came
	// from), wait (a Retry-After over the retry policy's cap), or check
	// before repeating the call (a server error on a call the server may
	// have acted on). Zero otherwise.
	Advice Advice
	// Hint says Advice in a sentence, in Go terms; Error ends with it.
	//
	// Deprecated: use Advice; Hint is its text.
	Hint string
	// Attempts is how many times the request was sent, retries included.
	// Above 1, an earlier attempt whose answer was lost may have acted.
	Attempts int

	// note is what the client knows of this call that the status does not
	// say (the server may have acted on it; an earlier attempt may have
	// done what it asked).
	note string
}

// Error reads like "POST /api/v2/users/create_api_key: 409 Conflict:
// <message> (trace id t-123)", then the client's note on the call and the
// Hint, each after "; ".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, d := range e.Details {
		fmt.Fprintf(&b, "; %s: %s", strings.Join(d.Loc, "."), d.Msg)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " (trace id %s)", e.TraceID)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.note != "" {
		b.WriteString("; " + e.note)
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// AdviceOf returns e.Advice, and whether it says anything (see AdviceOf,
// the function, for an error's whole tree).
func (e *APIError) AdviceOf() (Advice, bool) { return e.Advice, e.Advice.Action != "" }

// AdviceText returns the Hint, the advice sentence that ends Error's
// text, so that Facts leaves it out.
func (e *APIError) AdviceText() string { return e.Hint }

// Is matches the sentinel for the error's status code.
func (e *APIError) Is(target error) bool {
	return target != nil && target == sentinelFor(e.StatusCode)
}

func sentinelFor(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrInvalid
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	}
	return nil
}

func newAPIError(resp *http.Response, st *attemptState, path string, body []byte, policy RetryPolicy, now time.Time) *APIError {
	tok := st.token
	e := &APIError{
		StatusCode: resp.StatusCode,
		TraceID:    st.scrub.Scrub(resp.Header.Get(TraceIDHeader)),
		Method:     st.method,
		Path:       path,
		Attempts:   st.attempt,
	}
	if wait, ok := retryAfter(resp, now); ok {
		e.RetryAfter = wait
	}
	// The server should never echo a token; if it does, it stops here,
	// after decoding, so that no escaped form gets past.
	e.Message, e.Details = decodeErrorBody(body)
	e.Message = shown(e.Message, st.scrub)
	for i := range e.Details {
		d := &e.Details[i]
		d.Msg, d.Type = shown(d.Msg, st.scrub), shown(d.Type, st.scrub)
		for j := range d.Loc {
			d.Loc[j] = shown(d.Loc[j], st.scrub)
		}
	}
	// A token spread over the details, a few characters each, is found in
	// them together.
	if len(e.Details) > 0 && st.scrub.Scrub(e.Error()) != e.Error() {
		e.Details = []FieldError{{Msg: redact.Withheld}}
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e.Advice = Advice{Action: ActionRenewToken, Source: string(tok.Source), Origin: tok.Origin}
		e.Hint = renewHint(tok)
	case e.RetryAfter > policy.MaxRetryAfter:
		e.Advice = Advice{Action: ActionWait}
		e.Hint = fmt.Sprintf("the server asked to wait longer than the retry policy's MaxRetryAfter (%s): wait RetryAfter, then call again", policy.MaxRetryAfter)
	case resp.StatusCode == http.StatusNotFound:
		// A retried DELETE whose first answer was lost finds nothing left:
		// a fact of this call, with nothing to do.
		if st.method == http.MethodDelete && st.attempt > 1 && st.acted {
			e.note = "it is gone; an earlier attempt whose answer was lost may have removed it"
		}
	case resp.StatusCode >= 500 && !st.idempotent && st.acted:
		e.note = "the server may have acted on the request, so it was not repeated"
		e.Advice = Advice{Action: ActionCheckFirst}
		e.Hint = "check before repeating it"
	}
	return e
}

// renewHint says, in Go terms, how to renew the token that was rejected,
// by its source.
func renewHint(tok auth.Token) string {
	switch tok.Source {
	case auth.SourceEnv:
		return fmt.Sprintf("the token from %s was rejected (expired or revoked): create a new API key in the console and set %s to it", tok.Origin, auth.EnvToken)
	case auth.SourceFile:
		return fmt.Sprintf("the token from %s was rejected (expired or revoked): run `anyscale login` to renew it", tok.Origin)
	case auth.SourceWorkspace:
		return fmt.Sprintf("the token the workspace injected (%s) was rejected: restart the workspace, or set %s to a new API key", tok.Origin, auth.EnvToken)
	case auth.SourceStatic:
		return "the token given to the client was rejected (expired or revoked): create a new API key in the console"
	}
	return fmt.Sprintf("the token from %s was rejected (expired or revoked): run `anyscale login`, or set %s to a new API key", tok.Source, auth.EnvToken)
}

// decodeErrorBody reads {"error":{"detail":...}}, FastAPI's
// {"detail":[...]} or {"detail":"..."}, or else a bounded raw body.
func decodeErrorBody(body []byte) (string, []FieldError) {
	var env struct {
		Error *struct {
			Detail json.RawMessage `json:"detail"`
		} `json:"error"`
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &env) == nil {
		if env.Error != nil && len(env.Error.Detail) > 0 {
			return detailMessage(env.Error.Detail)
		}
		if len(env.Detail) > 0 {
			return detailMessage(env.Detail)
		}
	}
	return strings.TrimSpace(string(body)), nil
}

func detailMessage(raw json.RawMessage) (string, []FieldError) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var items []struct {
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &items) == nil {
		details := make([]FieldError, 0, len(items))
		for _, it := range items {
			fe := FieldError{Msg: it.Msg, Type: it.Type}
			for _, l := range it.Loc {
				fe.Loc = append(fe.Loc, fmt.Sprint(l))
			}
			details = append(details, fe)
		}
		return "request validation failed", details
	}
	return string(raw), nil
}

// shown is a text of the server's as an error shows it: without the
// token, without control characters (which could drive a terminal), and
// cut to maxMessageLen.
func shown(s string, m *redact.Scrubber) string {
	// Cut first to a few times the shown length, so that scrubbing costs
	// little whatever the body's size; what scrubbing then leaves is cut
	// to the shown length.
	if len(s) > 4*maxMessageLen {
		s = s[:4*maxMessageLen]
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)
	}
	return truncate(m.Scrub(s))
}

func truncate(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	cut := maxMessageLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// callError is every error Do returns: it notes whether the server may
// have acted on the call, for MayHaveActed.
type callError struct {
	err   error
	acted bool
}

func (e *callError) Error() string      { return e.err.Error() }
func (e *callError) Unwrap() error      { return e.err }
func (e *callError) MayHaveActed() bool { return e.acted }

// MayHaveActed reports whether a call that failed with err may still have
// acted on the server: a request that could change state was written and
// its answer was lost, cut, malformed, a server error (5xx other than a
// 503 with Retry-After) or a redirect other than 307 and 308, or the call
// was cancelled or timed out while such a request was out; or a service
// failed after a step that changed state (a create whose answer holds no
// key, a key that failed after its service account was made).
//
// It is false for every error raised before such a request was written:
// the SDK's checks of its arguments (ErrInvalid), a nil context, a
// context already done, a token that could not be resolved or sent, a
// refusal decided client-side after a read (removing yourself, no such
// member), a connection that was refused or never made, a host name that
// did not resolve, a TLS failure, and a proxy that refused the tunnel. It
// is false, too, when every answer refused the request (4xx, 429, 503
// with Retry-After). Callers use it to decide between "retry" and "check
// first": a create whose outcome is unknown must not simply be repeated.
//
// The rule behind it: an error says "may have acted" only when the client
// (or a service of this SDK) marked it so, from what happened on the
// wire; an error from anywhere else says false. A *APIError made by hand
// counts as acted when it is a 5xx. An error that joins several
// (errors.Join, a bulk call's failures) may have acted when any of them
// may have.
func MayHaveActed(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case acted.Reporter:
		return e.MayHaveActed()
	case *APIError: // one made by hand: Do's errors are *callError
		return e.StatusCode >= 500
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if MayHaveActed(inner) {
				return true
			}
		}
		return false
	case interface{ Unwrap() error }:
		return MayHaveActed(e.Unwrap())
	}
	return false
}
