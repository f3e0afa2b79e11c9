package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/parallel"
)

// outcome is one id's fate: revoked, not found, or err.
type outcome struct {
	revoked, notFound bool
	err               error
}

// revokeMany is the strategy behind both scopes' RevokeMany. The bulk
// answer's fields are not published, so it trusts an answer only for the
// ids it lists under "revoked"; every other id whose outcome is unknown is
// settled on its own with revoke, which is safe to repeat: success puts it
// in Revoked, client.ErrNotFound in NotFound, any other error in Failed.
// Once a bulk answer lists no "revoked", the server's answers cannot be
// read: the ids not yet sent, of this call and of the Service's later
// ones, are revoked on their own, until a later answer (of a batch already
// out) can be read again. A batch whose answer was lost (a server error, a
// dropped connection) or that the server refused for its ids (404, 400,
// 422) is settled id by id too; a batch refused for the caller (401, 403),
// rate limited, or that never reached the server puts its ids in Failed.
// An id settled on its own after its bulk request acted may be in NotFound
// although that request revoked it: either way it is not active.
//
// Batches and single revokes share one bound (a parallel.Queue), the
// single ones first, so that a dead server stops the run before more
// batches go out (see revokeRun.silent).
func (s scope) revokeMany(ctx context.Context, ids []string, opts []RevokeOptions) (*RevokeResult, error) {
	cfg := revokeOptions(opts)
	ids = dedupe(ids)
	res := &RevokeResult{Revoked: []string{}, NotFound: []string{}, Failed: map[string]error{}, order: ids}
	var invalid []error
	for _, id := range ids {
		if err := checkID(id); err != nil {
			res.Failed[id] = fmt.Errorf("key %q: %w", id, err)
			invalid = append(invalid, res.Failed[id])
		}
	}
	if len(invalid) > 0 {
		for _, id := range ids {
			if _, bad := res.Failed[id]; !bad {
				res.Failed[id] = fmt.Errorf("key %s: not attempted: %d of the ids given are invalid, so nothing was revoked", id, len(invalid))
			}
		}
		return res, res.err(ids)
	}

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	r := &revokeRun{scope: s, caller: ctx, stop: stop, ids: ids, out: make([]outcome, len(ids)),
		progress: &progress{total: len(ids), report: cfg.Progress}, queue: parallel.NewQueue(cfg.Concurrency)}
	for lo := 0; lo < len(ids); lo += client.MaxPageSize {
		hi := min(lo+client.MaxPageSize, len(ids))
		r.queue.Add(func(ctx context.Context) { r.batch(ctx, lo, hi) })
	}
	r.queue.Run(runCtx, callopt.OnThrottle)

	for i, id := range ids {
		switch o := r.out[i]; {
		case o.revoked:
			res.Revoked = append(res.Revoked, id)
		case o.notFound:
			res.NotFound = append(res.NotFound, id)
		default:
			res.Failed[id] = o.err
		}
	}
	if len(res.NotFound) > 0 {
		var silent *silentError
		if errors.As(context.Cause(runCtx), &silent) {
			// The server went silent: a list would only spend another
			// retry budget.
			unchecked(res, silent)
		} else {
			s.checkNotFound(ctx, res)
		}
	}
	return res, res.err(ids)
}

// revokeRun is one RevokeMany call at work.
type revokeRun struct {
	scope
	// caller is the caller's context; the tasks get a child that stop
	// cancels once the server is found silent.
	caller context.Context
	stop   context.CancelCauseFunc
	ids    []string
	// out is each id's outcome, by its index in ids: each is written by
	// one task, and read once the queue has run.
	out      []outcome
	progress *progress
	queue    *parallel.Queue
	// answers counts the answers the server gave to this run's requests.
	answers atomic.Int64
}

// settle records the outcome of the id at index i; the task reports its
// settled ids to progress once, when it is done.
func (r *revokeRun) settle(i int, o outcome) { r.out[i] = o }

