// Package organization lists the members of the token's Anyscale
// organization (users and service accounts) and lets an owner remove one,
// which drops all of that member's API keys at once.
//
//	c, _ := client.New()
//	org := organization.New(c)
//	m, err := org.FindByEmail(ctx, "ada@example.com")
//	if errors.Is(err, client.ErrNotFound) { /* not a member */ }
//	err = org.Remove(ctx, m.Email) // owner only; never your own account
package organization
