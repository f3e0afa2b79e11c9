package client

import "github.com/anyscale-go/anyscale/internal/advice"

// Advice is what to do next after an error, as data: an error that says
// what to do next carries it, and AdviceOf finds it. A program that speaks
// to people in its own terms (a command line) switches on Advice.Action
// and prints Facts(err) beside its own sentence; a program that only
// prints the error gets the SDK's sentence, in Go terms, at the end of its
// text.
type Advice = advice.Advice

// Action is what a caller can do next after an error.
type Action = advice.Action

// The actions an error can advise; see each constant's doc in package
// advice's terms: what to do, never how.
const (
	// ActionRenewToken: the API rejected the token (expired or revoked);
	// Advice.Source and Advice.Origin say where it came from.
	ActionRenewToken = advice.RenewToken
	// ActionConfigureToken: no source of the credential chain has a token.
	ActionConfigureToken = advice.ConfigureToken
	// ActionFixPermissions: the credentials file (Advice.Origin) or its
	// directory is open to other accounts.
	ActionFixPermissions = advice.FixPermissions
	// ActionExplainChain: the host (Advice.Subject, from Advice.Origin)
	// could not be reached, or the chain failed: check both
	// (auth.Chain.Explain).
	ActionExplainChain = advice.ExplainChain
	// ActionCheckFirst: the call may have acted though it failed: look
	// before repeating it.
	ActionCheckFirst = advice.CheckFirst
	// ActionWait: the server asked to wait longer than the retry policy
	// allows.
	ActionWait = advice.Wait
	// ActionNeedOwner: the call needs an organization owner's token.
	ActionNeedOwner = advice.NeedOwner
	// ActionRotateOwnKey: a job on a service account's own token rotates
	// its own keys instead.
	ActionRotateOwnKey = advice.RotateOwnKey
	// ActionListToFind: the reference (Advice.Subject) matched nothing.
	ActionListToFind = advice.ListToFind
	// ActionGetFirst: look the object (Advice.Subject) up to see whether
	// an earlier call made it.
	ActionGetFirst = advice.GetFirst
	// ActionCreateKey: the service account (Advice.Subject) has no usable
	// key: make one.
	ActionCreateKey = advice.CreateKey
	// ActionRotateKeys: replace every key of the service account
	// (Advice.Subject).
	ActionRotateKeys = advice.RotateKeys
	// ActionUseID: the reference is a key's display id or name: pass its
	// id (Advice.Subject).
	ActionUseID = advice.UseID
	// ActionRefine: the reference is ambiguous: name one of the matches.
	ActionRefine = advice.Refine
	// ActionRunAgain: the call is safe to repeat, and a repeat finishes
	// what this one left undone (Advice.Subject names it).
	ActionRunAgain = advice.RunAgain
)

// AdviceOf returns the advice err carries, outermost first; none is nil.
func AdviceOf(err error) []Advice { return advice.Of(err) }

// Facts returns err's text without the SDK's advice sentences: what went
// wrong, for a program that says what to do next in its own words.
func Facts(err error) string { return advice.Facts(err) }
