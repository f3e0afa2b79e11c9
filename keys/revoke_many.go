package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/acted"
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/parallel"
)

// DefaultConcurrency is how many bulk-revoke requests RevokeMany has in
// flight at once unless RevokeOptions.Concurrency says otherwise.
const DefaultConcurrency = parallel.DefaultLimit

// RevokeResult accounts for every id given to RevokeMany: each one,
// duplicates once, is in exactly one of Revoked, NotFound and Failed.
type RevokeResult struct {
	// Revoked lists the ids this call revoked, in the order given.
	Revoked []string
	// NotFound lists, in the order given, the ids the server has no active
	// key for that the caller may see: unknown, another user's (on the own
	// scope), already revoked or expired. Nothing was left to revoke.
	NotFound []string
	// Failed maps each id whose outcome is an error to that error: the key
	// may still be active.
	Failed map[string]error
}

// RevokeOptions configures RevokeMany. The zero value takes the defaults.
type RevokeOptions struct {
	// Concurrency is how many batch requests are in flight at once; below
	// 1 means DefaultConcurrency.
	Concurrency int
	// Progress, when set, is called as ids are settled, with how many of
	// the distinct ids given are settled so far and how many there are;
	// from one goroutine at a time, the last time with done == total
	// unless the call was cancelled.
	Progress func(done, total int)
}

// RevokeOption configures RevokeMany.
//
// Deprecated: use RevokeOptions.
type RevokeOption = RevokeOptions

// WithProgress returns the options that report progress to f.
//
// Deprecated: use RevokeOptions{Progress: f}.
func WithProgress(f func(done, total int)) RevokeOptions { return RevokeOptions{Progress: f} }

// WithConcurrency returns the options that bound the batch requests in
// flight at once to n.
//
// Deprecated: use RevokeOptions{Concurrency: n}.
func WithConcurrency(n int) RevokeOptions { return RevokeOptions{Concurrency: n} }

// revokeOptions merges opts: a later non-zero field wins.
func revokeOptions(opts []RevokeOptions) RevokeOptions {
	var out RevokeOptions
	for _, o := range opts {
		if o.Concurrency != 0 {
			out.Concurrency = o.Concurrency
		}
		if o.Progress != nil {
			out.Progress = o.Progress
		}
	}
	return out
}

type revokeBody struct {
	APIKeyIDs []string `json:"api_key_ids"`
}

// RevokeMany revokes the caller's keys with ids, and accounts for each.
//
// API: POST /api/v2/users/api_keys/revoke
//
// API: DELETE /api/v2/users/api_keys/{api_key_id}
//
// It keeps OrgService.RevokeMany's contract, over the caller's own keys:
// another user's key is in NotFound.
func (s *Service) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOptions) (*RevokeResult, error) {
	return s.revokeMany(ctx, ids, opts)
}

// RevokeMany revokes the keys with ids, any user's or service account's,
// and accounts for each.
//
// API: POST /api/v2/users/admin/api_keys/revoke
//
// API: DELETE /api/v2/users/admin/api_keys/{api_key_id}
//
// Every id given, duplicates once, ends in exactly one of the result's
// lists: Revoked (this call revoked it), NotFound (no active key with that
// id is visible to the caller, so nothing was left to revoke) or Failed
// (the outcome is an error: the key may still be active). No id is
// reported revoked or not found without an answer that says so. The error
// is non-nil exactly when Failed is not empty, and joins its errors; the
// result is never nil. An invalid id (empty, "." or "..") makes RevokeMany
// send nothing: every id is in Failed and the error matches
// client.ErrInvalid. Ids go in batches of at most client.MaxPageSize, the
// API's limit, up to RevokeOptions.Concurrency batches at once (default
// DefaultConcurrency); opts merge, a later non-zero field winning.
func (s *OrgService) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOptions) (*RevokeResult, error) {
	return s.revokeMany(ctx, ids, opts)
}

// outcome is one id's fate in a batch: revoked, not found, or err.
type outcome struct {
	revoked, notFound bool
	err               error
}