// halted returns why nothing more is sent: the caller's context is done,
// or the server was found silent (the cause stop was given); nil while
// the run goes on.
func (r *revokeRun) halted(ctx context.Context) error {
	if err := r.caller.Err(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// stopped returns err, a request's error, with why the run stopped when
// the stop cut it short.
func (r *revokeRun) stopped(ctx context.Context, err error) error {
	if r.caller.Err() == nil && ctx.Err() != nil {
		return fmt.Errorf("%w; stopped: %v", err, context.Cause(ctx))
	}
	return err
}

// answered counts an answer, when err says there was one: a success, an
// API error, or a 2xx whose body could not be read.
func (r *revokeRun) answered(err error) {
	var apiErr *client.APIError
	if err == nil || errors.As(err, &apiErr) || errors.Is(err, client.ErrMalformedResponse) {
		r.answers.Add(1)
	}
}

// silent is called when a request that went through the client's retries
// ended with no answer at all (err): when no other request of the run got
// an answer since it started (seen is the count then), the server has
// given none for a whole retry budget, and the run stops.
func (r *revokeRun) silent(ctx context.Context, seen int64, err error) {
	if ctx.Err() != nil || r.answers.Load() != seen {
		return
	}
	r.stop(&silentError{last: err})
}

// silentError is why a run stopped: its text names the last failure, which
// it does not wrap (the ids it stops were not sent: the last request's
// fate is not theirs).
type silentError struct{ last error }

func (e *silentError) Error() string {
	return fmt.Sprintf("the server gave no answer through a whole retry budget (last: %v)", advice.Facts(e.last))
}

// noAnswer reports whether err is a transport failure: the server gave no
// answer (refused, dropped, reset, an attempt timed out, or never
// reached), as opposed to an answer, or a failure before sending. (The
// caller's context ending is one too: those who ask check it first.)
func noAnswer(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// neverReached reports whether a request's error says it never reached
// the server: no answer, and the client knows nothing was acted on.
func neverReached(err error) bool { return noAnswer(err) && !client.MayHaveActed(err) }

// bulkAnswers is what RevokeMany learned of a server's bulk answers, from
// the latest one: whether they are unreadable (they do not list
// "revoked", or are malformed: they say nothing RevokeMany can use, so the
// ids not yet sent go one at a time).
type bulkAnswers struct {
	unreadable atomic.Bool
}

// batch settles the ids at [lo, hi): by their bulk request, or by queueing
// those whose outcome it leaves unknown to be revoked alone.
func (r *revokeRun) batch(ctx context.Context, lo, hi int) {
	batch := r.ids[lo:hi]
	settled := 0
	defer func() { r.progress.add(settled) }()
	if why := r.halted(ctx); why != nil {
		for i, id := range batch {
			r.settle(lo+i, outcome{err: notSent(id, why)})
		}
		settled = len(batch)
		return
	}
	if r.bulk.unreadable.Load() {
		for i := range batch {
			r.queue.Next(func(ctx context.Context) { r.alone(ctx, lo+i, nil, false) })
		}
		return
	}
	seen := r.answers.Load()
	var answer json.RawMessage
	_, err := r.c.Do(ctx, http.MethodPost, r.keysPath()+"/revoke", nil, revokeBody{APIKeyIDs: batch}, &answer)
	r.answered(err)
	var listed map[string]bool
	switch {
	case err == nil:
		var ok bool
		listed, ok = revokedIDs(answer)
		r.bulk.unreadable.Store(!ok)
	case errors.Is(err, client.ErrMalformedResponse):
		r.bulk.unreadable.Store(true)
	case ctx.Err() != nil, neverReached(err), !client.MayHaveActed(err) && !refusedForItsIDs(err):
		// Cancelled, never sent, or refused for the caller: no id of it
		// is tried alone.
		if neverReached(err) {
			r.silent(ctx, seen, err)
		}
		err = r.stopped(ctx, err)
		for i, id := range batch {
			r.settle(lo+i, outcome{err: fmt.Errorf("key %s: %w", id, err)})
		}
		settled = len(batch)
		return
	}
	for i, id := range batch {
		if listed[id] {
			r.settle(lo+i, outcome{revoked: true})
			settled++
			continue
		}
		// A 2xx was carried out: it may have revoked the id, whatever
		// revoking it alone then meets.
		r.queue.Next(func(ctx context.Context) { r.alone(ctx, lo+i, err, err == nil) })
	}
}

// notSent is the error of an id never sent, for why.
func notSent(id string, why error) error { return fmt.Errorf("key %s: not sent: %w", id, why) }

// alone revokes the id at index i on its own, to learn its state: no bulk
// answer said it was revoked. batchErr is its bulk request's error, if it
// failed; bulkDone reports that its bulk request succeeded (a 2xx that did
// not list it), so that a failure here may still follow a revocation.
func (r *revokeRun) alone(ctx context.Context, i int, batchErr error, bulkDone bool) {
	id := r.ids[i]
	defer r.progress.add(1)
	if why := r.halted(ctx); why != nil {
		switch {
		case batchErr != nil:
			// Its bulk request went out: its own error says whether it
			// may have acted.
			r.settle(i, outcome{err: fmt.Errorf("key %s: %w; not tried alone: %w", id, batchErr, why)})
		case bulkDone:
			r.settle(i, outcome{err: acted.Mark(fmt.Errorf("key %s: the bulk answer did not say whether it was revoked; not tried alone: %w", id, why))})
		default:
			r.settle(i, outcome{err: notSent(id, why)})
		}
		return
	}
	seen := r.answers.Load()
	err := r.revoke(ctx, id)
	r.answered(err)
	switch {
	case err == nil:
		r.settle(i, outcome{revoked: true})
		return
	case errors.Is(err, client.ErrNotFound):
		r.settle(i, outcome{notFound: true})
		return
	case noAnswer(err):
		// A DELETE is retried through the whole budget.
		r.silent(ctx, seen, err)
	}
	err = r.stopped(ctx, err)
	switch {
	case batchErr != nil:
		// Either may have acted: the error says so if one did.
		err = fmt.Errorf("key %s: the bulk request failed (%w), and so did revoking it alone: %w", id, batchErr, err)
	case bulkDone:
		err = acted.Mark(fmt.Errorf("key %s: the bulk answer did not say whether it was revoked, and revoking it alone failed: %w", id, err))
	default:
		err = fmt.Errorf("key %s: %w", id, err)
	}
	r.settle(i, outcome{err: err})
}

// refusedForItsIDs reports whether the server refused a bulk request for
// what it holds, some id it does not know, rather than for who sent it:
// then each id can still be revoked on its own.
func refusedForItsIDs(err error) bool {
	return errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrInvalid)
}

// revokedIDs reads the ids a bulk answer lists under "revoked". An answer
// without that field as a list of strings is not understood (ok is
// false): it confirms nothing.
func revokedIDs(answer json.RawMessage) (ids map[string]bool, ok bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(answer, &fields) != nil {
		return nil, false
	}
	var list []string
	if json.Unmarshal(fields["revoked"], &list) != nil {
		return nil, false
	}
	ids = make(map[string]bool, len(list))
	for _, id := range list {
		ids[id] = true
	}
	return ids, true
}

// checkNotFound keeps RevokeMany from calling a live key "not found": it
// lists the scope's keys once, and moves to Failed each id of
// res.NotFound that is the display id or name of an active key, with an
// error naming the id to pass. When the list fails, no id of NotFound is
// confirmed: they all move to Failed, with the list's error.
func (s scope) checkNotFound(ctx context.Context, res *RevokeResult) {
	byLabel, err := s.liveLabels(ctx)
	if err != nil {
		unchecked(res, err)
		return
	}
	kept := res.NotFound[:0]
	for _, id := range res.NotFound {
		if live := byLabel[id]; len(live) > 0 {
			res.Failed[id] = labelError(id, live)
			continue
		}
		kept = append(kept, id)
	}
	res.NotFound = kept
}

// liveLabels lists the scope's keys once (every page) and returns the
// active ones by display id and by name.
func (s scope) liveLabels(ctx context.Context) (map[string][]Key, error) {
	var listed []Key
	for k, err := range s.all(ctx, ListOptions{}) {
		if err != nil {
			return nil, err
		}
		listed = append(listed, k)
	}
	now := s.c.Now() // after the list's answers: the server's clock
	byLabel := map[string][]Key{}
	for _, k := range listed {
		if k.Status(now) != Active {
			continue
		}
		byLabel[k.DisplayID] = append(byLabel[k.DisplayID], k)
		if k.Name != k.DisplayID {
			byLabel[k.Name] = append(byLabel[k.Name], k)
		}
	}
	return byLabel, nil
}

// unchecked moves every id of res.NotFound to Failed: whether it names an
// active key by its display id or name could not be checked, for why.
func unchecked(res *RevokeResult, why error) {
	for _, id := range res.NotFound {
		res.Failed[id] = fmt.Errorf("key %s: the server has no active key with this id, but whether it is the display id or name of one could not be checked: %w", id, why)
	}
	res.NotFound = []string{}
}

// labelError is the error of ref, given as a key id, that is the display
// id or name of the active keys live: revoke takes ids.
func labelError(ref string, live []Key) error {
	describe := func(k Key) string {
		var as []string
		if k.DisplayID == ref {
			as = append(as, "display id")
		}
		if k.Name == ref {
			as = append(as, "name")
		}
		return fmt.Sprintf("the %s of the active key %s", strings.Join(as, " and "), k.ID)
	}
	if len(live) == 1 {
		err := fmt.Errorf("key %s: %w: it is no key's id, but %s, which is still active: revoke that key by its id", ref, client.ErrInvalid, describe(live[0]))
		return advice.Wrap(err, advice.Advice{Action: advice.UseID, Subject: live[0].ID}, "pass its ID, "+live[0].ID)
	}
	var each []string
	for _, k := range live {
		each = append(each, describe(k))
	}
	err := fmt.Errorf("key %s: %w: it is no key's id, but %s, which are still active: revoke each by its id", ref, client.ErrInvalid, strings.Join(each, "; "))
	return advice.Wrap(err, advice.Advice{Action: advice.UseID}, "pass their IDs")
}
