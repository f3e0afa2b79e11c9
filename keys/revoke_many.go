package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/parallel"
)

// DefaultConcurrency is how many bulk-revoke requests RevokeMany has in
// flight at once unless RevokeOptions.Concurrency says otherwise.
const DefaultConcurrency = parallel.DefaultLimit

// RevokeResult accounts for every id given to RevokeMany: each one,
// duplicates once, is in exactly one of Revoked, NotFound and Failed.
//
// It marshals to JSON as {"revoked": [...], "not_found": [...], "failed":
// [{"id": …, "error": …}]}, the shape of the command line's -o json: the
// lists are never null, and each failure carries its error's facts
// (client.Facts: its text without the SDK's advice sentences), in the order
// the ids were given to RevokeMany (by id for a result made otherwise).
// Decoding gives each failed id an error holding that text. Since it
// marshals itself, a struct that embeds a RevokeResult marshals as the
// RevokeResult alone: give it a field name.
type RevokeResult struct {
	// Revoked lists the ids this call revoked, in the order given.
	Revoked []string
	// NotFound lists, in the order given, the ids the server answered "not
	// found" for (a 404) and that name no active key the caller may see
	// in another way: no active key has that id, display id or name (such
	// an id is in Failed). Nothing is left to revoke for such an id: its
	// key is unknown, another user's (on the own scope), already revoked,
	// or, as far as is known, expired.
	//
	// What is confirmed and what is a choice: that the API answers 404 for
	// an id it has no active key of is the documented meaning of its
	// status codes; whether it answers 404 for an expired key, or revokes
	// it, is not published. The fake (anyscaletest) revokes an expired key
	// (the bulk and the single revoke alike), so there an expired key's id
	// is in Revoked, and only an unknown, another user's or an already
	// revoked one is in NotFound.
	NotFound []string
	// Failed maps each id whose outcome is an error to that error: the key
	// may still be active. client.MayHaveActed tells apart an id this call
	// may have revoked (its request was sent and the answer was lost) from
	// one it never sent or that the server refused.
	Failed map[string]error

	// order is the ids as RevokeMany was given them, without repeats:
	// the order of the JSON's failures.
	order []string
}

// revokeFailure is one entry of the JSON's "failed" list.
type revokeFailure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

type revokeResultJSON struct {
	Revoked  []string        `json:"revoked"`
	NotFound []string        `json:"not_found"`
	Failed   []revokeFailure `json:"failed"`
}

// MarshalJSON writes the result as its type's documentation says.
func (r RevokeResult) MarshalJSON() ([]byte, error) {
	out := revokeResultJSON{Revoked: orEmpty(r.Revoked), NotFound: orEmpty(r.NotFound), Failed: []revokeFailure{}}
	done := make(map[string]bool, len(r.Failed))
	for _, id := range r.order {
		if err, ok := r.Failed[id]; ok && !done[id] {
			done[id] = true
			out.Failed = append(out.Failed, revokeFailure{ID: id, Error: advice.Facts(err)})
		}
	}
	var rest []string
	for id := range r.Failed {
		if !done[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		out.Failed = append(out.Failed, revokeFailure{ID: id, Error: advice.Facts(r.Failed[id])})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes: each failed id gets an
// error holding the text of its "error".
func (r *RevokeResult) UnmarshalJSON(b []byte) error {
	var in revokeResultJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*r = RevokeResult{Revoked: orEmpty(in.Revoked), NotFound: orEmpty(in.NotFound), Failed: make(map[string]error, len(in.Failed))}
	for _, f := range in.Failed {
		r.Failed[f.ID] = errors.New(f.Error)
		r.order = append(r.order, f.ID)
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
// API: GET /api/v2/users/api_keys (only when some ids came back not found)
//
// It keeps OrgService.RevokeMany's contract, over the caller's own keys:
// another user's key is in NotFound.
func (s *Service) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOptions) (*RevokeResult, error) {
	if err := ctxguard.Check(ctx, "keys.Service.RevokeMany"); err != nil {
		return unsent(ids, err)
	}
	return s.revokeMany(ctx, ids, opts)
}

// RevokeMany revokes the keys with ids, any user's or service account's,
// and accounts for each.
//
// API: POST /api/v2/users/admin/api_keys/revoke
//
// API: DELETE /api/v2/users/admin/api_keys/{api_key_id}
//
// API: GET /api/v2/users/admin/api_keys (only when some ids came back not found)
//
// Every id given, duplicates once, ends in exactly one of the result's
// lists: Revoked (this call revoked it), NotFound (no active key visible
// to the caller has that id, display id or name, so nothing was left to
// revoke) or Failed (the outcome is an error: the key may still be
// active). No id is reported revoked or not found without an answer that
// says so. The error is non-nil exactly when Failed is not empty, and
// joins its errors; the result is never nil. An invalid id (empty, "." or
// "..") makes RevokeMany send nothing: every id is in Failed and the error
// matches client.ErrInvalid. Ids go in batches of at most
// client.MaxPageSize, the API's limit, up to RevokeOptions.Concurrency
// requests at once (default DefaultConcurrency); opts merge, a later
// non-zero field winning.
//
// Revoking takes ids only, but it never calls a live key "not found":
// when some ids come back not found, RevokeMany lists the keys once, and
// an id that is the display id or name of an active key (what a person
// copies from a table) is in Failed, with an error matching
// client.ErrInvalid that names the key's id to pass (advice
// client.ActionUseID, its Subject that id).
//
// It fails fast when the server cannot be reached. A batch that never
// reached the server (a refused or failed connection, a DNS or TLS
// failure, a proxy's refusal: client.MayHaveActed is false) puts its ids in
// Failed at once, none tried alone. Ids whose outcome stays unknown (the
// bulk answer was lost, was a server error, or is in a shape the SDK does
// not know) are revoked one at a time, under the same bound as the
// batches; once the server has given no answer (refused, dropped, reset or
// timed out) to a request through its whole retry budget while no other
// request got one, RevokeMany stops: the requests still out are cancelled,
// and the ids not sent yet are in Failed, client.MayHaveActed false for
// each (true for an id whose bulk request was sent and its answer lost).
// Likewise, once ctx is done, the ids not sent yet are in Failed with
// client.MayHaveActed false.
func (s *OrgService) RevokeMany(ctx context.Context, ids []string, opts ...RevokeOptions) (*RevokeResult, error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.RevokeMany"); err != nil {
		return unsent(ids, err)
	}
	return s.revokeMany(ctx, ids, opts)
}

// unsent is RevokeMany's answer when it cannot start (a nil context): no
// id is sent; every one is in Failed with err.
func unsent(ids []string, err error) (*RevokeResult, error) {
	ids = dedupe(ids)
	res := &RevokeResult{Revoked: []string{}, NotFound: []string{}, Failed: make(map[string]error, len(ids)), order: ids}
	if len(ids) == 0 {
		return res, err
	}
	for _, id := range ids {
		res.Failed[id] = fmt.Errorf("key %s: not sent: %w", id, err)
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
