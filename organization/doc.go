// Package organization lists the members of the token's Anyscale
// organization (users and service accounts), finds one by a Ref, and lets
// an owner remove one, which drops all of that member's API keys at once.
//
//	c, _ := client.New()
//	org := organization.New(c)
//	m, err := org.Get(ctx, organization.ByEmail("ada@example.com"))
//	if errors.Is(err, client.ErrNotFound) { /* not a member */ }
//	err = org.RemoveMember(ctx, organization.ByIdentityID(m.IdentityID)) // owner only; never your own account
//
// A member has two ids: its user id (usr_…, Member.UserID), which keys
// name as their owner, and its identity id (ide_…, Member.IdentityID),
// which removal takes. A Ref names a member by either, by email or by
// name, everywhere the SDK takes a member (package keys and
// serviceaccounts included).
package organization
