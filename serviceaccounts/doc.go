// Package serviceaccounts manages service accounts: the organization's
// non-user identities whose keys production integrations (CI/CD,
// schedulers) should use. Only organization owners create, delete and
// manage them and their keys.
//
//	sa := serviceaccounts.New(c)
//	created, err := sa.Create(ctx, "ci-deployer") // the account and its first key
//	store(created.Secret.Reveal())                // shown once
//	secret, err := sa.RotateKeys(ctx, serviceaccounts.ByName("ci-deployer"))
//	for k, err := range sa.Keys(ctx, serviceaccounts.ByName("ci-deployer")) { ... }
//
// A Ref is organization's reference: a service account is named by name or
// email (ByName, ByEmail), or by user id or identity id
// (organization.ByUserID, organization.ByIdentityID).
//
// An error that says what to do next carries it as data
// (client.AdviceOf): a 403 advises an owner's token
// (client.ActionNeedOwner), and a failure that may have left a key nobody
// holds advises rotating its keys (client.ActionRotateKeys). The advice's
// Subject names the service account: its email when known, else its name
// (a name never holds '@').
package serviceaccounts
