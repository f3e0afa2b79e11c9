// Package auth owns how the SDK finds the token it sends: the sources a
// token can come from (a token in code, the ANYSCALE_CLI_TOKEN variable,
// the credentials file, an Anyscale workspace's injected environment), the
// order it tries them in, why it chose one, and the API host that goes
// with the token (ResolveHost). It does no network I/O.
//
// A source that is not configured here is unavailable and the chain moves
// on; a source that is configured but broken stops the chain with an error
// that says how to fix it. Tokens never appear in errors, logs or reports.
//
//	chain := auth.DefaultChain()                 // env, then file, then workspace
//	tok, err := chain.Token(ctx)                 // first available token, cached
//	var none *auth.ChainError                    // no source configured: err lists them
//	if errors.As(err, &none) { /* run `anyscale login` */ }
//	host, _ := auth.ResolveHost(tok)             // ANYSCALE_HOST, the workspace's host, or DefaultHost
//	fmt.Println(chain.Explain(ctx))              // which source won, why, and the host
package auth
