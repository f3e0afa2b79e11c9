package keys

import (
	"context"
	"fmt"
	"sync"

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
// user's or service account's email). Service account keys are exempt from
// the 30-day rule, which is for user keys.
//
// The API's keys carry no owner, so Audit walks the member list and lists
// each member's keys: one request per 50 members, then at least one per
// member (one per 50 of its keys), up to AuditOptions.Concurrency at once.
// With an owner filter in AuditOptions.List it lists only that owner's
// keys. If the server lists a member without a user id, Audit also walks
// every key of the organization once, so that no key goes unaudited; the
// keys it finds only there name no owner.
func (s *OrgService) Audit(ctx context.Context, opts AuditOptions) (*AuditReport, error) {
	rules := newAuditRules(opts)
	filtered := opts.List.OwnerEmail != "" || opts.List.OwnerID != ""
	if opts.List.PageToken != "" && !filtered {
		return nil, errOrgPageToken
	}
	members, byID, missingIDs, err := s.owners(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: audit: listing the members: %w", err)
	}
	targets := members
	if filtered {
		q, err := s.query(ctx, opts.List)
		if err != nil {
			return nil, fmt.Errorf("keys: audit: %w", err)
		}
		o, ok := byID[q.UserID]
		if !ok {
			o = owner{userID: q.UserID}
		}
		targets = []owner{o}
	}

	// One listing per target, and one more over every key when some
	// member has no user id to filter by.
	jobs := len(targets)
	if missingIDs && !filtered {
		jobs++
	}
	found := make([][]Key, jobs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var firstErr error // the first failure; the others may be its cancellation
	parallel.Run(ctx, opts.Concurrency, jobs, func(ctx context.Context, i int) {
		list := ListOptions{Name: opts.List.Name, CreatedBy: opts.List.CreatedBy, PageSize: opts.List.PageSize}
		if i < len(targets) {
			list.OwnerID, list.PageToken = targets[i].userID, opts.List.PageToken
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
	})
	if firstErr != nil {
		return nil, fmt.Errorf("keys: audit: %w", firstErr)
	}

	report := &AuditReport{At: rules.now, Findings: []Finding{}}
	seen := map[string]bool{}
	for i, keys := range found {
		for _, k := range keys {
			if seen[k.ID] {
				continue
			}
			seen[k.ID] = true
			var o owner
			if i < len(targets) {
				o = targets[i]
			}
			k.OwnerID = o.userID
			report.add(k, o, rules)
		}
	}
	return report, nil
}

// owners walks the member list: the members that have a user id, in the
// list's order and by id, and whether any member lacks one.
func (s *OrgService) owners(ctx context.Context) (list []owner, byID map[string]owner, missingIDs bool, err error) {
	byID = map[string]owner{}
	for m, err := range organization.New(s.c).All(ctx, organization.ListOptions{Kind: organization.AllAccounts}) {
		if err != nil {
			return nil, nil, false, err
		}
		if m.UserID == "" {
			missingIDs = true
			continue
		}
		o := owner{userID: m.UserID, email: m.Email, serviceAccount: m.ServiceAccount}
		if _, dup := byID[o.userID]; !dup {
			byID[o.userID] = o
			list = append(list, o)
		}
	}
	return list, byID, missingIDs, nil
}
