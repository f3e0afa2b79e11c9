package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anyscale-go/anyscale/auth"
)

// Sentinels matched by errors.Is against an *APIError (by status code) and
// against the SDK's client-side validation errors (ErrInvalid).
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid request")
	ErrRateLimited  = errors.New("rate limited")
	ErrServer       = errors.New("server error")
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
// against the sentinels, or errors.As with an *APIError target.
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
	// Hint says what the caller can do next, when the SDK knows.
	Hint string
	// Attempts is how many times the request was sent, retries included.
	// Above 1, an earlier attempt whose answer was lost may have acted.
	Attempts int
}

// Error reads like "anyscale: POST /api/v2/users/create_api_key: 409
// Conflict: <message> (trace id t-123); <hint>".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "anyscale: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
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
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

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

func newAPIError(resp *http.Response, method, path string, attempts int, body []byte, tok auth.Token, policy RetryPolicy) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		TraceID:    resp.Header.Get(TraceIDHeader),
		Method:     method,
		Path:       path,
		Attempts:   attempts,
	}
	if wait, ok := retryAfter(resp, time.Now()); ok {
		e.RetryAfter = wait
	}
	// The server should never echo a token; if it does, it stops here,
	// before the body is decoded or cut.
	if raw := tok.Value.Reveal(); raw != "" {
		body = bytes.ReplaceAll(body, []byte(raw), []byte(tok.Value.String()))
	}
	e.Message, e.Details = decodeErrorBody(body)
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Hint = renewHint(tok)
	case http.StatusTooManyRequests:
		if e.RetryAfter > policy.MaxRetryAfter {
			e.Hint = fmt.Sprintf("the server asked to wait longer than the retry policy's MaxRetryAfter (%s)", policy.MaxRetryAfter)
		}
	case http.StatusNotFound:
		// A retried DELETE whose first answer was lost finds nothing left.
		if method == http.MethodDelete && attempts > 1 {
			e.Hint = "it is gone; an earlier attempt whose answer was lost may have removed it"
		}
	}
	return e
}

// renewHint says how to renew the token that was rejected, by its source.
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
	return truncate(strings.TrimSpace(string(body))), nil
}

func detailMessage(raw json.RawMessage) (string, []FieldError) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return truncate(s), nil
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
	return truncate(string(raw)), nil
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

// notSentError marks an error from before a request was sent: a bad
// argument, or no token to send.
type notSentError struct{ err error }

func notSent(err error) error { return &notSentError{err: err} }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// MayHaveActed reports whether a call that failed with err may still have
// acted on the server: a server error (5xx), a lost connection, a timeout
// or a cancellation while the request was out. It is false for an answer
// that refused the request (4xx) and for errors from before anything was
// sent. Callers use it to decide between "retry" and "check first": a
// create whose outcome is unknown must not simply be repeated.
func MayHaveActed(err error) bool {
	if err == nil {
		return false
	}
	var ns *notSentError
	if errors.As(err, &ns) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500
	}
	return true
}
