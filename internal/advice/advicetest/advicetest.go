// Package advicetest checks the SDK's errors against the rules of advice
// as data: an error's facts (its text without advice) never name a Go
// identifier, and what it advises is typed data a program can switch on.
// Tests of the services share it.
package advicetest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/anyscale-go/anyscale/internal/advice"
)

// GoWord matches what an error's facts, and a message of the command
// line, never say: a Go identifier (a qualified name, `organization.All`;
// a CamelCase name, `OwnerEmail`; a call, `Get(`; an option,
// `WithInsecureHTTP()`), or the other CLI's login (`anyscale login`). The
// SDK's tests and the command line's share it.
var GoWord = regexp.MustCompile(`\b[a-z]+\.[A-Z][A-Za-z]*|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|\b[A-Z][a-zA-Z]+\(|With[A-Z]\w*\(\)|\banyscale login\b`)

// Case is one error and the advice its own layer attaches, outermost
// first. An inner layer (the client's, on the API's answer) may carry
// advice of its own after it.
type Case struct {
	Name string
	Err  error
	Want []advice.Advice
}

// Check runs each case: the error is non-nil, its advice begins with the
// advice the case wants, its facts name no Go identifier, and its advice
// sentences end its text.
func Check(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Helper()
			if c.Err == nil {
				t.Fatal("no error")
			}
			got := advice.Of(c.Err)
			if len(got) < len(c.Want) {
				t.Fatalf("advice %+v, want %+v\nerror: %v", got, c.Want, c.Err)
			}
			for i := range c.Want {
				if got[i] != c.Want[i] {
					t.Errorf("advice %d is %+v, want %+v\nerror: %v", i, got[i], c.Want[i], c.Err)
				}
			}
			NoGoIdentifier(t, c.Err)
		})
	}
}

// NoGoIdentifier fails t when err's facts name a Go identifier, or when
// its text holds an advice sentence outside its end.
func NoGoIdentifier(t *testing.T, err error) {
	t.Helper()
	facts := advice.Facts(err)
	if m := GoWord.FindString(facts); m != "" {
		t.Errorf("the facts name the Go identifier %q: %s", m, facts)
	}
	if !strings.HasPrefix(err.Error(), facts) {
		t.Errorf("the advice is not at the end of the text:\n text: %s\nfacts: %s", err.Error(), facts)
	}
}
