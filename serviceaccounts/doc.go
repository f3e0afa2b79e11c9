// Package serviceaccounts manages service accounts: the organization's
// non-user identities whose keys production integrations (CI/CD,
// schedulers) should use. Only organization owners create, delete and
// manage them and their keys.
//
//	sa := serviceaccounts.New(c)
//	created, err := sa.Create(ctx, "ci-deployer") // the account and its first key
//	store(created.Secret.Reveal())                // shown once
//	secret, err := sa.RotateAPIKeys(ctx, serviceaccounts.ByName("ci-deployer"))
//	for k, err := range sa.Keys(ctx, serviceaccounts.ByName("ci-deployer")) { ... }
package serviceaccounts
