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
package client
