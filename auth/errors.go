package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/anyscale-go/anyscale/internal/advice"
)

// howToConfigure is the advice every "no credentials" message ends with.
const howToConfigure = "run `anyscale login`, or set " + EnvToken + " to an API key created in the console"

// outcome is one source's answer, with what a Chain needs beyond the
// Provider interface: where the source looked even when it had nothing,
// and a warning to log when it succeeded.
type outcome struct {
	source  Source
	origin  string
	token   Token // set when err is nil
	warning error // set only when err is nil
	err     error
}

// resolver is implemented by the built-in providers. A Chain uses it to
// report a source's name and origin when it has no token, and to log its
// warnings once per Chain; a Provider used on its own only returns the
// token.
type resolver interface {
	resolve(ctx context.Context) outcome
}

// tokenOf turns an outcome into a Provider's answer.
func (o outcome) tokenOf() (Token, error) {
	if o.err != nil {
		return Token{}, o.err
	}
	return o.token, nil
}

// unavailableError is the error of a source that is not configured here:
// it matches ErrUnavailable and says where the source looked and why it
// had nothing.
type unavailableError struct {
	source Source
	origin string
	reason string
	cause  error // such as a *fs.PathError; may be nil
}

func unavailable(source Source, origin, reason string, cause error) error {
	return &unavailableError{source: source, origin: origin, reason: reason, cause: cause}
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("auth: %s: %s: %s", e.source, e.origin, e.reason)
}

// Is makes the error match ErrUnavailable.
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

func (e *unavailableError) Unwrap() error { return e.cause }

// msgError is an error with a fixed message that still matches a
// sentinel through errors.Is.
type msgError struct {
	msg string
	err error
}

func (e *msgError) Error() string { return e.msg }
func (e *msgError) Unwrap() error { return e.err }

// Attempt is one source a Chain tried without finding a token.
type Attempt struct {
	Source Source
	// Origin is where the source looked: a variable name, a file path, the
	// workspace's environments; empty when a custom provider does not say.
	Origin string
	// Err says why the source had nothing; it matches ErrUnavailable.
	Err error
}

// ChainError is returned by a Chain when every source is unavailable. Its
// message lists every source tried, one line each, and how to configure
// one.
type ChainError struct {
	Attempts []Attempt
}

// Error lists every source tried, where it looked and why it had nothing,
// then how to configure a source.
func (e *ChainError) Error() string {
	var b strings.Builder
	if len(e.Attempts) == 0 {
		b.WriteString("auth: no Anyscale credentials found: the chain has no sources\n")
	} else {
		b.WriteString("auth: no Anyscale credentials found; tried, in order:\n")
		ws, wo := 0, 0
		for _, a := range e.Attempts {
			ws = max(ws, len(oneLine(string(a.Source))))
			wo = max(wo, len(orDash(oneLine(a.Origin))))
		}
		for _, a := range e.Attempts {
			fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", ws, oneLine(string(a.Source)), wo, orDash(oneLine(a.Origin)), reasonOf(a.Err))
		}
	}
	b.WriteString(e.AdviceText())
	return b.String()
}

// AdviceOf says what to do next as data: configure a source. The client
// package's AdviceOf finds it.
func (e *ChainError) AdviceOf() (advice.Advice, bool) {
	return advice.Advice{Action: advice.ConfigureToken}, true
}

// AdviceText is the sentence that ends Error.
func (e *ChainError) AdviceText() string { return "To configure one, " + howToConfigure + "." }

// Unwrap returns the error of every attempt.
func (e *ChainError) Unwrap() []error {
	errs := make([]error, 0, len(e.Attempts))
	for _, a := range e.Attempts {
		if a.Err != nil {
			errs = append(errs, a.Err)
		}
	}
	return errs
}

// Is reports whether target is ErrUnavailable: a ChainError means that no
// source is configured, even when the chain has no sources at all, so a
// Chain nested in another one lets the outer chain move on.
func (e *ChainError) Is(target error) bool { return target == ErrUnavailable }

// reasonOf returns why a source had nothing, on one line, without the
// "auth: source: origin:" prefix the error carries on its own.
func reasonOf(err error) string {
	if err == nil {
		return "no token"
	}
	if u, ok := err.(*unavailableError); ok {
		return oneLine(u.reason)
	}
	return oneLine(err.Error())
}

// oneLine folds line breaks and tabs so that a text fits one table cell.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	var lines []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(strings.ReplaceAll(l, "\t", " ")); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
