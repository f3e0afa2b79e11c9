package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/anyscale-go/anyscale/client"
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
// lists under "revoked". Every other id of a batch, and every id of a
// batch whose answer is not understood or was lost (a server error, a
// dropped connection), is revoked on its own with Revoke, which is safe to
// repeat: success puts it in Revoked, client.ErrNotFound in NotFound, any
// other error in Failed. A batch the server refused (a 4xx answer) puts its
// ids in Failed.
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

	batches := slices.Collect(slices.Chunk(ids, client.MaxPageSize))
	outcomes := make([][]outcome, len(batches))
	parallel.Run(ctx, cfg.concurrency, len(batches), func(ctx context.Context, i int) {
		outcomes[i] = s.revokeBatch(ctx, batches[i])
	})
	for i, batch := range batches {
		for j, id := range batch {
			switch o := outcomes[i][j]; {
			case o.revoked:
				res.Revoked = append(res.Revoked, id)
			case o.notFound:
				res.NotFound = append(res.NotFound, id)
			default:
				res.Failed[id] = o.err
			}
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

// revokeBatch sends one bulk revoke and settles every id of the batch.
func (s scope) revokeBatch(ctx context.Context, batch []string) []outcome {
	out := make([]outcome, len(batch))
	if err := ctx.Err(); err != nil {
		for i, id := range batch {
			out[i].err = fmt.Errorf("key %s: not attempted: %w", id, err)
		}
		return out
	}
	var answer json.RawMessage
	_, err := s.c.Do(ctx, http.MethodPost, s.keysPath()+"/revoke", nil, revokeBody{APIKeyIDs: batch}, &answer)
	if err != nil && (ctx.Err() != nil || !client.MayHaveActed(err)) {
		for i, id := range batch {
			out[i].err = fmt.Errorf("key %s: %w", id, err)
		}
		return out
	}
	listed := revokedIDs(answer) // empty when err != nil or not understood
	for i, id := range batch {
		if listed[id] {
			out[i].revoked = true
			continue
		}
		out[i] = s.settle(ctx, id, err)
	}
	return out
}

// settle revokes one id of a batch on its own, to learn its state: the
// bulk answer did not say it was revoked. batchErr is the bulk request's
// error, if it failed.
func (s scope) settle(ctx context.Context, id string, batchErr error) outcome {
	switch err := s.revoke(ctx, id); {
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
// without that field as a list of strings is not understood: it confirms
// nothing, and the result is empty.
func revokedIDs(answer json.RawMessage) map[string]bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(answer, &fields) != nil {
		return nil
	}
	var ids []string
	if json.Unmarshal(fields["revoked"], &ids) != nil {
		return nil
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
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
