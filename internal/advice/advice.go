// Package advice carries what to do after an error as data. An SDK error
// says what went wrong in its text (its facts, which never name a Go
// identifier) and what to do next both as a typed Advice, which a command
// line turns into its own words, and as a sentence in Go terms at the end
// of its text, for a program that only prints the error. Package client
// re-exports the types; the other packages of the SDK attach advice with
// Wrap.
package advice

import "strings"

// Action is what a caller can do next after an error.
type Action string

// The actions an SDK error can advise. Each names what to do, not how: a
// Go program and the command line each say how in their own terms.
const (
	// RenewToken: the API rejected the token (expired or revoked). Source
	// and Origin say where the token came from.
	RenewToken Action = "renew-token"
	// ConfigureToken: no source of the chain has a token. Set one up
	// (log in, or set the token variable).
	ConfigureToken Action = "configure-token"
	// FixPermissions: the credentials file or its directory is open to
	// other accounts. Origin is the path.
	FixPermissions Action = "fix-permissions"
	// ExplainChain: the API host could not be reached, or the chain
	// failed. Check the host and the credential chain. Subject is the
	// host, Origin where it came from.
	ExplainChain Action = "explain-chain"
	// CheckFirst: the call may have acted on the server though it failed.
	// Look at the state before repeating it. Subject names what it may
	// have made or changed.
	CheckFirst Action = "check-first"
	// Wait: the server asked to wait longer than the retry policy allows.
	Wait Action = "wait"
	// NeedOwner: the call needs an organization owner's token.
	NeedOwner Action = "need-owner"
	// RotateOwnKey: a job on a service account's own token replaces that
	// token by rotating its own keys, not through the owners' calls.
	RotateOwnKey Action = "rotate-own-key"
	// ListToFind: the reference matched nothing; list to find the right
	// one. Subject is the reference.
	ListToFind Action = "list-to-find"
	// GetFirst: look the object up to see whether an earlier call made
	// it. Subject names it.
	GetFirst Action = "get-first"
	// CreateKey: the service account Subject has no usable key; make one.
	CreateKey Action = "create-key"
	// RotateKeys: replace every key of the service account Subject (a key
	// nobody holds may exist).
	RotateKeys Action = "rotate-keys"
	// UseID: the reference is a key's display id or name; pass its id,
	// Subject.
	UseID Action = "use-id"
	// Refine: the reference is ambiguous; name one of the matches.
	Refine Action = "refine"
	// RunAgain: the call is safe to repeat, and a repeat finishes what
	// this one left undone. Subject names what it was working on.
	RunAgain Action = "run-again"
)

// Advice is what to do next after an error, as data.
type Advice struct {
	Action Action
	// Subject is what the action applies to: a service account's email, a
	// key id, a host. Empty when the action needs none.
	Subject string
	// Source and Origin name where a token (or a host) came from, such as
	// "env" and "ANYSCALE_CLI_TOKEN", or "file" and a path.
	Source, Origin string
}

// advised is an error with advice: its text is the error's, then "; " and
// the advice in Go terms.
type advised struct {
	err    error
	advice Advice
	text   string
}

func (e *advised) Error() string {
	if e.text == "" {
		return e.err.Error()
	}
	return e.err.Error() + "; " + e.text
}

func (e *advised) Unwrap() error { return e.err }

// Wrap returns err with a as its advice and text as the sentence that says
// it in Go terms (it may name Go identifiers: the facts may not). A nil err
// stays nil. A zero a attaches a sentence for Go programs alone (a Go
// option to change): Of skips it, Facts leaves it out.
func Wrap(err error, a Advice, text string) error {
	if err == nil {
		return nil
	}
	return &advised{err: err, advice: a, text: text}
}

// Texter is an error that shows advice text of its own at the end of its
// message (such as client.APIError's Hint), so that Facts can leave it
// out.
type Texter interface {
	AdviceText() string
}

// Adviser is an error type that carries advice of its own. The method is
// not named Advice, so that a type can hold its advice in a field of that
// name (client.APIError.Advice).
type Adviser interface {
	AdviceOf() (Advice, bool)
}

// Of returns every advice in err's tree, outermost first, without
// repeats.
func Of(err error) []Advice {
	var out []Advice
	walk(err, func(e error) {
		var a Advice
		var ok bool
		switch e := e.(type) {
		case *advised:
			a, ok = e.advice, true
		case Adviser:
			a, ok = e.AdviceOf()
		}
		if !ok || a.Action == "" {
			return
		}
		for _, seen := range out {
			if seen == a {
				return
			}
		}
		out = append(out, a)
	})
	return out
}

// Facts returns err's text without the advice sentences the SDK added:
// what went wrong, for a program that says what to do next in its own
// words from Of.
func Facts(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	walk(err, func(e error) {
		var text string
		switch e := e.(type) {
		case *advised:
			text = e.text
		case Texter:
			text = e.AdviceText()
		}
		if text == "" {
			return
		}
		msg = without(msg, text)
	})
	return msg
}

// without removes the last occurrence of text from msg, with the
// separator before it ("; " or a line break).
func without(msg, text string) string {
	i := strings.LastIndex(msg, text)
	if i < 0 {
		return msg
	}
	before, after := msg[:i], msg[i+len(text):]
	switch {
	case strings.HasSuffix(before, "; "):
		before = strings.TrimSuffix(before, "; ")
	case strings.HasSuffix(before, "\n"):
		before = strings.TrimRight(before, "\n")
	}
	return before + after
}

// walk calls f on err and every error it wraps, depth first.
func walk(err error, f func(error)) {
	if err == nil {
		return
	}
	f(err)
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			walk(inner, f)
		}
	case interface{ Unwrap() error }:
		walk(e.Unwrap(), f)
	}
}

// Is reports whether err carries advice with action a.
func Is(err error, a Action) bool {
	for _, adv := range Of(err) {
		if adv.Action == a {
			return true
		}
	}
	return false
}
