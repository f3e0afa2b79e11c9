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
	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/parallel"
)

// DefaultConcurrency is how many bulk-revoke requests RevokeMany has in
// flight at once unless WithConcurrency says otherwise.
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

// RevokeOption configures RevokeMany.
type RevokeOption func(*revokeConfig)

type revokeConfig struct {
	concurrency int
	progress    func(done, total int)
}

// WithProgress makes RevokeMany call f as ids are settled, with how many of
// the distinct ids given are settled so far and how many there are; f is
// called from one goroutine at a time, the last time with done == total
// unless the call was cancelled.
func WithProgress(f func(done, total int)) RevokeOption {
	return func(c *revokeConfig) { c.progress = f }
}

// WithConcurrency sets how many batch requests RevokeMany has in flight at
// once; n below 1 means DefaultConcurrency.
func WithConcurrency(n int) RevokeOption {
	return func(c *revokeConfig) { c.concurrency = n }
}

type revokeBody struct {
	APIKeyIDs []string `json:"api_key_ids"`
}

// RevokeMany revokes the caller's keys with ids; see OrgService.RevokeMany.
func (s *Service) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOption) (*RevokeResult, error) {
	return s.revokeMany(ctx, ids, opts)
}

// RevokeMany revokes the keys with ids, in batches of at most
// client.MaxPageSize (the API's limit), DefaultConcurrency batches at once
// unless WithConcurrency says otherwise. Duplicate ids count once.
//
// Every id ends in exactly one of the result's lists. The bulk answer's
// fields are not published, so RevokeMany trusts it only for the ids it
// lists under "revoked"; every other id is settled on its own with Revoke,
// which is safe to repeat: success puts it in Revoked, client.ErrNotFound
// in NotFound, any other error in Failed. Once a bulk answer lists no
// "revoked", the server's answers cannot be read: the ids not yet sent, of
// this call and of the Service's later ones, are revoked on their own,
// until a later answer (of a batch already out) can be read again. A batch whose
// answer was lost (a server error, a dropped connection) or that the
// server refused for its ids (404, 400, 422) is settled id by id too; a
// batch refused for the caller (401, 403) or rate limited puts its ids in
// Failed. An id settled on its own after its bulk request acted may be in
// NotFound although that request revoked it: either way it is not active.
//
// The error is non-nil exactly when Failed is not empty, and joins its
// errors. An invalid id (empty, "." or "..") makes RevokeMany send
// nothing: every id is in Failed and the error matches client.ErrInvalid.
// The result is never nil.
func (s *OrgService) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOption) (*RevokeResult, error) {
	return s.revokeMany(ctx, ids, opts)
}

// outcome is one id's fate in a batch: revoked, not found, or err.
type outcome struct {
	revoked, notFound bool
	err               error
}

func (s scope) revokeMany(ctx context.Context, ids []string, opts []RevokeOption) (*RevokeResult, error) {
	var cfg revokeConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
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

	progress := &progress{total: len(ids), report: cfg.progress}
	outcomes := make([]outcome, 0, len(ids))
	batches := slices.Collect(slices.Chunk(ids, client.MaxPageSize))
	results := make([][]outcome, len(batches))
	parallel.Run(ctx, cfg.concurrency, len(batches), callopt.OnThrottle, func(ctx context.Context, i int) {
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
		return outcome{err: fmt.Errorf("key %s: the bulk request failed (%v), and so did revoking it alone: %w", id, batchErr, err)}
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
