// Package keys manages Anyscale user API keys: create, list and search,
// revoke one or many, rotate, and audit them against the key policy.
//
// New serves the caller's own keys (a *Service); Service.Org serves every
// user's and service account's keys in the organization, for owners (an
// *OrgService). Each has only the operations that exist for its scope.
//
//	ks := keys.New(c)
//	k, err := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: keys.MaxLifetime})
//	fmt.Println(k.Key.Name, k.Secret) // the secret prints redacted; k.Secret.Reveal() once
//	for key, err := range ks.Org().All(ctx, keys.ListOptions{Owner: organization.ByEmail("ada@example.com")}) { ... }
//	res, err := ks.Org().RevokeMany(ctx, ids) // each id: Revoked, NotFound or Failed; err only if some Failed
package keys
