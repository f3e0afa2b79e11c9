package keys

import (
	"context"
	"fmt"
	"sync"

	"github.com/anyscale-go/anyscale/internal/callopt"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
	"github.com/anyscale-go/anyscale/internal/parallel"
	"github.com/anyscale-go/anyscale/organization"
)

// owner is whom a key belongs to, as the member list names it.
type owner struct {
	userID, email  string
	serviceAccount bool
}

// Audit checks every active key in the organization against the key
// policy, as Service.Audit does, and names the owner of every finding (the
// user's or service account's email).
//
// API: GET /api/v2/organization_collaborators/
//
// API: GET /api/v2/users/admin/api_keys
//
// Service account keys are exempt from the 30-day rule, which is for user
// keys. The API's keys carry no owner, so Audit lists each member's keys,
// then every key of the organization once more, so that a key whose owner
// the member list does not name is audited too (without an owner); with
// an owner filter in AuditOptions.List it audits only that owner's keys.
// A page token applies only with an owner filter: without one it is an
// error matching client.ErrInvalid.
func (s *OrgService) Audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	if err := ctxguard.Check(ctx, "keys.OrgService.Audit"); err != nil {
		return nil, err
	}
	// The requests: one per 50 members, at least one per member, and one
	// per 50 keys, up to AuditOptions.Concurrency at once.
	_, ref, err := s.check(opts.List)
	if err != nil {
		return nil, err
	}
	var targets []owner
	everyKey := false
	if ref != (organization.Ref{}) {
		o, err := s.owner(ctx, ref)
		if err != nil {
			return nil, err
		}
		targets = []owner{o}
	} else {
		if opts.List.PageToken != "" {
			return nil, errOrgPageToken
		}
		var err error
		if targets, err = s.owners(ctx); err != nil {
			return nil, fmt.Errorf("keys: audit: listing the members: %w", err)
		}
		everyKey = true
	}

	rules := newAuditRules(s.c, opts) // after the first answer: the server's clock

	// One listing per target, then one over every key.
	jobs := len(targets)
	if everyKey {
		jobs++
	}
	found := make([][]Key, jobs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var firstErr error // the first failure; the others may be its cancellation
	progress := &progress{total: jobs, report: opts.Progress}
	parallel.Run(ctx, opts.Concurrency, jobs, callopt.OnThrottle, func(ctx context.Context, i int) {
		list := ListOptions{Name: opts.List.Name, CreatedBy: opts.List.CreatedBy, PageSize: opts.List.PageSize}
		if i < len(targets) {
			list.Owner, list.PageToken = organization.ByUserID(targets[i].userID), opts.List.PageToken
		}
		for k, err := range s.all(ctx, list) {
			if err != nil {
				if i < len(targets) {
					err = fmt.Errorf("listing the keys of %s: %w", orDash(targets[i].email), err)
				}
				once.Do(func() {
					firstErr = err
					cancel() // the audit is incomplete: stop the others
				})
				return
			}
			found[i] = append(found[i], k)
		}
		progress.add(1)
	})
	if firstErr != nil {
		return nil, fmt.Errorf("keys: audit: %w", firstErr)
	}

	report := &AuditReport{At: rules.now, Findings: []Finding{}}
	seen := map[string]bool{}
	for i, keys := range found {
		var o owner
		if i < len(targets) {
			o = targets[i]
		}
		for _, k := range keys {
			if seen[k.ID] {
				continue
			}
			seen[k.ID] = true
			k.OwnerID = o.userID
			report.add(k, o, rules)
		}
	}
	return report, nil
}

// owner looks up the owner an owner filter names, for its email: by user
// id by walking the member list (an id no member has is audited with no
// email), else as ListOptions.Owner is found.
func (s *OrgService) owner(ctx context.Context, ref organization.Ref) (owner, error) {
	id := ref.UserID()
	if id == "" {
		return s.findOwner(ctx, ref)
	}
	for m, err := range organization.New(s.c).All(ctx, organization.ListOptions{Kind: organization.AllAccounts}) {
		if err != nil {
			return owner{}, fmt.Errorf("keys: audit: looking up the owner's user id in the member list: %w", err)
		}
		if m.UserID == id {
			return owner{userID: m.UserID, email: m.Email, serviceAccount: m.ServiceAccount}, nil
		}
	}
	return owner{userID: id}, nil
}

// owners walks the member list: the members that have a user id, in the
// list's order.
func (s *OrgService) owners(ctx context.Context) ([]owner, error) {
	var list []owner
	seen := map[string]bool{}
	for m, err := range organization.New(s.c).All(ctx, organization.ListOptions{Kind: organization.AllAccounts}) {
		if err != nil {
			return nil, err
		}
		if m.UserID == "" || seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		list = append(list, owner{userID: m.UserID, email: m.Email, serviceAccount: m.ServiceAccount})
	}
	return list, nil
}
