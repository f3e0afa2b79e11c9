package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Status is what one source contributed to a Chain, in a Report.
type Status string

// The statuses of a ReportEntry.
const (
	// StatusUsed marks the source whose token the chain uses.
	StatusUsed Status = "used"
	// StatusShadowed marks a source that has a token the chain does not
	// use, because an earlier source decided the outcome.
	StatusShadowed Status = "shadowed"
	// StatusUnavailable marks a source that is not configured here.
	StatusUnavailable Status = "unavailable"
	// StatusError marks a source that is configured but broken.
	StatusError Status = "error"
)

// ReportEntry is what one source of a Chain holds, in a Report. It never
// holds a token, only its fingerprint.
type ReportEntry struct {
	Source Source
	// Origin is where the source found its token, or looked for one.
	Origin string
	Status Status
	// Reason explains the status in words.
	Reason string
	// Fingerprint is credentials.Secret.Fingerprint of the source's token,
	// or empty when it has none.
	Fingerprint string
	// SameAsUsed reports, for a shadowed source, whether its token is the
	// one the chain uses.
	SameAsUsed bool
	// Warning is a problem the source has even though its token is usable,
	// such as a credentials file open to group or others.
	Warning string
	// Err is the source's error, for StatusUnavailable and StatusError.
	Err error
}

// Report is what Explain found: one entry per source, in chain order.
type Report struct {
	Entries []ReportEntry
	// Err is the error Token would return, nil when a source is used: the
	// first broken source's error, or a *ChainError when no source is
	// configured.
	Err error
	// Host is the API base URL that a client using this chain, and given
	// no base URL explicitly, sends the token to, and HostOrigin where it
	// came from (a URL that carries user info, a query or a fragment is
	// not shown, only noted): ResolveHost of the used token, or of no token when no
	// source is used. A client given a base URL, such as with
	// client.WithBaseURL, ignores both.
	Host, HostOrigin string
}

// Used returns the entry of the source whose token the chain uses, or nil
// when the chain fails.
func (r Report) Used() *ReportEntry {
	for i := range r.Entries {
		if r.Entries[i].Status == StatusUsed {
			return &r.Entries[i]
		}
	}
	return nil
}

// String prints the report as an aligned table, one source a line, then
// the host and where it came from (when Host is set), then the chain's
// result. It never contains a token.
func (r Report) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tORIGIN\tFINGERPRINT\tREASON")
	for _, e := range r.Entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", orDash(oneLine(string(e.Source))), orDash(string(e.Status)),
			orDash(oneLine(e.Origin)), orDash(e.Fingerprint), orDash(oneLine(e.Reason)))
	}
	tw.Flush()
	if r.Host != "" {
		fmt.Fprintf(&b, "host: %s (from %s)\n", oneLine(r.Host), orDash(oneLine(r.HostOrigin)))
	}
	var chainErr *ChainError
	switch used := r.Used(); {
	case used != nil:
		fmt.Fprintf(&b, "result: the token from %s (%s)", oneLine(string(used.Source)), oneLine(used.Origin))
	case errors.As(r.Err, &chainErr) && len(chainErr.Attempts) == 0:
		b.WriteString("result: the chain has no sources")
	case errors.As(r.Err, &chainErr):
		// What to do next is the error's advice (Report.Err).
		b.WriteString("result: no credentials found")
	case r.Err != nil:
		b.WriteString("result: the chain fails: " + oneLine(r.Err.Error()))
	default:
		b.WriteString("result: no sources")
	}
	return b.String()
}

// Explain asks every provider, without the cache and without stopping
// where Token stops, and reports for each whether its token is used,
// shadowed by an earlier source (and whether it is the same token),
// unavailable or broken, with the reason, the origin and the token's
// fingerprint. It also reports the API host that goes with the used
// token, as ResolveHost finds it. Explain does not change the cache, logs
// nothing, and reports a panicking provider as broken instead of
// panicking.
func (c *Chain) Explain(ctx context.Context) Report {
	if err := ctxguard.Check(ctx, "auth.Chain.Explain"); err != nil {
		return Report{Err: err}
	}
	var (
		r        Report
		attempts []Attempt
		decider  *ReportEntry // the used or first broken source
		used     Token
	)
	for _, p := range c.providers {
		o := safeAttempt(ctx, p)
		e := ReportEntry{Source: o.source, Origin: o.origin}
		switch {
		case o.err == nil:
			e.Fingerprint = o.token.Value.Fingerprint()
			switch {
			case decider == nil:
				e.Status, e.Reason = StatusUsed, "first source with a token"
				used = o.token
			case decider.Status == StatusUsed:
				e.Status, e.SameAsUsed = StatusShadowed, o.token.Value == used.Value
				e.Reason = fmt.Sprintf("shadowed by %s; different token", decider.Source)
				if e.SameAsUsed {
					e.Reason = fmt.Sprintf("shadowed by %s; same token", decider.Source)
				}
			default:
				e.Status = StatusShadowed
				e.Reason = fmt.Sprintf("has a token, but the chain stops at the %s error first", decider.Source)
			}
			if o.warning != nil {
				e.Warning = oneLine(o.warning.Error())
				e.Reason += "; warning: " + e.Warning
			}
		case errors.Is(o.err, ErrUnavailable):
			e.Status, e.Reason, e.Err = StatusUnavailable, reasonOf(o.err), o.err
			attempts = append(attempts, Attempt{Source: o.source, Origin: o.origin, Err: o.err})
		default:
			e.Status, e.Reason, e.Err = StatusError, oneLine(o.err.Error()), o.err
			if decider != nil {
				e.Reason += fmt.Sprintf(" (not reached: %s decides first)", decider.Source)
			} else {
				r.Err = o.err
			}
		}
		r.Entries = append(r.Entries, e)
		if decider == nil && (e.Status == StatusUsed || e.Status == StatusError) {
			decider = &e
		}
	}
	if decider == nil {
		r.Err = &ChainError{Attempts: attempts}
	}
	r.Host, r.HostOrigin = ResolveHost(used)
	r.Host = shownHost(r.Host)
	return r
}

// safeAttempt is attempt, with a panicking provider reported as broken.
func safeAttempt(ctx context.Context, p Provider) (o outcome) {
	defer func() {
		if v := recover(); v != nil {
			o = outcome{source: Source(fmt.Sprintf("%T", p)), err: fmt.Errorf("auth: %T panicked", p)}
		}
	}()
	return attempt(ctx, p)
}
