package keys

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/anyscale-go/anyscale/client"
)

// RevokeResult accounts for every id given to RevokeMany: each is in
// exactly one of Revoked and Failed.
type RevokeResult struct {
	// Revoked lists the ids revoked, in the order given.
	Revoked []string
	// Failed maps each id that was not revoked to why.
	Failed map[string]error
}

type revokeBody struct {
	APIKeyIDs []string `json:"api_key_ids"`
}

type revokeResult struct {
	Revoked []string `json:"revoked"`
}

// RevokeMany revokes the keys with ids, in batches of at most
// client.MaxPageSize (the API's limit). Duplicate ids count once. An id the
// server did not revoke (unknown, not visible to the caller, or already
// revoked) is reported in Failed with an error matching
// client.ErrNotFound, never dropped: such a key is not active. When a batch request fails
// in a way that leaves its outcome unknown (a server error, a lost
// connection), RevokeMany revokes that batch's ids one at a time, which is
// safe to retry. The error joins every failure; it is nil when all ids
// were revoked.
func (s *Service) RevokeMany(ctx context.Context, ids []string) (*RevokeResult, error) {
	for i, id := range ids {
		if id == "" {
			return nil, fmt.Errorf("keys: %w: id %d of %d is empty; nothing was revoked", client.ErrInvalid, i+1, len(ids))
		}
	}
	ids = dedupe(ids)
	res := &RevokeResult{Revoked: []string{}, Failed: map[string]error{}}
	for batch := range slices.Chunk(ids, client.MaxPageSize) {
		if err := ctx.Err(); err != nil {
			for _, id := range batch {
				res.Failed[id] = fmt.Errorf("key %s: not attempted: %w", id, err)
			}
			continue
		}
		s.revokeBatch(ctx, batch, res)
	}
	var errs []error
	for _, id := range ids {
		if err, ok := res.Failed[id]; ok {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("keys: %d of %d keys were not revoked:\n%w", len(errs), len(ids), errors.Join(errs...))
	}
	return res, nil
}

func (s *Service) revokeBatch(ctx context.Context, batch []string, res *RevokeResult) {
	var out revokeResult
	_, err := s.c.Do(ctx, http.MethodPost, s.keysPath()+"/revoke", nil, revokeBody{APIKeyIDs: batch}, &out)
	if err == nil {
		done := make(map[string]bool, len(out.Revoked))
		for _, id := range out.Revoked {
			done[id] = true
		}
		for _, id := range batch {
			if done[id] {
				res.Revoked = append(res.Revoked, id)
			} else {
				res.Failed[id] = fmt.Errorf("key %s: %w: not revoked: unknown, not visible to you, or already revoked", id, client.ErrNotFound)
			}
		}
		return
	}
	if ctx.Err() != nil || !client.MayHaveActed(err) {
		for _, id := range batch {
			res.Failed[id] = fmt.Errorf("key %s: %w", id, err)
		}
		return
	}
	for _, id := range batch {
		switch rerr := s.Revoke(ctx, id); {
		case rerr == nil:
			res.Revoked = append(res.Revoked, id)
		case errors.Is(rerr, client.ErrNotFound):
			res.Failed[id] = fmt.Errorf("key %s: %w (the key is not active: the failed batch request before it may have revoked it: %v)", id, rerr, err)
		default:
			res.Failed[id] = fmt.Errorf("key %s: %w", id, rerr)
		}
	}
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
