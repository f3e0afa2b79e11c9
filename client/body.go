package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxResponseBytes bounds how much of an answer the client reads. Every
// answer of the API is far smaller; a larger one is refused with an error
// that says so, rather than cut and misread.
const MaxResponseBytes = 8 << 20

// ErrMalformedResponse is matched by the error of an answer that is not
// what the endpoint answers: empty, not JSON, or without the envelope the
// client expects ("result", or "results" and "metadata"). Nothing is
// concluded from such an answer; the server may still have acted.
var ErrMalformedResponse = errors.New("malformed answer")

// errBodyTooLarge is the error of an answer over MaxResponseBytes.
var errBodyTooLarge = fmt.Errorf("the answer is larger than the %d MiB the client reads", MaxResponseBytes>>20)

// cutBodyError is an answer whose body ended before its announced length,
// or whose connection broke while it was read.
type cutBodyError struct {
	read, want int64 // want is -1 when the length was not announced
	err        error
}

func (e *cutBodyError) Error() string {
	if e.want >= 0 {
		return fmt.Sprintf("the answer was cut after %d of %d bytes: %v", e.read, e.want, e.err)
	}
	return fmt.Sprintf("the answer was cut after %d bytes: %v", e.read, e.err)
}

func (e *cutBodyError) Unwrap() error { return e.err }

// firstBuffer bounds the buffer an answer gets before any of it arrives:
// a length the server announces is believed only as far as the bytes
// come.
const firstBuffer = 64 << 10

// readBody reads a whole answer body, at most MaxResponseBytes: into a
// buffer sized from its announced length when that is small, else into one
// that grows as the bytes arrive.
func readBody(body io.Reader, length int64) ([]byte, error) {
	if length > MaxResponseBytes {
		return nil, errBodyTooLarge
	}
	if 0 <= length && length <= firstBuffer {
		buf := make([]byte, length)
		n, err := io.ReadFull(body, buf)
		if err != nil {
			return nil, &cutBodyError{read: int64(n), want: length, err: err}
		}
		return buf, nil
	}
	limit := int64(MaxResponseBytes)
	if length >= 0 {
		limit = length
	}
	var buf bytes.Buffer
	buf.Grow(firstBuffer)
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	switch {
	case err != nil:
		return nil, &cutBodyError{read: n, want: length, err: err}
	case length >= 0 && n < length:
		return nil, &cutBodyError{read: n, want: length, err: io.ErrUnexpectedEOF}
	case n > MaxResponseBytes:
		return nil, errBodyTooLarge
	}
	return buf.Bytes(), nil
}

// malformed is an ErrMalformedResponse saying what is wrong.
type malformed struct{ why string }

func (e *malformed) Error() string        { return "malformed answer: " + e.why }
func (e *malformed) Is(target error) bool { return target == ErrMalformedResponse }

// decodeAnswer decodes a 2xx answer into out: a list envelope whole, any
// other out from the "result" envelope. An answer without the envelope is
// malformed, never read as empty.
func decodeAnswer(data []byte, out any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &malformed{"the answer is empty"}
	}
	var err error
	if env, ok := out.(listEnvelope); ok {
		err = env.decode(data)
	} else {
		err = decodeResult(data, out)
	}
	var m *malformed
	if err != nil && !errors.As(err, &m) {
		err = &malformed{jsonProblem(err)}
	}
	return err
}

// resultField decodes the "result" of an answer into out and notes that
// it was there.
type resultField struct {
	out           any
	present, null bool
}

func (f *resultField) UnmarshalJSON(b []byte) error {
	f.present = true
	if string(b) == "null" {
		f.null = true
		return nil
	}
	return json.Unmarshal(b, f.out)
}

func decodeResult(data []byte, out any) error {
	env := struct {
		Result resultField `json:"result"`
	}{Result: resultField{out: out}}
	if err := json.Unmarshal(data, &env); err != nil {
		return err
	}
	switch {
	case !env.Result.present:
		return &malformed{`the answer has no "result"`}
	case env.Result.null:
		return &malformed{`the answer's "result" is null`}
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the answer.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not JSON (syntax error at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the top level"
		}
		return fmt.Sprintf("%s is a JSON %s, not the %s expected", where, typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	// Other decoding errors (a time that does not parse, say) quote the
	// value, which is the server's and could hold anything.
	return "a value is not of the type or format expected"
}