// revokeMany is the strategy behind both scopes' RevokeMany. The bulk
// answer's fields are not published, so it trusts an answer only for the
// ids it lists under "revoked"; every other id is settled on its own with
// revoke, which is safe to repeat: success puts it in Revoked,
// client.ErrNotFound in NotFound, any other error in Failed. Once a bulk
// answer lists no "revoked", the server's answers cannot be read: the ids
// not yet sent, of this call and of the Service's later ones, are revoked
// on their own, until a later answer (of a batch already out) can be read
// again. A batch whose answer was lost (a server error, a dropped
// connection) or that the server refused for its ids (404, 400, 422) is
// settled id by id too; a batch refused for the caller (401, 403) or rate
// limited puts its ids in Failed. An id settled on its own after its bulk
// request acted may be in NotFound although that request revoked it:
// either way it is not active.
func (s scope) revokeMany(ctx context.Context, ids []string, opts []RevokeOptions) (*RevokeResult, error) {
	cfg := revokeOptions(opts)
	ids = dedupe(ids)
	res := &RevokeResult{Revoked: []string{}, NotFound: []string{}, Failed: map[string]error{}}
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

	progress := &progress{total: len(ids), report: cfg.Progress}
	outcomes := make([]outcome, 0, len(ids))
	batches := slices.Collect(slices.Chunk(ids, client.MaxPageSize))
	results := make([][]outcome, len(batches))
	parallel.Run(ctx, cfg.Concurrency, len(batches), callopt.OnThrottle, func(ctx context.Context, i int) {
		results[i] = s.batch(ctx, batches[i])
		progress.add(len(batches[i]))
	})
	for _, b := range results {
		outcomes = append(outcomes, b...)
	}
	for i, id := range ids {
		switch o := outcomes[i]; {
		case o.revoked:
			res.Revoked = append(res.Revoked, id)
		case o.notFound:
			res.NotFound = append(res.NotFound, id)
		default:
			res.Failed[id] = o.err
		}
	}
	return res, res.err(ids)
}

// err joins the failures in the order of ids, or is nil when there are
// none.
func (r *RevokeResult) err(ids []string) error {
	if len(r.Failed) == 0 {
		return nil
	}
	errs := make([]error, 0, len(r.Failed))
	for _, id := range ids {
		if err, ok := r.Failed[id]; ok {
			errs = append(errs, err)
		}
	}
	return fmt.Errorf("keys: %d of %d keys may still be active:\n%w", len(r.Failed), len(ids), errors.Join(errs...))
}

// bulkAnswers is what RevokeMany learned of a server's bulk answers, from
// the latest one: whether they are unreadable (they do not list
// "revoked", or are malformed: they say nothing RevokeMany can use, so the
// ids not yet sent go one at a time).
type bulkAnswers struct {
	unreadable atomic.Bool
}

// batch settles every id of one batch.
func (r scope) batch(ctx context.Context, batch []string) []outcome {
	out := make([]outcome, len(batch))
	if err := ctx.Err(); err != nil {
		for i, id := range batch {
			out[i].err = fmt.Errorf("key %s: not attempted: %w", id, err)
		}
		return out
	}
	if r.bulk.unreadable.Load() {
		for i, id := range batch {
			out[i] = r.alone(ctx, id, nil)
		}
		return out
	}
	var answer json.RawMessage
	_, err := r.c.Do(ctx, http.MethodPost, r.keysPath()+"/revoke", nil, revokeBody{APIKeyIDs: batch}, &answer)
	var listed map[string]bool
	switch {
	case err == nil:
		var ok bool
		listed, ok = revokedIDs(answer)
		r.bulk.unreadable.Store(!ok)
	case errors.Is(err, client.ErrMalformedResponse):
		r.bulk.unreadable.Store(true)
	case ctx.Err() != nil, !client.MayHaveActed(err) && !refusedForItsIDs(err):
		for i, id := range batch {
			out[i].err = fmt.Errorf("key %s: %w", id, err)
		}
		return out
	}
	for i, id := range batch {
		if listed[id] {
			out[i].revoked = true
			continue
		}
		out[i] = r.alone(ctx, id, err)
		if out[i].err != nil && err == nil {
			// The bulk request was carried out (2xx): it may have revoked
			// the id, whatever revoking it alone then met.
			out[i].err = acted.Mark(out[i].err)
		}
	}
	return out
}

// refusedForItsIDs reports whether the server refused a bulk request for
// what it holds, some id it does not know, rather than for who sent it:
// then each id can still be revoked on its own.
func refusedForItsIDs(err error) bool {
	return errors.Is(err, client.ErrNotFound) || errors.Is(err, client.ErrInvalid)
}

// alone revokes one id on its own, to learn its state: no bulk answer
// said it was revoked. batchErr is the bulk request's error, if it failed.
func (r scope) alone(ctx context.Context, id string, batchErr error) outcome {
	switch err := r.revoke(ctx, id); {
	case err == nil:
		return outcome{revoked: true}
	case errors.Is(err, client.ErrNotFound):
		return outcome{notFound: true}
	case batchErr != nil:
		err = fmt.Errorf("key %s: the bulk request failed (%v), and so did revoking it alone: %w", id, batchErr, err)
		if client.MayHaveActed(batchErr) {
			err = acted.Mark(err) // the bulk request may have revoked it
		}
		return outcome{err: err}
	default:
		return outcome{err: fmt.Errorf("key %s: %w", id, err)}
	}
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

// dedupe returns ids without repeats, in first-seen order.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
