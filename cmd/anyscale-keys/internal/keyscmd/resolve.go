package keyscmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

// resolveConcurrency bounds the references resolved at once.
const resolveConcurrency = 8

// resolveFunc is keys.Resolve of the own scope or the organization's.
type resolveFunc func(ctx context.Context, ref string) (*keys.Key, error)

// resolver returns the Resolve of the scope: the caller's keys, or with
// org every key of the organization.
func resolver(ks *keys.Service, org bool) resolveFunc {
	if org {
		return ks.Org().Resolve
	}
	return ks.Resolve
}

// resolveRefs resolves every reference through keys.Resolve, a few at a
// time, and returns the keys in the order of refs, each once. References
// that match no active key are returned apart (the caller decides whether
// that is an error); references that match several make the error an
// *ambiguousRefs, which lists every match; any other failure is returned
// as it is.
func resolveRefs(ctx context.Context, resolve resolveFunc, refs []string) ([]keys.Key, []string, error) {
	type outcome struct {
		key *keys.Key
		err error
	}
	out := make([]outcome, len(refs))
	sem := make(chan struct{}, resolveConcurrency)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			k, err := resolve(ctx, ref)
			out[i] = outcome{k, err}
		}()
	}
	wg.Wait()
	var found []keys.Key
	var notFound []string
	var ambiguous []*keys.AmbiguousError
	seen := map[string]bool{}
	for i, o := range out {
		var amb *keys.AmbiguousError
		switch {
		case o.err == nil:
			if !seen[o.key.ID] {
				seen[o.key.ID] = true
				found = append(found, *o.key)
			}
		case errors.As(o.err, &amb):
			ambiguous = append(ambiguous, amb)
		case errors.Is(o.err, client.ErrNotFound) && !errors.Is(o.err, client.ErrForbidden):
			notFound = append(notFound, refs[i])
		default:
			return nil, nil, o.err
		}
	}
	if len(ambiguous) > 0 {
		return nil, nil, &ambiguousRefs{all: ambiguous}
	}
	return found, notFound, nil
}

// ambiguousRefs is the error of references that match several keys each:
// it lists every match, so that the user can name one by its id.
type ambiguousRefs struct{ all []*keys.AmbiguousError }

func (e *ambiguousRefs) Error() string {
	var b strings.Builder
	for i, a := range e.all {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%q matches %d active keys; nothing was changed:", a.Ref, len(a.Matches))
		for _, m := range a.Matches {
			fmt.Fprintf(&b, "\n  %s  %q", cmdutil.ShortID(m.Key.ID), m.Key.Name)
			if m.Owner != "" {
				fmt.Fprintf(&b, "  owner %s", m.Owner)
			}
			fmt.Fprintf(&b, "  (by %s)", m.By)
		}
	}
	return b.String()
}

// Unwrap gives each reference's error, for its advice and exit code.
func (e *ambiguousRefs) Unwrap() []error {
	out := make([]error, len(e.all))
	for i, a := range e.all {
		out[i] = a
	}
	return out
}

// notFoundRefs is the error of references that match no active key: exit
// code 5, unless --ignore-not-found.
type notFoundRefs struct {
	refs []string
	org  bool
}

func (e *notFoundRefs) Error() string {
	return e.what() + "; nothing was changed (--ignore-not-found goes on without it)"
}

// what says which references matched nothing.
func (e *notFoundRefs) what() string {
	quoted := make([]string, len(e.refs))
	for i, r := range e.refs {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	whose := "of yours"
	if e.org {
		whose = "in the organization"
	}
	return fmt.Sprintf("no active key %s has the id, id prefix, display id or name %s", whose, strings.Join(quoted, ", "))
}

// Is makes the error match client.ErrNotFound.
func (e *notFoundRefs) Is(target error) bool { return target == client.ErrNotFound }

// AdviceOf points to the list of keys.
func (e *notFoundRefs) AdviceOf() (client.Advice, bool) {
	return client.Advice{Action: client.ActionListToFind}, true
}

// owner is how a table or a prompt names a key's owner: a user's email, or
// a service account's name.
func ownerLabel(m organization.Member) string {
	if m.ServiceAccount && m.Name != "" {
		return m.Name
	}
	if m.Email != "" {
		return m.Email
	}
	return m.UserID
}

// ownerConcurrency bounds the members whose keys are listed at once.
const ownerConcurrency = 4

// owners finds the owner of each key in want (by id) among the
// organization's members: it lists each member's keys, a few members at a
// time, until every key in want has its owner; with want nil, it finds the
// owner of every key. progress, when set, is told how many members were
// done. A key whose owner the member list does not name has none.
func owners(ctx context.Context, ks *keys.Service, c *client.Client, want map[string]bool, progress func(done, total int)) (map[string]organization.Member, error) {
	var members []organization.Member
	for m, err := range organization.New(c).All(ctx, organization.ListOptions{Kind: organization.AllAccounts}) {
		if err != nil {
			return nil, fmt.Errorf("listing the members to name the keys' owners: %w", err)
		}
		if m.UserID != "" {
			members = append(members, m)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		found    = map[string]organization.Member{}
		firstErr error
		done     int
		wg       sync.WaitGroup
	)
	complete := func() bool { return want != nil && len(found) >= len(want) }
	sem := make(chan struct{}, ownerConcurrency)
	for _, m := range members {
		mu.Lock()
		stop := complete() || firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for k, err := range ks.Org().All(ctx, keys.ListOptions{Owner: organization.ByUserID(m.UserID)}) {
				mu.Lock()
				if err != nil {
					if firstErr == nil && ctx.Err() == nil {
						firstErr = fmt.Errorf("listing the keys of %s: %w", ownerLabel(m), err)
						cancel()
					}
					mu.Unlock()
					return
				}
				if want == nil || want[k.ID] {
					found[k.ID] = m
				}
				full := complete()
				mu.Unlock()
				if full {
					cancel()
					return
				}
			}
			mu.Lock()
			done++
			if progress != nil {
				progress(done, len(members))
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil && !complete() {
		return nil, err
	}
	return found, nil
}
