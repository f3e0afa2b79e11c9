// Package client is the typed HTTP client every service of the SDK builds
// on: base URL and TLS rules, the Authorization header from an auth
// provider, retries that never repeat a request the server may have acted
// on, the 401 refresh, error decoding and paging.
//
//	c, err := client.New()                 // ANYSCALE_HOST, auth.DefaultChain()
//	if err != nil { return err }
//	me, err := c.WhoAmI(ctx)
//	if errors.Is(err, client.ErrUnauthorized) { /* run `anyscale login` */ }
//	fmt.Println(me.Email)
//
// Services such as keys call [Client.Do] and [ListPage]; programs may call
// them too for endpoints the SDK does not wrap yet.
//
// Retries: GET and DELETE retry on network errors, 429 and 5xx; a POST
// only when the server cannot have acted on it. A refused connection or a
// host name that does not resolve is retried once, quickly, then reported
// with the host and where it came from (ANYSCALE_HOST, an option, a
// workspace, the default), so that a wrong host is said within a second,
// not after a whole retry budget. Each attempt has a time bound
// (DefaultAttemptTimeout); the caller's context bounds the whole call.
// [Client.Now] is the server's time, from the Date of its answers.
//
// Every error a call returns says what the call was, once ("GET
// /api/v2/userinfo/: 401 Unauthorized: …"); a service that wraps it adds
// one clause of its own before it. [MayHaveActed] tells whether the server
// may have acted on a call that failed. An error that knows what to do
// next ends its text with a sentence in Go terms, and carries the same
// advice as data: [AdviceOf] returns it, and [Facts] returns the text
// without the sentence, for a program that speaks to its users in its own
// words.
package client
